"""Identity refusals in the reader's language."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..estates.models import Community, Estate, SubDistrict
from ..extensions import db
from ..core import clock
from ..core.refusals import register_messages
from .models import Role, ScopeKind
from .services import AuthError

REASONS = {
    "login_failed": _l("The login or the password is wrong."),
    "wrong_code": _l("That code is wrong or has already been used. Wait for the next code and try again."),
    "no_enrolment": _l("Start the authenticator set-up again."),
    "login_taken": _l("This login is already in use. If it is yours, sign in instead."),
    "password_too_short": _l("The password must have at least 8 characters."),
    "password_too_long": _l("The password may have at most 128 characters."),
    "password_too_common": _l("This password is too easy to guess. Choose another one."),
    "password_same_as_login": _l("The password must not be your login."),
    "wrong_password": _l("The current password is wrong."),
    "activation_mismatch": _l("These details do not match an activation letter. Check the unit, the code and the last 4 characters, and try again."),
    "activation_used": _l("This activation code has already been used. If you did not use it, ask your committee for a new letter."),
    "activation_expired": _l("This activation code no longer works (expired, replaced or tried too often). Ask your committee for a new letter."),
    "bad_scope": _l("That scope does not exist."),
    "reset_not_on_roll": _l("This owner is not on the estate's current roll, so no letter can be issued. Bring the roll up to date first; nothing was changed."),
    "reset_mismatch": _l("This login and reset code do not match. Check them and try again."),
    "reset_expired": _l("This reset code no longer works (used, expired, replaced or tried too often). Ask for a new reset in person."),
}


def auth_error_message(error) -> str:
    if error.reason == "locked":
        local = clock.aware(error.details["until"]).astimezone(clock.zone())
        return _("Too many wrong codes. Try again at %(time)s.", time=local.strftime("%H:%M"))
    return str(REASONS.get(error.reason, error.reason))


register_messages(AuthError, auth_error_message)


ROLE_TITLES = {
    Role.OWNER: _l("Owner"),
    Role.PROXY: _l("Proxy"),
    Role.COMMITTEE_MEMBER: _l("Committee member"),
    Role.COMMITTEE_CHAIR: _l("Committee chair"),
    Role.COMMUNITY_STAFF: _l("Residents' committee staff"),
    Role.SUBDISTRICT_SUPERVISOR: _l("Sub-district supervisor"),
    Role.AUDITOR: _l("Auditor"),
    Role.PLATFORM_ADMIN: _l("Platform administrator"),
}
GRANTABLE = [role for role in Role if role != Role.OWNER]


def role_title(role) -> str:
    return str(ROLE_TITLES.get(Role(role), role))


def scope_title(kind: ScopeKind, scope_id: int | None) -> str:
    if kind == ScopeKind.PLATFORM:
        return _("the whole platform")
    model = {ScopeKind.ESTATE: Estate, ScopeKind.COMMUNITY: Community, ScopeKind.SUB_DISTRICT: SubDistrict}[kind]
    found = db.session.get(model, scope_id)
    return found.name if found else "?"
