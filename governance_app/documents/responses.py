"""A drawn PDF as a download: every package's pages answer with it."""
from __future__ import annotations

from flask import Response


def pdf_response(content: bytes, filename: str) -> Response:
    return Response(content, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename={filename}",
                             "Cache-Control": "private, no-store"})
