"""Serving a stored file to the person allowed to see it (the route checks who that is)."""
from __future__ import annotations

from flask import Response, abort

from . import services
from .names import content_disposition, download_name


def inline(file_id: int, name: str | None, fallback: str) -> Response:
    """The file shown in the browser under the name it was uploaded with (``fallback``, such as
    ``attachment-3``, when none is known), with the extension its content has; never cached by shared
    caches; 404 if it is gone."""
    stored = services.get(file_id)
    if stored is None:
        abort(404)
    filename = download_name(name, stored.content_type, fallback)
    return Response(stored.content, mimetype=stored.content_type, headers={
        "Content-Disposition": content_disposition("inline", filename, download_name(None, stored.content_type,
                                                                                     fallback)),
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


def attachment_headers(filename: str, **headers: str) -> dict[str, str]:
    """Headers of a download made by the platform (a PDF, an export) named ``filename``."""
    return {"Content-Disposition": content_disposition("attachment", filename), **headers}
