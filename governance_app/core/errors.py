"""Error pages in the reader's language, each with the request's id so that it can be quoted.

Besides the errors people can cause: when the database cannot be reached or cannot write
(restarting, out of disk, too many connections, a lock or serialisation conflict), or the disk
under an upload is full, the answer is 503 with ``Retry-After`` and "系统繁忙，请稍后再试", never a
500: the request's transaction is rolled back, so nothing of it was kept, and the page is drawn
without touching the database again.
"""
from __future__ import annotations

import errno
import logging

from flask import Flask, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import ClientDisconnected, HTTPException

from ..extensions import db, login_manager
from .logs import request_id

from .inputs import ControlCharacters

MESSAGES = {
    400: (_l("The request could not be understood"),
          _l("Go back, reload the page and try again.")),
    403: (_l("Not allowed"), _l("You may not do this.")),
    404: (_l("Page not found"), _l("The page does not exist, or it is not yours to see.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    413: (_l("The file is too large"), _l("Upload a smaller file.")),
    429: (_l("Too many attempts"), _l("Please wait a minute and try again.")),
    500: (_l("Something went wrong"), _l("The error has been logged. Please try again later.")),
    503: (_l("The system is busy, please try again later"),
          _l("Nothing of what you just sent was saved. Wait a minute and send it again. If you were casting a "
             "ballot, open the vote again: it shows whether your ballot was recorded.")),
}
CONTROL_MESSAGE = (_l("The request could not be understood"),
                   _l("It contained invisible control characters (such as a NUL). Go back, type what you "
                      "meant again and send it."))
CUT_SHORT = (_l("The upload did not arrive whole"),
             _l("The connection was cut before everything you sent had arrived. Nothing was saved: send it again."))
CSRF_MESSAGE = (_l("The form has expired"),
                _l("The form was open too long or came from another site. Reload the page and send it again."))
RETRY_AFTER_SECONDS = 30
# The database could not do the work, for reasons outside the request: the server is down or
# restarting, a connection was cut, the disk is full, too many connections, a lock or a
# serialisation conflict (SQLAlchemy's OperationalError wraps all of these, on PostgreSQL and
# SQLite), or no pooled connection came in time.
UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError, sa_exc.TimeoutError)
# Writing a file (an upload being received) failed for lack of space.
NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
log = logging.getLogger("governance_app.errors")


def _render(status: int, title, detail):
    try:
        return render_template("core/error.html", status=status, title=title, detail=detail,
                               request_id=request_id()), status
    except UNAVAILABLE as error:  # the page's header needs the account, which needs the database
        return _busy("database unavailable", error)


def _busy(reason: str, error: BaseException):
    """503 without touching the database again: the session's transaction is rolled back (or
    dropped with its dead connection), and the page is drawn without the account."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 (the connection is gone; the pool has invalidated it)
        pass
    # Drawn as for a visitor: the account's attributes were expired by the rollback, and reading
    # them (the page's header asks whether someone is signed in) would query the database again.
    g._login_user = login_manager.anonymous_user()
    log.warning("busy: %s", reason, extra={"fields": {"error": error.__class__.__name__,
                                                      "sqlstate": _sqlstate(error)}})
    body = render_template("core/error.html", status=503, title=MESSAGES[503][0], detail=MESSAGES[503][1],
                           request_id=request_id())
    return body, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _sqlstate(error: BaseException) -> str:
    original = getattr(error, "orig", None)
    return getattr(original, "sqlstate", None) or ""


class WholeBodies:
    """WSGI middleware: a request body that ends before its Content-Length (a phone that lost its
    connection half-way through an upload) is an error, never a shorter form. gunicorn marks its
    input as already limited (``wsgi.input_terminated``), so Werkzeug would read it to its end and
    parse what came; without the mark Werkzeug counts the bytes and raises ``ClientDisconnected``."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("CONTENT_LENGTH"):
            environ.pop("wsgi.input_terminated", None)
        return self.wsgi_app(environ, start_response)


def register(app: Flask) -> None:
    app.wsgi_app = WholeBodies(app.wsgi_app)

    @app.errorhandler(ClientDisconnected)
    def cut_short(error: ClientDisconnected):
        log.warning("request body cut short", extra={"fields": {"content_length": request.content_length}})
        return _render(400, *CUT_SHORT)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _render(400, *CSRF_MESSAGE)

    @app.errorhandler(ControlCharacters)
    def control_characters(error: ControlCharacters):
        return _render(400, *CONTROL_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code not in MESSAGES:
            return error
        return _render(error.code, *MESSAGES[error.code])

    for kind in UNAVAILABLE:
        app.register_error_handler(kind, lambda error: _busy("database unavailable", error))

    @app.errorhandler(OSError)
    def os_error(error: OSError):
        if error.errno in NO_SPACE:
            return _busy("no space to write", error)
        raise error

    @app.teardown_appcontext
    def end_session(_error):
        """Before Flask-SQLAlchemy's own (teardowns run last-registered first): a connection cut
        after the view answered makes the session's rollback fail, which must not turn the answer
        already made into a 500."""
        try:
            db.session.remove()
        except UNAVAILABLE as error:
            db.session.registry.clear()
            log.warning("session ended on a broken connection", extra={"fields": {
                "error": error.__class__.__name__, "sqlstate": _sqlstate(error)}})

    @app.errorhandler(500)
    def server_error(error):
        # An exception outside the view (an after-request hook, a teardown) comes here, not to the
        # handlers above: the database's unavailability is still "busy".
        original = getattr(error, "original_exception", None)
        if isinstance(original, UNAVAILABLE):
            return _busy("database unavailable", original)
        if isinstance(original, OSError) and original.errno in NO_SPACE:
            return _busy("no space to write", original)
        return _render(500, *MESSAGES[500])
