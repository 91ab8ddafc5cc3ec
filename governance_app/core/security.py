"""Security headers on every response."""
from __future__ import annotations

from flask import Flask

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Content-Type-Options", "nosniff"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def register(app: Flask) -> None:
    always = HEADERS + ((HSTS,) if app.config["GOVERNANCE_ENV"] == "production" else ())

    @app.after_request
    def add_headers(response):
        """Each header unless the view set its own; the response's headers are looked at once."""
        headers = response.headers
        present = {key.lower() for key, _value in headers.items()}
        headers.extend([(key, value) for key, value in always if key.lower() not in present])
        if "cache-control" not in present and response.mimetype == "text/html":
            headers["Cache-Control"] = "no-store"
        return response
