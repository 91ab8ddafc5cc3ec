"""Control characters are refused in every input, before any page sees it.

Nobody types a NUL, an escape or a form feed: such characters come from crafted requests
or a bad copy, and they break what follows (PostgreSQL refuses NUL in text, werkzeug
refuses a line break in a header). An address and its query never carry one. A form
value may carry a tab or a line break, which a text area keeps; single-line fields
refuse those with a message of their own (``core.forms.FlaskForm``).
"""
from __future__ import annotations

import re

from urllib.parse import urlsplit

from flask import Flask, request, url_for
from werkzeug.exceptions import BadRequest

# Unicode's control characters (category Cc): C0, DEL and C1.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# The same without tab, line feed and carriage return, which a text area keeps.
TEXT_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class ControlCharacters(BadRequest):
    """A request carried a control character where none may be (answered with its own page)."""


def _any(pattern: re.Pattern, values) -> bool:
    return any(isinstance(value, str) and pattern.search(value) for value in values)


def refused(path: str, args, form, files) -> bool:
    """Does the request carry a control character where none may be?"""
    return bool(CONTROL_CHARACTERS.search(path)
                or _any(CONTROL_CHARACTERS, [key for key, _value in args.items(multi=True)])
                or _any(CONTROL_CHARACTERS, [value for _key, value in args.items(multi=True)])
                or _any(CONTROL_CHARACTERS, [key for key, _value in form.items(multi=True)])
                or _any(TEXT_CONTROL_CHARACTERS, [value for _key, value in form.items(multi=True)])
                or _any(CONTROL_CHARACTERS, [key for key, _value in files.items(multi=True)])
                or _any(CONTROL_CHARACTERS, [upload.filename for _key, upload in files.items(multi=True)]))


def register(app: Flask) -> None:
    @app.before_request
    def refuse_control_characters():
        if refused(request.path, request.args, request.form, request.files):
            raise ControlCharacters()


def safe_next(target: str | None, fallback: str | None = None) -> str:
    """Only a path on this site, so a ``next`` parameter cannot be used as an open redirect.

    Browsers drop tabs and line breaks from a ``Location`` (and werkzeug refuses line breaks in
    a header), so ``/\t/evil.com`` would leave as ``//evil.com``: the target is judged, and
    returned, without its control characters. A backslash counts as a slash to browsers.
    """
    cleaned = CONTROL_CHARACTERS.sub("", target or "")
    parts = urlsplit(cleaned)
    if (cleaned.startswith("/") and not cleaned.startswith("//") and "\\" not in cleaned
            and not parts.scheme and not parts.netloc):
        return cleaned
    return fallback or url_for("core.index")
