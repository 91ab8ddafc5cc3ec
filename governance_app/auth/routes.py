"""Sign-in, activation, the second factor, the account page."""
from __future__ import annotations

import time

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup

from ..core.metrics import SIGN_IN_FAILURES
from ..core.inputs import safe_next
from ..core.templating import local_datetime
from ..estates.services import list_estates
from ..extensions import db, limiter
from . import services
from .forms import (
    AccountForm, ActivationForm, ChangePasswordForm, ConfirmForm, EnrolForm, LoginForm, NewPasswordForm, ResetCodeForm,
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
        SIGN_IN_FAILURES.labels("password").inc()
        if user is not None:
            services.record("user.password_failed", object_type="user", object_id=user.id, actor=user,
                            estate_id=user.owner.estate_id if user.owner else None)
            db.session.commit()
        flash(auth_error_message(services.AuthError("login_failed")), "error")
    return render_template("auth/login.html", form=form), 200 if not form.is_submitted() else 400


@bp.route("/login/verify", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def verify():
    user = _pending_user("login")
    if user is None:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        try:
            kind = services.verify_second_factor(user, form.code.data)
        except services.AuthError as error:
            db.session.commit()
            flash(auth_error_message(error), "error")
        else:
            target = _complete_sign_in(user)
            db.session.commit()
            if kind == "recovery":
                flash(_("You signed in with a recovery code. %(left)d codes are left.",
                        left=services.unused_recovery_codes(user)), "info")
            return redirect(target)
    return render_template("auth/verify.html", form=form), 200 if not form.is_submitted() else 400


@bp.route("/account/authenticator", methods=["GET", "POST"])
def enrol():
    """Mandatory TOTP enrolment after activation, after a staff-assisted reset, or at first sign-in.

    After a staff account's reset code the holder is not signed in: the code lets them choose a
    password and an authenticator, nothing else; they then sign in with both."""
    user = _pending_user("enrol", "reset")
    if user is None or user.totp_enrolled:  # a replayed cookie must not replace a working authenticator
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    secret = services.pending_totp_secret(user)
    if secret is None:
        secret = services.start_totp_enrolment(user)
        db.session.commit()
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = services.confirm_totp(user, form.code.data)
        except services.AuthError as error:
            db.session.commit()
            flash(auth_error_message(error), "error")
        else:
            if session["pending"]["purpose"] == "reset":
                session.clear()
                db.session.commit()
                return render_template("auth/recovery_codes.html", codes=codes, first_time=True, sign_in=True)
            _complete_sign_in(user)
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes, first_time=True)
    uri = services.Totp(secret).provisioning_uri(user.login, current_app.config["TOTP_ISSUER"])
    qr_svg = Markup(segno.make(uri, error="m").svg_inline(scale=5, title=_("QR code for your authenticator app"),
                                                          dark="#000", light="#fff"))
    spaced = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("auth/enrol.html", form=form, qr_svg=qr_svg, secret=spaced), \
        200 if not form.is_submitted() else 400


@bp.route("/activate", methods=["GET", "POST"])
@limiter.limit(ACTIVATION_LIMIT, methods=["POST"])
def activate():
    form = ActivationForm()
    if form.validate_on_submit():
        try:
            code = services.check_activation(form.unit.data, form.code.data, form.id_last4.data)
        except services.AuthError as error:
            flash(auth_error_message(error), "error")
        else:
            session.clear()
            session["activation"] = {"id": code.id, "at": time.time()}
            return redirect(url_for("auth.activate_account"))
    return render_template("auth/activate.html", form=form), 200 if not form.is_submitted() else 400


@bp.route("/activate/account", methods=["GET", "POST"])
@limiter.limit(ACTIVATION_LIMIT, methods=["POST"])
def activate_account():
    pending = session.get("activation")
    code = db.session.get(ActivationCode, pending["id"]) if pending and \
        time.time() - pending["at"] <= PENDING_SECONDS else None
    if code is None or code.used_at is not None:
        flash(_("Please start again with your activation letter."), "info")
        return redirect(url_for("auth.activate"))
    if code.user_id is not None:
        return _reactivate(code)
    form = AccountForm()
    if form.validate_on_submit():
        try:
            user = services.activate_owner(code, form.login.data, form.password.data, code.owner.name)
        except services.AuthError as error:
            db.session.rollback()
            flash(auth_error_message(error), "error")
        else:
            _set_pending(user, "enrol", None)
            db.session.commit()
            return redirect(url_for("auth.enrol"))
    return render_template("auth/activate_account.html", form=form, owner=code.owner), \
        200 if not form.is_submitted() else 400


def _reactivate(code: ActivationCode):
    """A letter issued by a reset: the owner keeps their login and chooses a new password."""
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reactivate_owner(code, form.password.data)
        except services.AuthError as error:
            db.session.rollback()
            flash(auth_error_message(error), "error")
        else:
            _set_pending(user, "enrol", None)
            db.session.commit()
            return redirect(url_for("auth.enrol"))
    user = db.session.get(User, code.user_id)
    return render_template("auth/reactivate.html", form=form, owner=code.owner, login=user.login), \
        200 if not form.is_submitted() else 400


@bp.route("/account/reset", methods=["GET", "POST"])
@limiter.limit(ACTIVATION_LIMIT, methods=["POST"])
def reset_code():
    """A staff account's one-time reset code, handed over in person after a reset."""
    form = ResetCodeForm()
    if form.validate_on_submit():
        try:
            found = services.check_reset_code(form.login.data, form.code.data)
        except services.AuthError as error:
            flash(auth_error_message(error), "error")
        else:
            session.clear()
            session["reset"] = {"id": found.id, "at": time.time()}
            return redirect(url_for("auth.reset_password"))
    return render_template("auth/reset_code.html", form=form), 200 if not form.is_submitted() else 400


@bp.route("/account/reset/password", methods=["GET", "POST"])
@limiter.limit(ACTIVATION_LIMIT, methods=["POST"])
def reset_password():
    pending = session.get("reset")
    found = db.session.get(AccountReset, pending["id"]) if pending and \
        time.time() - pending["at"] <= PENDING_SECONDS else None
    if found is None or found.used_at is not None:
        flash(_("Please start again with your reset code."), "info")
        return redirect(url_for("auth.reset_code"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.complete_staff_reset(found, form.password.data)
        except services.AuthError as error:
            db.session.rollback()
            flash(auth_error_message(error), "error")
        else:
            _set_pending(user, "reset", None)
            db.session.commit()
            return redirect(url_for("auth.enrol"))
    return render_template("auth/reset_password.html", form=form, login=found.user.login), \
        200 if not form.is_submitted() else 400


@bp.post("/logout")
@login_required
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        services.end_session(current_user.current_session)
        services.record("user.signed_out", object_type="user", object_id=current_user.id)
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("You are signed out."), "info")
    return redirect(url_for("core.index"))


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere():
    form = ConfirmForm()
    if form.validate_on_submit():
        count = services.end_all_sessions(current_user)
        services.record("user.signed_out_everywhere", object_type="user", object_id=current_user.id,
                        details={"sessions": count})
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("You are signed out on every device."), "info")
    return redirect(url_for("core.index"))


@bp.get("/account")
@login_required
def account():
    estates = [estate for estate in list_estates() if can(current_user, "estate.view", estate)]
    supervises = any(can(current_user, "funds.supervise", estate) for estate in list_estates())
    return render_template("auth/account.html", user=current_user, confirm_form=ConfirmForm(), my_estates=estates,
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
            db.session.commit()
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form), 200 if not form.is_submitted() else 400


@bp.post("/account/recovery-codes")
@login_required
@fresh_second_factor(may=None)  # one's own account
def regenerate_recovery_codes():
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("auth.account"))
    codes = services.regenerate_recovery_codes(current_user)
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes, first_time=False)
