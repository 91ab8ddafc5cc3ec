"""Sign-in, activation, the second factor, the account page."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup

from ..core.forms import ActionForm
from ..core.metrics import SIGN_IN_FAILURES
from ..core.inputs import safe_next
from ..core.refusals import done
from ..core.templating import local_datetime
from ..estates.services import list_estates
from ..extensions import db, limiter
from . import services
from .forms import (
    AccountForm, ActivationForm, ChangePasswordForm, EnrolForm, LoginForm, NewPasswordForm, ResetCodeForm,
    SecondFactorForm,
)
from .messages import auth_error_message
from .models import AccountReset, ActivationCode, User
from .permissions import can
from .stepup import fresh_second_factor

bp = Blueprint("auth", __name__)

PENDING_SECONDS = 600
LOGIN_LIMIT = "10 per minute;60 per hour"
ACTIVATION_LIMIT = "10 per minute;50 per hour"
T = TypeVar("T")


def _pending_user(*purposes: str) -> User | None:
    """The half-signed-in user (password, activation or reset code checked, second factor not
    yet), unless the account's password has changed since (a reset ends every such step)."""
    pending = session.get("pending")
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    if purposes and pending["purpose"] not in purposes:
        return None
    user = db.session.get(User, pending["user"])
    if user is None or pending.get("epoch") != services.credential_epoch(user):
        return None
    return user


def _set_pending(user: User, purpose: str, next_url: str | None) -> None:
    session.clear()  # a new session content: nothing from before sign-in survives
    session["pending"] = {"user": user.id, "at": time.time(), "purpose": purpose, "next": next_url,
                          "epoch": services.credential_epoch(user)}


def _complete_sign_in(user: User) -> str:
    """Open a new server-side session and put only its token in a fresh cookie; a person whose
    account was reset since their last sign-in is told, by whom."""
    next_url = (session.get("pending") or {}).get("next")
    session.clear()
    user.current_session = services.open_session(user, request.remote_addr or "",
                                                 request.headers.get("User-Agent", ""))
    login_user(user)
    reset = services.reset_to_tell(user)
    if reset is not None:
        flash(_("Your account was reset on %(time)s by %(name)s. If you did not ask for this, tell your "
                "residents' committee or the sub-district office at once.", time=local_datetime(reset.reset_at),
                name=reset.reset_by.display_name if reset.reset_by else "—"), "error")
    return safe_next(next_url, url_for("core.index"))


def _form_page(template: str, form, **context):
    """The form's page; 400 when it came back refused or incomplete."""
    return render_template(template, form=form, **context), 200 if not form.is_submitted() else 400


def _attempt(step: Callable[[], T], after_refusal: Callable[[], None] | None = None) -> T | None:
    """What ``step`` gives, or None once its refusal is said (the form is shown again).
    ``after_refusal`` keeps what the refused try wrote (a wrong code counts) or drops it; these
    pages answer a refusal with the form, never with a redirect, so they catch it themselves."""
    try:
        return step()
    except services.AuthError as error:
        if after_refusal is not None:
            after_refusal()
        flash(auth_error_message(error), "error")
        return None


def _start_again(message: str, endpoint: str):
    """The step's session is gone, too old or used up: back to its first page."""
    flash(message, "info")
    return redirect(url_for(endpoint))


def _to_enrolment(user: User, purpose: str):
    """The password is chosen: the user is half signed in until their authenticator is set up."""
    _set_pending(user, purpose, None)
    db.session.commit()
    return redirect(url_for("auth.enrol"))


def _next_step(key: str, found, endpoint: str):
    """A letter's or a reset code's details were right: a fresh session remembers which, for a while."""
    session.clear()
    session[key] = {"id": found.id, "at": time.time()}
    return redirect(url_for(endpoint))


