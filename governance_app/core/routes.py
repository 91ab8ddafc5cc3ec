from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .forms import LanguageForm
from .i18n import LANGUAGE_COOKIE
from ..estates import services as estate_services

bp = Blueprint("core", __name__)

ONE_YEAR = 365 * 24 * 3600


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the switch cannot be used as an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("core.index")


@bp.get("/")
def index():
    return render_template("core/index.html", estates=estate_services.list_estates(),
                           estate_pages="estates.overview" in current_app.view_functions)


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        flash(_("That language is not available."), "error")
        return redirect(_safe_next(form.next.data))
    response = redirect(_safe_next(form.next.data))
    response.set_cookie(
        LANGUAGE_COOKIE, form.language.data, max_age=ONE_YEAR, samesite="Lax", httponly=True,
        secure=request.is_secure,
    )
    return response
