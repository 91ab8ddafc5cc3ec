"""The audit page for supervisors, auditors and platform administrators."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import and_, func, or_, select
from wtforms.fields.choices import SelectChoice

from ..auth.models import User
from ..auth.services import RESET_ACTIONS
from ..auth.permissions import can
from ..core import clock
from ..estates.services import list_estates
from ..extensions import db
from .forms import AuditFilterForm
from ..audit.messages import action_phrase, object_noun
from ..audit.models import AuditEvent

bp = Blueprint("audit", __name__)
PAGE_SIZE = 50


@bp.get("/audit")
@login_required
def events():
    if not can(current_user, "audit.view"):
        abort(404)
    estates = [e for e in list_estates() if can(current_user, "estate.view_audit", e)]
    platform = can(current_user, "platform.view_audit")
    form = _filter_form(estates, platform)
    valid = form.validate()
    query = select(AuditEvent).where(_in_reach(estates, platform))
    if valid:
        query = _filtered(query, form)
    page = (form.page.data or 1) if valid else 1
    rows, total = _one_page(query, page)
    names = {e.id: e.name for e in estates}
    return render_template("audit/events.html", form=form, events=rows, page=page, total=total,
                           pages=max(1, -(-total // PAGE_SIZE)), estate_names=names, action_phrase=action_phrase,
                           object_noun=object_noun, read_codes=can(current_user, "audit.read_codes"))


def _filter_form(estates, platform: bool) -> AuditFilterForm:
    """The filters, read from the query string; the estates offered are those the user may audit."""
    form = AuditFilterForm(request.args)
    form.estate.choices = [SelectChoice("", "—")] + [SelectChoice(str(e.id), e.name) for e in estates]
    if platform:
        form.estate.choices.insert(1, SelectChoice("platform", _("Platform-wide events")))
    return form


def _in_reach(estates, platform: bool):
    """The events the user may read: their estates', and the platform's (all of them for a
    platform administrator, the resets of staff in reach for a supervisor)."""
    scope = AuditEvent.estate_id.in_([e.id for e in estates])
    if platform:
        return or_(scope, AuditEvent.estate_id.is_(None))
    return or_(scope, _resets_of_staff_in_reach())


def _one_page(query, page: int):
    """The events of ``page``, newest first, and how many there are in all."""
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                              .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return rows, total


def _resets_of_staff_in_reach():
    """Supervisors see every reset in their reach: an owner's is in its estate's chain, a staff
    account's in the platform's, shown to the supervisors who may manage that account."""
    staff = db.session.scalars(select(User).where(User.owner_id.is_(None))).all()
    reach = [str(user.id) for user in staff if can(current_user, "user.manage", user)]
    return and_(AuditEvent.estate_id.is_(None), AuditEvent.action.in_(RESET_ACTIONS),
                AuditEvent.object_type == "user", AuditEvent.object_id.in_(reach))


def _filtered(query, form: AuditFilterForm):
    zone = clock.zone()
    if form.estate.data == "platform":
        query = query.where(AuditEvent.estate_id.is_(None))
    elif form.estate.data:
        query = query.where(AuditEvent.estate_id == int(form.estate.data))
    if form.actor.data:
        actor_ids = select(User.id).where(User.login == form.actor.data.strip().lower())
        query = query.where(AuditEvent.actor_id.in_(actor_ids))
    if form.action.data:
        query = query.where(AuditEvent.action.startswith(form.action.data.strip(), autoescape=True))
    # Bounds in UTC, like the stored times: SQLite keeps no offset and would compare wall clocks.
    if form.since.data:
        start = dt.datetime.combine(form.since.data, dt.time(), zone).astimezone(dt.timezone.utc)
        query = query.where(AuditEvent.at >= start)
    if form.until.data:
        end = dt.datetime.combine(form.until.data + dt.timedelta(days=1), dt.time(), zone)
        query = query.where(AuditEvent.at < end.astimezone(dt.timezone.utc))
    return query