def _opened(key: str, model):
    """What the session's step opened (an activation letter, a staff reset), unless used or too old."""
    pending = session.get(key)
    found = db.session.get(model, pending["id"]) if pending and \
        time.time() - pending["at"] <= PENDING_SECONDS else None
    return None if found is None or found.used_at is not None else found


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.find_user(form.login.data)
        if services.check_password(user, form.password.data):
            _set_pending(user, "login" if user.totp_enrolled else "enrol", request.args.get("next"))
            return redirect(url_for("auth.verify" if user.totp_enrolled else "auth.enrol"))
        _password_failed(user)
    return _form_page("auth/login.html", form)


def _password_failed(user: User | None) -> None:
    SIGN_IN_FAILURES.labels("password").inc()
    if user is not None:
        services.record("user.password_failed", object_type="user", object_id=user.id, actor=user,
                        estate_id=user.owner.estate_id if user.owner else None)
        db.session.commit()
    flash(auth_error_message(services.AuthError("login_failed")), "error")


@bp.route("/login/verify", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def verify():
    user = _pending_user("login")
    if user is None:
        return _start_again(_("Please sign in again."), "auth.login")
    form = SecondFactorForm()
    if form.validate_on_submit():
        # A wrong code is kept: it counts (audited) towards the lock.
        kind = _attempt(lambda: services.verify_second_factor(user, form.code.data), db.session.commit)
        if kind is not None:
            return _signed_in(user, kind)
    return _form_page("auth/verify.html", form)


def _signed_in(user: User, kind: str):
    target = _complete_sign_in(user)
    db.session.commit()
    if kind == "recovery":
        flash(_("You signed in with a recovery code. %(left)d codes are left.",
                left=services.unused_recovery_codes(user)), "info")
    return redirect(target)


@bp.route("/account/authenticator", methods=["GET", "POST"])
def enrol():
    """Mandatory TOTP enrolment after activation, after a staff-assisted reset, or at first sign-in.

    After a staff account's reset code the holder is not signed in: the code lets them choose a
    password and an authenticator, nothing else; they then sign in with both."""
    user = _pending_user("enrol", "reset")
    if user is None or user.totp_enrolled:  # a replayed cookie must not replace a working authenticator
        return _start_again(_("Please sign in again."), "auth.login")
    secret = _enrolment_secret(user)
    form = EnrolForm()
    if form.validate_on_submit():
        codes = _attempt(lambda: services.confirm_totp(user, form.code.data), db.session.commit)
        if codes is not None:
            return _enrolled(user, codes)
    return _enrol_page(user, secret, form)


def _enrolment_secret(user: User) -> str:
    secret = services.pending_totp_secret(user)
    if secret is None:
        secret = services.start_totp_enrolment(user)
        db.session.commit()
    return secret


def _enrolled(user: User, codes: list[str]):
    """The authenticator works: show the recovery codes once; after a staff reset, sign in anew."""
    if session["pending"]["purpose"] == "reset":
        session.clear()
        db.session.commit()
        return render_template("auth/recovery_codes.html", codes=codes, first_time=True, sign_in=True)
    _complete_sign_in(user)
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes, first_time=True)


def _enrol_page(user: User, secret: str, form: EnrolForm):
    uri = services.Totp(secret).provisioning_uri(user.login, current_app.config["TOTP_ISSUER"])
    qr_svg = Markup(segno.make(uri, error="m").svg_inline(scale=5, title=_("QR code for your authenticator app"),
                                                          dark="#000", light="#fff"))
    spaced = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return _form_page("auth/enrol.html", form, qr_svg=qr_svg, secret=spaced)


@bp.route("/activate", methods=["GET", "POST"])
@limiter.limit(ACTIVATION_LIMIT, methods=["POST"])
def activate():
    form = ActivationForm()
    if form.validate_on_submit():
        code = _attempt(lambda: services.check_activation(form.unit.data, form.code.data, form.id_last4.data))
        if code is not None:
            return _next_step("activation", code, "auth.activate_account")
    return _form_page("auth/activate.html", form)


