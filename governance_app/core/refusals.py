"""One shape for a domain refusal and one way to show it.

A service refuses an illegal move by raising a :class:`Refusal` (each package's own error class
derives from it): ``reason`` selects the message, ``details`` fill it. Each package registers the
messages of its class once with :func:`register_messages`. A route may let a refusal escape: the
handler installed by :func:`register` rolls the request's transaction back, so nothing of the
refused action is kept, flashes the reason in the reader's language and returns to the page the
form was on. A route that wants a different answer catches the refusal itself.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from flask import Flask, flash, redirect, request

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
        if request.method in ("GET", "HEAD"):
            return redirect(request.path if request.referrer is None else back_to_form())
        return redirect(back_to_form(), code=303)
