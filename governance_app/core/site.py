"""The platform's own address, as printed on activation letters, PDFs and reset instructions.

``SITE_URL`` when it is set (production refuses to start without it: the Host header of a request
is whatever the client sent, and a letter printed from it would send owners elsewhere). In
development and tests it may be unset: then the address the page was asked at is the one people
reach, so a letter printed at http://192.168.1.5:5000 says so instead of 127.0.0.1.
"""
from __future__ import annotations

from flask import current_app, has_request_context, request

DEVELOPMENT_ADDRESS = "http://127.0.0.1:5000"


def site_url(path: str = "") -> str:
    configured = current_app.config.get("SITE_URL", "")
    if configured:
        base = configured
    elif has_request_context():
        base = request.host_url
    else:  # a command run in development (`flask demo logins`): the address `make run` serves
        base = DEVELOPMENT_ADDRESS
    return base.rstrip("/") + path