@bp.route("/activate/account", methods=["GET", "POST"])
@limiter.limit(ACTIVATION_LIMIT, methods=["POST"])
def activate_account():
    code = _opened("activation", ActivationCode)
    if code is None:
        return _start_again(_("Please start again with your activation letter."), "auth.activate")
    if code.user_id is not None:
        return _reactivate(code)
    form = AccountForm()
    if form.validate_on_submit():
        user = _attempt(lambda: services.activate_owner(code, form.login.data, form.password.data, code.owner.name),
                        db.session.rollback)
        if user is not None:
            return _to_enrolment(user, "enrol")
    return _form_page("auth/activate_account.html", form, owner=code.owner)


def _reactivate(code: ActivationCode):
    """A letter issued by a reset: the owner keeps their login and chooses a new password."""
    form = NewPasswordForm()
    if form.validate_on_submit():
        user = _attempt(lambda: services.reactivate_owner(code, form.password.data), db.session.rollback)
        if user is not None:
            return _to_enrolment(user, "enrol")
    user = db.session.get(User, code.user_id)
    return _form_page("auth/reactivate.html", form, owner=code.owner, login=user.login)


@bp.route("/account/reset", methods=["GET", "POST"])
@limiter.limit(ACTIVATION_LIMIT, methods=["POST"])
def reset_code():
    """A staff account's one-time reset code, handed over in person after a reset."""
    form = ResetCodeForm()
    if form.validate_on_submit():
        found = _attempt(lambda: services.check_reset_code(form.login.data, form.code.data))
        if found is not None:
            return _next_step("reset", found, "auth.reset_password")
    return _form_page("auth/reset_code.html", form)


@bp.route("/account/reset/password", methods=["GET", "POST"])
@limiter.limit(ACTIVATION_LIMIT, methods=["POST"])
def reset_password():
    found = _opened("reset", AccountReset)
    if found is None:
        return _start_again(_("Please start again with your reset code."), "auth.reset_code")
    form = NewPasswordForm()
    if form.validate_on_submit():
        user = _attempt(lambda: services.complete_staff_reset(found, form.password.data), db.session.rollback)
        if user is not None:
            return _to_enrolment(user, "reset")
    return _form_page("auth/reset_password.html", form, login=found.user.login)


def _signed_out(message: str):
    db.session.commit()
    logout_user()
    session.clear()
    flash(message, "info")


@bp.post("/logout")
@login_required
def logout():
    services.end_session(current_user.current_session)
    services.record("user.signed_out", object_type="user", object_id=current_user.id)
    _signed_out(_("You are signed out."))
    return redirect(url_for("core.index"))


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere():
    count = services.end_all_sessions(current_user)
    services.record("user.signed_out_everywhere", object_type="user", object_id=current_user.id,
                    details={"sessions": count})
    _signed_out(_("You are signed out on every device."))
    return redirect(url_for("core.index"))


@bp.get("/account")
@login_required
def account():
    estates = [estate for estate in list_estates() if can(current_user, "estate.view", estate)]
    supervises = any(can(current_user, "funds.supervise", estate) for estate in list_estates())
    return render_template("auth/account.html", user=current_user, confirm_form=ActionForm(), my_estates=estates,
                           supervises_funds=supervises,
                           recovery_left=services.unused_recovery_codes(current_user),
                           last_reset=services.last_reset(current_user))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data,
                                     keep=current_user.current_session)
        except services.AuthError as error:
            flash(auth_error_message(error), "error")
        else:
            return done(_("Your password has been changed."), url_for("auth.account"))
    return _form_page("auth/change_password.html", form)


@bp.post("/account/recovery-codes")
@login_required
@fresh_second_factor(may=None)  # one's own account
def regenerate_recovery_codes():
    codes = services.regenerate_recovery_codes(current_user)
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes, first_time=False)
