"""Logs as JSON lines, and a request id for every request.

Every record of the application (logger ``governance_app`` and below), of Flask-Limiter and,
outside development, of anything that logs through the root logger becomes one JSON object on one
line of standard error, which gunicorn under systemd hands to the journal. In a request it carries
the request's id.

At ``LOG_LEVEL=INFO`` (production's default) each request adds one line: its id, method, endpoint,
status, duration and the signed-in account's id. Nothing a person typed is written: no form field,
no query string (the path is logged without it), no header other than the request id. A person who
sees an error page reads the same id there and can quote it.

The id is ours (32 hex characters) unless the request came through a trusted proxy
(``TRUSTED_PROXIES`` > 0) that sent ``X-Request-ID`` (nginx: ``$request_id``), so that the proxy's
access log and ours share it. Only letters, digits, ``-``, ``_`` and ``.`` (at most 64) are taken.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
import sys
import time

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask_login import AnonymousUserMixin
from sqlalchemy import inspect

from .metrics import observe_request

REQUEST_ID_HEADER = "X-Request-ID"
ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
REQUEST_LOGGER = "governance_app.request"


def request_id() -> str:
    """This request's id (made on first use)."""
    found = g.get("request_id")
    if found is None:
        found = g.request_id = _incoming_id() or secrets.token_hex(16)
    return found


def _incoming_id() -> str | None:
    if not current_app.config.get("TRUSTED_PROXIES"):
        return None
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if ACCEPTED_REQUEST_ID.fullmatch(given) else None


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, the request id in a request,
    the fields passed as ``extra={"fields": {...}}``, and the traceback as one string field."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            entry["request_id"] = request_id()
        elif has_app_context() and g.get("request_id"):  # a request's teardown, after its context
            entry["request_id"] = g.request_id
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _JsonHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it), and marks the
    handler this module installed, so that a second app in one process replaces it."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def configure(app: Flask) -> None:
    """JSON lines on standard error for the application's records, Flask-Limiter's, and (outside
    development) every library's problems."""
    handler = _JsonHandler()
    handler.setFormatter(JsonFormatter())
    level = getattr(logging, app.config["LOG_LEVEL"])
    # The root logger (the libraries' problems) only outside development: there `flask run` keeps
    # Werkzeug's own plain lines, such as the address it serves.
    names = (app.logger.name, "flask-limiter") + (("",) if app.config["GOVERNANCE_ENV"] != "development" else ())
    for name in names:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if isinstance(h, _JsonHandler)]:
            logger.removeHandler(old)
        if name == app.logger.name:
            from flask.logging import default_handler

            logger.removeHandler(default_handler)
            logger.propagate = False  # its own handler: not written twice through the root
            logger.setLevel(level)
        elif name == "flask-limiter":
            logger.propagate = False
            logger.setLevel(logging.WARNING)
        else:
            logger.setLevel(logging.WARNING)  # libraries: problems only
        logger.addHandler(handler)


def register(app: Flask) -> None:
    """The request id, the request's line and its figures (metrics). Registered before the extensions, so that the clock
    starts before any of their checks (a refused rate limit is logged too)."""
    configure(app)
    request_log = logging.getLogger(REQUEST_LOGGER)

    @app.before_request
    def start_clock():
        g.request_started = time.perf_counter()
        request_id()

    @app.after_request
    def log_request(response):
        response.headers[REQUEST_ID_HEADER] = request_id()
        started = g.get("request_started")
        duration = time.perf_counter() - started if started is not None else 0.0
        observe_request(request.endpoint, request.method, response.status_code, duration)
        if request_log.isEnabledFor(logging.INFO):
            request_log.info("request", extra={"fields": {
                "method": request.method, "path": request.path, "endpoint": request.endpoint or "",
                "status": response.status_code, "duration_ms": round(duration * 1000, 1),
                "user_id": signed_in_user_id(), "remote_addr": request.remote_addr or ""}})
        return response


def signed_in_user_id() -> int | None:
    """The account of this request if it was already loaded. Read from the object's identity, never
    from its attributes: after a commit they are expired, and reading one would query the database
    (which may be the reason this request failed)."""
    user = g.get("_login_user")
    if user is None or isinstance(user, AnonymousUserMixin):
        return None
    state = inspect(user, raiseerr=False)
    identity = state.identity if state is not None else None
    return identity[0] if identity else None
