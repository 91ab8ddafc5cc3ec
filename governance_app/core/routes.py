from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .forms import LanguageForm
from .i18n import LANGUAGE_COOKIE
from ..auth.permissions import can
from ..estates import services as estate_services

bp = Blueprint("core", __name__)

ONE_YEAR = 365 * 24 * 3600


def safe_next(target: str | None, fallback: str | None = None) -> str:
    """Only same-site paths, so a ``next`` parameter cannot be used as an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback or url_for("core.index")


@bp.get("/")
def index():
    estates = [e for e in estate_services.list_estates() if can(current_user, "estate.view", e)] \
        if current_user.is_authenticated else []
    return render_template("core/index.html", estates=estates)


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        flash(_("That language is not available."), "error")
        return redirect(safe_next(form.next.data))
    response = redirect(safe_next(form.next.data))
    response.set_cookie(
        LANGUAGE_COOKIE, form.language.data, max_age=ONE_YEAR, samesite="Lax", httponly=True,
        secure=request.is_secure,
    )
    return response
