from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from . import clock, display, home
from .duties import Duty
from .forms import DisplayForm, LanguageForm
from .i18n import LANGUAGE_COOKIE
from .inputs import safe_next
from ..auth import preferences
from ..auth.permissions import visible_estates
from ..estates.models import Estate
from ..extensions import db

bp = Blueprint("core", __name__)

ONE_YEAR = 365 * 24 * 3600


# Actions whose estates are the committee's and the staff's for the duties on the home page.
COMMITTEE_ACTION = "vote.manage"
STAFF_ACTION = "funds.supervise"


def _estate_ids(user, action: str) -> list[int]:
    return list(db.session.scalars(visible_estates(user, action).with_only_columns(Estate.id)))


def _duty_item(duty: Duty) -> home.Waiting:
    return home.Waiting(title=duty.title, link=duty.link, action=_("Open"), kind=duty.kind, due=duty.due,
                        rule=duty.rule)


@bp.get("/")
def index():
    """For a signed-in person, what waits for them, most urgent first (``core.home``); the
    estates they may open below. For a visitor, how to sign in or activate."""
    if not current_user.is_authenticated:
        return render_template("core/index.html", estates=[], waiting=[])
    today = clock.today()
    estates = db.session.scalars(visible_estates(current_user, "estate.view").order_by(Estate.name)).all()
    # Supervisors, auditors and community staff have the sub-district's dashboard (issue 17).
    supervises = db.session.scalar(visible_estates(current_user, "supervision.dashboard").limit(1)) is not None
    return render_template("core/index.html", estates=estates, today=today, supervises=supervises,
                           waiting=home.gather(current_user, today, _duty_item,
                                               _estate_ids(current_user, COMMITTEE_ACTION),
                                               _estate_ids(current_user, STAFF_ACTION)))


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        flash(_("That language is not available."), "error")
        return redirect(safe_next(form.next.data))
    # From a page drawn for a POST: 307 has the browser send that POST again, with what was typed
    # (the switch carried it), to be drawn in the new language (display.carried_fields).
    target = safe_next(form.next.data)
    replay = request.form.get("replay") == "1" and target == form.next.data
    response = redirect(target, code=307 if replay else 302)
    response.set_cookie(
        LANGUAGE_COOKIE, form.language.data, max_age=ONE_YEAR, samesite="Lax", httponly=True,
        secure=request.is_secure,
    )
    return response


@bp.post("/display")
def set_display():
    """The 长辈版 switch at the top of every page and on the account page: for the account when
    signed in, and for the device always (the precedence: core/display.py). Back to the page."""
    form = DisplayForm()
    if not form.validate_on_submit():
        flash(_("That display is not available."), "error")
        return redirect(safe_next(form.next.data))
    elder = form.mode.data == display.ELDER
    if current_user.is_authenticated:
        preferences.set_elder_mode(current_user, elder)
        db.session.commit()
    return display.remember_on_device(redirect(safe_next(form.next.data)), elder)
