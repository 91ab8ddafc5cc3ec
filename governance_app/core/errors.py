"""Error pages in the reader's language, for the errors people can cause."""
from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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
}
CONTROL_MESSAGE = (_l("The request could not be understood"),
                   _l("It contained invisible control characters (such as a NUL). Go back, type what you "
                      "meant again and send it."))
CSRF_MESSAGE = (_l("The form has expired"),
                _l("The form was open too long or came from another site. Reload the page and send it again."))


def _render(status: int, title, detail):
    return render_template("core/error.html", status=status, title=title, detail=detail), status


def register(app: Flask) -> None:
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

    @app.errorhandler(500)
    def server_error(error):
        return _render(500, *MESSAGES[500])
