"""Serving a stored file to the person allowed to see it (the route checks who that is)."""
from __future__ import annotations

from flask import Response, abort

from . import services


def inline(file_id: int, name: str) -> Response:
    """The file shown in the browser, never cached by shared caches; 404 if it is gone."""
    stored = services.get(file_id)
    if stored is None:
        abort(404)
    return Response(stored.content, mimetype=stored.content_type, headers={
        "Content-Disposition": f"inline; filename={name}", "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff"})
