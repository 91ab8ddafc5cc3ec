"""Staff pages: accounts and roles, owner activation letters."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..auth import services, tasks
from ..auth.forms import CreateUserForm, GrantForm, LettersForm
from ..auth.messages import GRANTABLE, auth_error_message, role_title, scope_title
from ..auth.models import ActivationCode, Role, RoleGrant, ScopeKind, User
from ..auth.permissions import (
    SUPERVISOR_GRANTABLE, can, can_grant, child_or_404, is_platform_admin, load_or_404, supervised_sub_districts,
)
from ..auth.stepup import fresh_second_factor
from ..core.forms import ActionForm
from ..core.refusals import done, returning_to
from ..core.site import site_url
from ..estates.models import Estate, SubDistrict
from ..extensions import db
from ..jobs import services as jobs

bp = Blueprint("admin", __name__)

def _scope_choices() -> list[SelectChoice]:
    """The scopes the current user may grant over: all for platform admins, their sub-district otherwise."""
    platform = is_platform_admin(current_user)
    mine = supervised_sub_districts(current_user)
    choices = [SelectChoice("platform", _("the whole platform"))] if platform else []
    for sub_district in db.session.scalars(select(SubDistrict).order_by(SubDistrict.name)):
        if not platform and sub_district.id not in mine:
            continue
        choices.append(SelectChoice(f"sub_district:{sub_district.id}", sub_district.name))
        for community in sub_district.communities:
            choices.append(SelectChoice(f"community:{community.id}", f"{sub_district.name} / {community.name}"))
            for estate in community.estates:
                choices.append(SelectChoice(f"estate:{estate.id}",
                                            f"{sub_district.name} / {community.name} / {estate.name}"))
    return choices


def _role_choices() -> list[SelectChoice]:
    platform = is_platform_admin(current_user)
    return [SelectChoice(role.value, role_title(role)) for role in GRANTABLE
            if platform or role in SUPERVISOR_GRANTABLE]


def _parse_scope(value: str) -> tuple[ScopeKind, int | None]:
    if value == "platform":
        return ScopeKind.PLATFORM, None
    kind, _sep, number = value.partition(":")
    return ScopeKind(kind), int(number)


def _with_choices(form):
    form.role.choices = _role_choices()
    form.scope.choices = _scope_choices()
    return form


def _grant_from_form(user: User, form) -> bool:
    role = Role(form.role.data)
    kind, scope_id = _parse_scope(form.scope.data)
    if not can_grant(current_user, role, kind, services.scope_sub_district(kind, scope_id)):
        flash(_("You may not grant that role over that scope."), "error")
        return False
    services.grant_role(user, role, kind, scope_id, actor=current_user)
    return True


def _managed_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not can(current_user, "user.manage", user):
        abort(404)
    return user


@bp.get("/admin/users")
@login_required
def users():
    if not can(current_user, "user.list"):
        abort(404)
    everyone = db.session.scalars(select(User).order_by(User.login)).all()
    visible = [user for user in everyone if user.id == current_user.id or can(current_user, "user.manage", user)]
    return render_template("auth/users.html", users=visible, role_title=role_title, scope_title=scope_title)


def _may_create_users() -> bool:
    return can(current_user, "user.create")


@bp.route("/admin/users/new", methods=["GET", "POST"])
@login_required
@fresh_second_factor(may=_may_create_users)
def new_user():
    if not can(current_user, "user.create"):
        abort(404)
    form = _with_choices(CreateUserForm())
    user = _created_user(form) if form.validate_on_submit() else None
    if user is None:
        return render_template("auth/new_user.html", form=form), 200 if not form.is_submitted() else 400
    return done(_("Account %(login)s created. They set up their authenticator at first sign-in.",
                  login=user.login), url_for(".user", user_id=user.id))


def _created_user(form: CreateUserForm) -> User | None:
    """The account the form asks for, with its first role; None, nothing kept, if either is refused
    (the form is shown again, so a refusal is caught here)."""
    try:
        user = services.create_user(form.login.data, form.display_name.data, form.password.data,
                                    actor=current_user)
        granted = _grant_from_form(user, form)
    except services.AuthError as error:
        db.session.rollback()
        flash(auth_error_message(error), "error")
        return None
    if not granted:
        db.session.rollback()
        return None
    return user


@bp.get("/admin/users/<int:user_id>")
@login_required
def user(user_id: int):
    target = _managed_user_or_404(user_id)
    return render_template("auth/user.html", target=target, grant_form=_with_choices(GrantForm()),
                           confirm_form=ActionForm(), role_title=role_title, scope_title=scope_title,
                           last_reset=services.last_reset(target))


@bp.post("/admin/users/<int:user_id>/grants")
@login_required
@fresh_second_factor(may=_managed_user_or_404)
def grant(user_id: int):
    target = _managed_user_or_404(user_id)
    form = _with_choices(GrantForm())
    if form.validate_on_submit() and _grant_from_form(target, form):
        return done(_("Role granted."), url_for(".user", user_id=target.id))
    if form.errors:
        flash(_("Choose a role and a scope from the lists."), "error")
    return redirect(url_for(".user", user_id=target.id))


def _revocable_grant_or_404(user_id: int, grant_id: int) -> RoleGrant:
    """A live grant of a user this person manages, of a role over a scope they may grant."""
    target = _managed_user_or_404(user_id)
    found = db.session.get(RoleGrant, grant_id)
    if found is None or found.user_id != target.id or found.revoked_at is not None:
        abort(404)
    if not can_grant(current_user, found.role, found.scope_kind,
                     services.scope_sub_district(found.scope_kind, found.scope_id)):
        abort(404)
    return found


@bp.post("/admin/users/<int:user_id>/grants/<int:grant_id>/revoke")
@login_required
@fresh_second_factor(may=_revocable_grant_or_404)
def revoke(user_id: int, grant_id: int):
    found = _revocable_grant_or_404(user_id, grant_id)
    services.revoke_grant(found, actor=current_user)
    return done(_("Role revoked."), url_for(".user", user_id=found.user_id))


@bp.post("/admin/users/<int:user_id>/reset")
@login_required
@fresh_second_factor(may=_managed_user_or_404)
def reset(user_id: int):
    """After the person's identity was checked in person: an owner gets a new activation letter,
    a staff account a one-time reset code; either is shown once, to print or hand over."""
    target = _managed_user_or_404(user_id)
    returning_to(url_for(".user", user_id=target.id))  # where a refused reset returns
    if target.owner is None:
        return _staff_reset(target)
    letter = services.reset_owner_account(target, actor=current_user)
    db.session.commit()
    return _printed_letters(letter.estate, [letter])


def _staff_reset(target: User):
    """A staff account gets a one-time reset code, shown once to hand over."""
    code, expires_at = services.reset_staff_account(target, actor=current_user)
    db.session.commit()
    return render_template("auth/reset_done.html", target=target, code=code, expires_at=expires_at,
                           site_url=site_url())


def _printed_letters(estate: Estate, letters):
    with force_locale("zh_CN"):  # letters go to owners: always in Chinese
        return render_template("auth/letters.html", estate=estate, letters=letters, site_url=site_url())


# --- owner activation letters ------------------------------------------------------------

@bp.get("/estates/<int:estate_id>/activation")
@login_required
def activation(estate_id: int):
    estate = load_or_404(Estate, estate_id, "estate.manage_activation")
    statuses = services.voter_statuses(estate)
    return render_template("auth/activation.html", estate=estate, statuses=statuses, form=LettersForm(),
                           confirm_form=ActionForm(), letter_jobs=jobs.recent(current_user, estate, tasks.LETTERS))


@bp.post("/estates/<int:estate_id>/activation/letters")
@login_required
def letters(estate_id: int):
    estate = load_or_404(Estate, estate_id, "estate.manage_activation")
    form = LettersForm()
    if not form.validate_on_submit():
        return redirect(url_for(".activation", estate_id=estate.id))
    named = [key for key in (form.voters.data or "").split(",") if key]
    reissue = bool(form.reissue.data)
    if form.pdf.data:  # a job issues the codes and draws them; its page shows progress, then the file
        return _letters_job(estate, named, reissue)
    issued = services.issue_letters(estate, named or _without_letters(estate, reissue), actor=current_user)
    db.session.commit()
    if not issued:
        flash(_("Every owner already has an account or an unused letter."), "info")
        return redirect(url_for(".activation", estate_id=estate.id))
    return _printed_letters(estate, issued)


def _letters_job(estate: Estate, named: list[str], reissue: bool):
    return redirect(jobs.launched(tasks.start_letters(estate, named, reissue, current_user)))


def _without_letters(estate: Estate, reissue: bool) -> list[str]:
    """The owners without an account and, unless letters are issued again, without a working letter."""
    return [s.voter.key for s in services.voter_statuses(estate)
            if not s.has_account and (reissue or s.active_code is None)]


@bp.post("/estates/<int:estate_id>/activation/<int:code_id>/revoke")
@login_required
def revoke_letter(estate_id: int, code_id: int):
    estate = load_or_404(Estate, estate_id, "estate.manage_activation")
    code = child_or_404(ActivationCode, code_id, estate)
    if code.used_at is None and code.revoked_at is None:
        services.revoke_activation(code, actor=current_user)
        return done(_("The activation code was revoked."), url_for(".activation", estate_id=estate.id))
    return redirect(url_for(".activation", estate_id=estate.id))
