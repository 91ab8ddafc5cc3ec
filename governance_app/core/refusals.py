"""One shape for a domain refusal and one way to show it.

A service refuses an illegal move by raising a :class:`Refusal` (each package's own error class
derives from it): ``reason`` selects the message, ``details`` fill it. Each package registers the
messages of its class once with :func:`register_messages`. A route may let a refusal escape: the
handler installed by :func:`register` rolls the request's transaction back, so nothing of the
refused action is kept, flashes the reason in the reader's language and returns to the page the
form was on, or to the page the route named with :func:`returning_to`. A route that wants a
different answer catches the refusal itself.

So a form's handler has one shape (R-ids in the services, not here)::

    back = returning_to(url_for(".meeting", estate_id=estate.id, meeting_id=meeting.id))
    form = filled(AttendanceForm(), _("Enter the day it was held."))  # else refused: back
    services.record_attendance(meeting, ...)          # may raise a Refusal: nothing is kept
    return done(_("Attendance recorded."), back)
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from flask import Flask, Response, flash, g, redirect, request

from ..extensions import db
from .inputs import safe_next

log = logging.getLogger("governance_app.refusals")


class Refusal(Exception):
    """An illegal move; ``reason`` selects the message, ``details`` fill it."""

    def __init__(self, reason: str, **details):
        super().__init__(reason)
        self.reason = reason
        self.details = details


_messages: dict[type, Callable[[Refusal], str]] = {}


def register_messages(kind: type[Refusal], reasons: Mapping[str, object] | Callable[[Refusal], str],
                      fallback=None) -> None:
    """Teach the platform how to say ``kind``'s refusals: a mapping of reason to a lazy
    translatable string with ``%(name)s`` placeholders for ``details``, or a function."""
    if callable(reasons):
        _messages[kind] = reasons
        return

    def say(error: Refusal) -> str:
        template = reasons.get(error.reason, fallback)
        if template is None:
            return error.reason
        try:
            return str(template) % error.details if error.details else str(template)
        except (KeyError, TypeError, ValueError):
            return str(template)

    _messages[kind] = say


def message(error: Refusal) -> str:
    """The refusal in the reader's language (the most specific registered class wins)."""
    for kind in type(error).__mro__:
        if kind in _messages:
            return _messages[kind](error)
    return error.reason


def returning_to(url: str) -> str:
    """Name the page a refusal of this request returns to (instead of the referring page);
    returns ``url`` so the route can use it for its other answers too."""
    g.refused_to = url
    return url


def done(message: str | None, to: str) -> Response:
    """The request's work is complete: commit it, say so (when there is something to say) and go
    on to ``to``."""
    db.session.commit()
    if message:
        flash(message, "success")
    return redirect(to)


def attempted(act: Callable[[], object], refusal: type[Refusal] = Refusal):
    """For a page that shows its form again with what was typed: what ``act()`` made; None when
    it is refused (rolled back and said in the reader's language)."""
    try:
        return act()
    except refusal as error:
        db.session.rollback()
        flash(message(error), "error")
        return None


def saved(form, act: Callable[[], object], refusal: type[Refusal] = Refusal):
    """:func:`attempted` once ``form`` is sent and valid; None when it is not, or when there is no
    form (a page whose form only some readers get)."""
    if form is None or not form.validate_on_submit():
        return None
    return attempted(act, refusal)


class Unfilled(Refusal):
    """A form not filled in as it must be; ``said`` is what is missing, in the reader's language."""

    def __init__(self, said: str):
        super().__init__("unfilled", said=said)


register_messages(Unfilled, lambda error: error.details["said"])


def filled(form, message: str):
    """``form`` once it is valid; otherwise the request is refused with ``message`` like any
    refusal: nothing is kept, and the reader returns to the page :func:`returning_to` named (or
    the form's page)."""
    if not form.validate_on_submit():
        raise Unfilled(message)
    return form


def invalid(message: str, to: str) -> Response:
    """The form was not filled in as it must be: say what is missing and go back (the request
    wrote nothing, and its session is discarded uncommitted)."""
    flash(message, "error")
    return redirect(to)


def back_to_form() -> str:
    """The page the refused form was on: the referring page of this site, else this path."""
    return safe_next(request.referrer and _same_site_path(request.referrer), request.path)


def _same_site_path(referrer: str) -> str | None:
    from urllib.parse import urlsplit

    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def register(app: Flask) -> None:
    @app.errorhandler(Refusal)
    def refused(error: Refusal):
        db.session.rollback()
        log.info("refused", extra={"fields": {"reason": error.reason, "kind": type(error).__name__}})
        flash(message(error), "error")
        named = g.pop("refused_to", None)
        if named is not None:
            return redirect(named)
        if request.method in ("GET", "HEAD"):
            return redirect(request.path if request.referrer is None else back_to_form())
        return redirect(back_to_form(), code=303)
