"""Notices, estate documents, the committee and its meetings."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ..auth.permissions import can
from ..core import clock
from ..documents import services as printed
from ..documents.responses import pdf_response
from ..core.clock import end_of_local_day
from ..estates.services import get_estate
from ..extensions import db
from ..files import responses as file_responses
from ..files import services as files
from ..voting.messages import FILE_REASONS
from ..voting.models import ItemKind, VoteState
from ..voting.services import votes_of
from . import duties  # noqa: F401 (registers the package's duties with core.duties)
from . import home  # noqa: F401  (registers what waits on the home page)
from . import rules, services
from .forms import ActionForm, AttendanceForm, DecisionForm, DocumentForm, MeetingForm, MemberForm, NoticeForm
from .messages import DOCUMENT_TITLES, KIND_TITLES, ROLE_TITLES, disclosure_error_message
from .models import (
    CommitteeMember, DisclosureError, DocumentKind, DocumentVersion, Meeting, MemberRole, Notice, NoticeAttachment,
    NoticeKind,
)

bp = Blueprint("disclosure", __name__)


def _estate(estate_id: int, action: str = "disclosure.view"):
    estate = get_estate(estate_id)
    if estate is None or not can(current_user, action, estate):
        abort(404)
    return estate


def _fail(message: str) -> None:
    db.session.rollback()
    flash(message, "error")


def _zone():
    return clock.zone()


# --- notices ---------------------------------------------------------------------------------------

@bp.route("/estates/<int:estate_id>/notices", methods=["GET", "POST"])
@login_required
def notices(estate_id: int):
    estate = _estate(estate_id)
    manage = can(current_user, "disclosure.manage", estate)
    form = NoticeForm() if manage else None
    if form is not None:
        form.kind.choices = [SelectChoice(k, str(t)) for k, t in KIND_TITLES.items()]
    if form is not None and form.validate_on_submit():
        start = dt.datetime.combine(form.starts_on.data, dt.time(), _zone())
        # the first day is not counted; the posting ends at 24:00 of its last day.
        end = end_of_local_day(rules.posting_last_day(form.starts_on.data, form.days.data)) if form.days.data else None
        uploads = [(f.read(), f.filename or "") for f in form.attachments.data or [] if f and f.filename]
        try:
            notice = services.publish_notice(estate, kind=NoticeKind(form.kind.data), title=form.title.data,
                                             body=form.body.data, starts_at=start.astimezone(dt.timezone.utc),
                                             ends_at=end.astimezone(dt.timezone.utc) if end else None,
                                             pinned=form.pinned.data, attachments=uploads, actor=current_user)
        except DisclosureError as error:
            _fail(disclosure_error_message(error))
        except files.FileRefused as error:
            _fail(str(FILE_REASONS[error.reason]))
        else:
            db.session.commit()
            flash(_("The notice is published."), "success")
            return redirect(url_for(".notice", estate_id=estate.id, notice_id=notice.id))
    shown = services.notices(estate, include_hidden=manage)
    read = services.read_ids(current_user, [n.id for n in shown])
    return render_template("disclosure/notices.html", estate=estate, notices=shown, read=read, form=form,
                           showing=services.is_showing, kind_titles=KIND_TITLES), \
        400 if form is not None and form.is_submitted() and form.errors else 200


def _notice(estate, notice_id: int) -> Notice:
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.estate_id != estate.id:
        abort(404)
    if not services.is_showing(notice) and not can(current_user, "disclosure.manage", estate):
        abort(404)
    return notice


@bp.get("/estates/<int:estate_id>/notices/<int:notice_id>")
@login_required
def notice(estate_id: int, notice_id: int):
    estate = _estate(estate_id)
    found = _notice(estate, notice_id)
    services.mark_read(found, current_user)
    db.session.commit()
    return render_template("disclosure/notice.html", estate=estate, notice=found, kind_titles=KIND_TITLES,
                           showing=services.is_showing(found), action_form=ActionForm())


@bp.post("/estates/<int:estate_id>/notices/<int:notice_id>/withdraw")
@login_required
def withdraw(estate_id: int, notice_id: int):
    estate = _estate(estate_id, "disclosure.manage")
    found = _notice(estate, notice_id)
    if ActionForm().validate_on_submit() and found.withdrawn_at is None:
        services.withdraw_notice(found, current_user)
        db.session.commit()
        flash(_("The notice is withdrawn."), "success")
    return redirect(url_for(".notices", estate_id=estate.id))


@bp.get("/estates/<int:estate_id>/notices/<int:notice_id>/attachments/<int:attachment_id>")
@login_required
def attachment(estate_id: int, notice_id: int, attachment_id: int):
    estate = _estate(estate_id)
    found = _notice(estate, notice_id)
    item = db.session.get(NoticeAttachment, attachment_id)
    if item is None or item.notice_id != found.id:
        abort(404)
    return file_responses.inline(item.file_id, item.filename or item.label, f"attachment-{attachment_id}")


# --- estate documents ---------------------------------------------------------------------------------

@bp.route("/estates/<int:estate_id>/documents", methods=["GET", "POST"])
@login_required
def documents(estate_id: int):
    estate = _estate(estate_id)
    manage = can(current_user, "disclosure.manage", estate)
    form = DocumentForm() if manage else None
    if form is not None:
        form.kind.choices = [SelectChoice(k, str(t)) for k, t in DOCUMENT_TITLES.items()]
        form.resolution.choices = [SelectChoice("", _("— not adopted by a vote —"))] + [
            SelectChoice(f"{vote_id}:{item}", _("“%(item)s” of “%(vote)s”", item=item_title, vote=vote_title))
            for vote_id, item, vote_title, item_title in services.passed_resolutions(estate)]
    if form is not None and form.validate_on_submit():
        vote_id, _sep, item = (form.resolution.data or "").partition(":")
        try:
            if not form.file.data:
                raise files.FileRefused("empty")
            services.add_version(estate, kind=DocumentKind(form.kind.data), title=form.title.data,
                                 content=form.file.data.read(), adopted_on=form.adopted_on.data,
                                 vote_id=int(vote_id) if vote_id.isdigit() else None, item=item or None,
                                 note=form.note.data or "", actor=current_user)
        except DisclosureError as error:
            _fail(disclosure_error_message(error))
        except files.FileRefused as error:
            _fail(str(FILE_REASONS[error.reason]))
        else:
            db.session.commit()
            flash(_("The new version is published."), "success")
            return redirect(url_for(".documents", estate_id=estate.id))
    return render_template("disclosure/documents.html", estate=estate, documents=services.documents(estate),
                           form=form, document_titles=DOCUMENT_TITLES), \
        400 if form is not None and form.is_submitted() and form.errors else 200


@bp.get("/estates/<int:estate_id>/documents/versions/<int:version_id>")
@login_required
def document_file(estate_id: int, version_id: int):
    estate = _estate(estate_id)
    version = db.session.get(DocumentVersion, version_id)
    if version is None or version.document.estate_id != estate.id:
        abort(404)
    return file_responses.inline(version.file_id, f"{version.document.title}-v{version.version}",
                                f"document-{version_id}")


# --- the committee --------------------------------------------------------------------------------------

@bp.route("/estates/<int:estate_id>/committee", methods=["GET", "POST"])
@login_required
def committee(estate_id: int):
    estate = _estate(estate_id)
    manage = can(current_user, "disclosure.manage", estate)
    form = MemberForm() if manage else None
    if form is not None:
        form.role.choices = [SelectChoice(k, str(t)) for k, t in ROLE_TITLES.items()]
    if form is not None and form.validate_on_submit():
        try:
            pledge = form.pledge.data.read() if form.pledge.data else None
            services.add_member(estate, name=form.name.data, role=MemberRole(form.role.data),
                                term_start=form.term_start.data, term_end=form.term_end.data, pledge=pledge,
                                pledge_signed_on=form.pledge_signed_on.data or form.term_start.data,
                                actor=current_user)
        except DisclosureError as error:
            _fail(disclosure_error_message(error))
        except files.FileRefused as error:
            _fail(str(FILE_REASONS[error.reason]))
        else:
            db.session.commit()
            flash(_("Member added."), "success")
            return redirect(url_for(".committee", estate_id=estate.id))
    members = services.current_members(estate)
    term_end = min((m.term_end for m in members), default=None)
    return render_template("disclosure/committee.html", estate=estate, members=members, form=form,
                           role_titles=ROLE_TITLES, term_end=term_end, candidates=_candidates(estate),
                           meetings=services.meetings(estate, include_unposted=manage),
                           meeting_form=MeetingForm() if manage else None), \
        400 if form is not None and form.is_submitted() and form.errors else 200


def _candidates(estate):
    """Candidates of elections not yet counted, with their pledge (R-44) and nomination (R-48)."""
    found = []
    for vote in votes_of(estate):
        if vote.state in (VoteState.NOTICED, VoteState.OPEN, VoteState.CLOSED):
            for item in vote.items:
                if item.kind == ItemKind.ELECTION:
                    found.extend((vote, candidate) for candidate in item.candidates)
    return found


@bp.get("/estates/<int:estate_id>/committee/<int:member_id>/pledge")
@login_required
def pledge(estate_id: int, member_id: int):
    estate = _estate(estate_id)
    member = db.session.get(CommitteeMember, member_id)
    if member is None or member.estate_id != estate.id or member.pledge_file_id is None:
        abort(404)
    return file_responses.inline(member.pledge_file_id, None, f"pledge-{member_id}")


# --- meetings ---------------------------------------------------------------------------------------------

@bp.post("/estates/<int:estate_id>/meetings")
@login_required
def schedule(estate_id: int):
    estate = _estate(estate_id, "disclosure.manage")
    form = MeetingForm()
    if form.validate_on_submit():
        try:
            meeting = services.schedule_meeting(estate, title=form.title.data, place=form.place.data or "",
                                                scheduled_at=form.scheduled_at.data.replace(tzinfo=_zone())
                                                .astimezone(dt.timezone.utc), agenda=form.agenda.data,
                                                actor=current_user)
        except DisclosureError as error:
            _fail(disclosure_error_message(error))
        else:
            db.session.commit()
            flash(_("The agenda is posted."), "success")
            return redirect(url_for(".meeting", estate_id=estate.id, meeting_id=meeting.id))
    else:
        flash(_("Give the meeting a title, a time and an agenda."), "error")
    return redirect(url_for(".committee", estate_id=estate.id))


def _meeting(estate, meeting_id: int) -> Meeting:
    found = db.session.get(Meeting, meeting_id)
    if found is None or found.estate_id != estate.id:
        abort(404)
    if found.present is not None and found.posted_at is None and not can(current_user, "disclosure.manage", estate):
        abort(404)
    return found


@bp.get("/estates/<int:estate_id>/meetings/<int:meeting_id>")
@login_required
def meeting(estate_id: int, meeting_id: int):
    estate = _estate(estate_id)
    found = _meeting(estate, meeting_id)
    members = services.members_by_id(estate)
    overdue = found.held_on is not None and rules.posting_overdue(found.held_on, found.posted_at is not None,
                                                                   services.today())
    return render_template("disclosure/meeting.html", estate=estate, meeting=found, members=members,
                           manage=can(current_user, "disclosure.manage", estate), attendance_form=AttendanceForm(),
                           decision_form=DecisionForm(), action_form=ActionForm(), overdue=overdue,
                           needed=rules.signatures_needed(len(found.members)),
                           due=rules.posting_due(found.held_on) if found.held_on else None)


@bp.get("/estates/<int:estate_id>/meetings/<int:meeting_id>/minutes.pdf")
@login_required
def minutes_pdf(estate_id: int, meeting_id: int):
    """The posted minutes as a PDF carrying a document number (the committee may draw a draft
    before posting)."""
    estate = _estate(estate_id)
    found = _meeting(estate, meeting_id)
    if found.present is None:
        abort(404)
    content = printed.meeting_minutes_pdf(services.minutes_view(found), estate_id=estate.id,
                                          meeting_id=found.id, actor=current_user)
    db.session.commit()
    return pdf_response(content, f"minutes-{found.id}.pdf")


@bp.post("/estates/<int:estate_id>/meetings/<int:meeting_id>/attendance")
@login_required
def attendance(estate_id: int, meeting_id: int):
    estate = _estate(estate_id, "disclosure.manage")
    found = _meeting(estate, meeting_id)
    form = AttendanceForm()
    if form.validate_on_submit():
        present = [int(v) for v in request.form.getlist("present") if v.isdigit()]
        try:
            services.record_attendance(found, present, form.held_on.data, form.minutes.data or "", current_user)
        except DisclosureError as error:
            _fail(disclosure_error_message(error))
        else:
            db.session.commit()
            flash(_("Attendance recorded."), "success")
    else:
        flash(_("Enter the day it was held."), "error")
    return redirect(url_for(".meeting", estate_id=estate.id, meeting_id=found.id))


@bp.post("/estates/<int:estate_id>/meetings/<int:meeting_id>/decisions")
@login_required
def decision(estate_id: int, meeting_id: int):
    estate = _estate(estate_id, "disclosure.manage")
    found = _meeting(estate, meeting_id)
    form = DecisionForm()
    if form.validate_on_submit():
        signers = [int(v) for v in request.form.getlist("signers") if v.isdigit()]
        try:
            recorded = services.record_decision(found, form.text.data, signers, current_user)
        except DisclosureError as error:
            _fail(disclosure_error_message(error))
        else:
            db.session.commit()
            if recorded.valid:
                flash(_("Decision recorded: signed by %(signed)d of %(members)d members, valid (R-45).",
                        signed=len(recorded.signers), members=len(found.members)), "success")
            else:
                flash(_("Recorded as NOT valid: only %(signed)d of %(members)d members signed; a decision needs the "
                        "signatures of more than half of all members, %(needed)d (R-45).",
                        signed=len(recorded.signers), members=len(found.members),
                        needed=rules.signatures_needed(len(found.members))), "error")
    else:
        flash(_("Write the decision."), "error")
    return redirect(url_for(".meeting", estate_id=estate.id, meeting_id=found.id))


@bp.post("/estates/<int:estate_id>/meetings/<int:meeting_id>/post")
@login_required
def post(estate_id: int, meeting_id: int):
    estate = _estate(estate_id, "disclosure.manage")
    found = _meeting(estate, meeting_id)
    if ActionForm().validate_on_submit():
        try:
            services.post_meeting(found, current_user)
        except DisclosureError as error:
            _fail(disclosure_error_message(error))
        else:
            db.session.commit()
            flash(_("The minutes and decisions are posted to the estate."), "success")
    return redirect(url_for(".meeting", estate_id=estate.id, meeting_id=found.id))
