"""Flask-Login wiring: the cookie holds a session token; the database decides if it still lives."""
from __future__ import annotations

from flask import Flask, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import login_manager
from . import services


def _load_user(token: str):
    session = services.load_session(token)
    if session is None:
        g.session_ended = True
        return None
    user = session.user
    if not user.is_active or not user.totp_enrolled:
        return None
    user.current_session = session
    return user


def _unauthorized():
    if request.method == "GET" and not request.path.startswith("/static/"):
        target = request.full_path if request.query_string else request.path
    else:
        target = None
    if g.get("session_ended"):
        flash(_("You were signed out after a time without activity. Please sign in again."), "info")
    else:
        flash(_("Please sign in to see this page."), "info")
    return redirect(url_for("auth.login", next=target))


def register(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    login_manager.session_protection = None  # sessions are server-side rows; see services.load_session

    @app.context_processor
    def session_context():
        idle = app.config["IDLE_TIMEOUT_MINUTES"]
        return {"idle_timeout_minutes": idle, "signed_in": current_user.is_authenticated}
