"""长辈版, the elder display: larger text, high contrast, one column, large tap targets and
a menu of what an owner needs (following the MIIT ageing-friendly design rules of 2021).

Every page gets it from ``base.html`` (a class on ``<html>``, the menu) and ``site.css``; a
page does nothing to have it.

Where the choice is kept, and which one wins:

- On the device, before sign-in: the cookie ``display`` holds ``elder`` or ``standard`` and
  nothing else (no identifier: it cannot follow anybody), for a year, SameSite=Lax.
- On the account: ``User.elder_mode``, None until the person first chooses.
- Signed in, the account's choice decides. At sign-in an account with no choice of its own
  takes the device's (switched on at the sign-in page, it stays on); an account with a choice
  sets the device to it, so that signing out leaves the page as the person had it.
- Switching while signed in changes both the account and the device.
"""
from __future__ import annotations

import re

from flask import Flask, after_this_request, has_request_context, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, user_logged_in
from werkzeug.exceptions import HTTPException

from ..auth import preferences
from ..auth.permissions import can
from ..estates.services import get_estate
from .forms import ELDER, STANDARD

DISPLAY_COOKIE = "display"
ONE_YEAR = 365 * 24 * 3600


def device_choice() -> bool | None:
    """The display chosen on this device: True for 长辈版, False for the standard one, None if none."""
    value = request.cookies.get(DISPLAY_COOKIE)
    return {ELDER: True, STANDARD: False}.get(value)


def elder_mode() -> bool:
    """Whether this response is drawn in 长辈版 (the account's choice first, then the device's)."""
    if not has_request_context():  # documents drawn outside a request have one display
        return False
    if current_user.is_authenticated and current_user.elder_mode is not None:
        return current_user.elder_mode
    return bool(device_choice())


def remember_on_device(response, elder: bool):
    response.set_cookie(DISPLAY_COOKIE, ELDER if elder else STANDARD, max_age=ONE_YEAR, samesite="Lax",
                        httponly=True, secure=request.is_secure)
    return response


# Never sent again by the language switch: the switch's own fields, and anything secret (a page
# drawn again after a refusal must not carry a password or a code into its HTML).
NOT_CARRIED = re.compile(r"csrf_token|^language$|^next$|^replay$|password|code|secret|totp|recovery", re.IGNORECASE)


def carried_fields() -> list[tuple[str, str]]:
    """What the form behind a page drawn for a POST was sent (a refused form shown again, a
    preview): the language switch sends it again to the same address, so that the page comes back
    in the other language with what was typed, instead of a GET of a POST-only address (405)."""
    if request.method != "POST":
        return []
    try:
        form = request.form
    except HTTPException:  # the error page of a body refused as it was read (413): nothing to carry
        return []
    return [(key, value) for key, value in form.items(multi=True) if not NOT_CARRIED.search(key)]


def here() -> str:
    """Where a switch (display or language) brings the reader back: this page, when it can be
    fetched again; a page drawn for a POST only (its result) cannot, so the home page."""
    rule = request.url_rule
    if request.method == "GET" or (rule is not None and "GET" in (rule.methods or ())):
        return request.full_path if request.query_string else request.path
    return url_for("core.index")


ELDER_MENU = (
    ("voting.votes", "vote.view", _l("My votes")),
    ("disclosure.notices", "disclosure.view", _l("Notices")),
    ("funds.overview", "funds.view", _l("The estate’s accounts")),
)


def elder_menu() -> list[tuple[str, str]]:
    """The menu of 长辈版: an owner's votes, the notices and accounts of their estate, then their
    account. Staff, who have no estate of their own, get their account (every page of theirs
    is reached from it, as in the standard display)."""
    items = []
    owner = current_user.owner if current_user.is_authenticated else None
    estate = get_estate(owner.estate_id) if owner is not None else None
    if estate is not None:
        items = [(str(title), url_for(endpoint, estate_id=estate.id))
                 for endpoint, action, title in ELDER_MENU if can(current_user, action, estate)]
    return items + [(str(_l("My account")), url_for("auth.account"))]


def _take_device_choice_at_sign_in(sender, user, **extra) -> None:
    """Flask-Login's ``user_logged_in``: the precedence of the module's docstring."""
    chosen = preferences.take_device_choice(user, device_choice())
    if chosen is not None and chosen != device_choice():
        after_this_request(lambda response: remember_on_device(response, chosen))


def register(app: Flask) -> None:
    user_logged_in.connect(_take_device_choice_at_sign_in, app)
    app.add_template_global(here)
    app.add_template_global(carried_fields)
    app.add_template_global(elder_menu)

    @app.context_processor
    def display_context():
        return {"elder_mode": elder_mode()}

