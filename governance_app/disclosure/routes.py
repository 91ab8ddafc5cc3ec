"""Notices, estate documents, the committee and its meetings."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ..core import clock
from ..auth.permissions import can, child_or_404, load_or_404
from ..core.forms import ActionForm
from ..core.refusals import done, filled, returning_to, saved
from ..documents import services as printed
from ..documents.responses import pdf_response
from ..estates.models import Estate
from ..extensions import db
from ..files import responses as file_responses
from ..files import services as files
from ..voting.models import ItemKind, VoteState
from ..voting.services import votes_of
from . import duties  # noqa: F401 (registers the package's duties with core.duties)
from . import home  # noqa: F401  (registers what waits on the home page)
from . import rules, services
from .forms import (
    AttendanceForm, DecisionForm, DocumentForm, MeetingForm, MemberForm, NoticeForm, document_values,
    meeting_values, member_values, notice_values, ticked_ids,
)
from .messages import DOCUMENT_TITLES, KIND_TITLES, ROLE_TITLES
from .models import CommitteeMember, DisclosureError, DocumentVersion, Meeting, Notice, NoticeAttachment

bp = Blueprint("disclosure", __name__)


def _committee_form(estate, form_class, field: str, titles: dict):
    """The committee's form on a page every reader of the estate sees: None for the readers."""
    if not can(current_user, "disclosure.manage", estate):
        return None
    form = form_class()
    form[field].choices = [SelectChoice(key, str(title)) for key, title in titles.items()]
    return form


REFUSED = (DisclosureError, files.FileRefused)  # refusals its forms show on their page (nothing kept)


def _status(form) -> int:
    """400 for a committee's form sent with errors, so the page shows them; else 200."""
    return 400 if form is not None and form.is_submitted() and form.errors else 200


# --- notices ---------------------------------------------------------------------------------------

@bp.route("/estates/<int:estate_id>/notices", methods=["GET", "POST"])
@login_required
def notices(estate_id: int):
    estate = load_or_404(Estate, estate_id, "disclosure.view")
    form = _committee_form(estate, NoticeForm, "kind", KIND_TITLES)
    notice = saved(form, lambda: services.publish_notice(estate, actor=current_user, **notice_values(form)), REFUSED)
    if notice is not None:
        return done(_("The notice is published."), url_for(".notice", estate_id=estate.id, notice_id=notice.id))
    return _notices_page(estate, form)


def _notices_page(estate, form: NoticeForm | None):
    """The notices showing, with the committee's also those to come, ended or withdrawn."""
    shown = services.notices(estate, include_hidden=form is not None)
    read = services.read_ids(current_user, [n.id for n in shown])
    return render_template("disclosure/notices.html", estate=estate, notices=shown, read=read, form=form,
                           showing=services.is_showing, kind_titles=KIND_TITLES), _status(form)


def _notice(estate, notice_id: int) -> Notice:
    notice = child_or_404(Notice, notice_id, estate)
    if not services.is_showing(notice) and not can(current_user, "disclosure.manage", estate):
        abort(404)
    return notice


@bp.get("/estates/<int:estate_id>/notices/<int:notice_id>")
@login_required
def notice(estate_id: int, notice_id: int):
    estate = load_or_404(Estate, estate_id, "disclosure.view")
    found = _notice(estate, notice_id)
    services.mark_read(found, current_user)
    db.session.commit()
    return render_template("disclosure/notice.html", estate=estate, notice=found, kind_titles=KIND_TITLES,
                           showing=services.is_showing(found), action_form=ActionForm())


@bp.post("/estates/<int:estate_id>/notices/<int:notice_id>/withdraw")
@login_required
def withdraw(estate_id: int, notice_id: int):
    estate = load_or_404(Estate, estate_id, "disclosure.manage")
    found = _notice(estate, notice_id)
    back = url_for(".notices", estate_id=estate.id)
    if ActionForm().validate_on_submit() and found.withdrawn_at is None:
        services.withdraw_notice(found, current_user)
        return done(_("The notice is withdrawn."), back)
    return redirect(back)


@bp.get("/estates/<int:estate_id>/notices/<int:notice_id>/attachments/<int:attachment_id>")
@login_required
def attachment(estate_id: int, notice_id: int, attachment_id: int):
    found = _notice(load_or_404(Estate, estate_id, "disclosure.view"), notice_id)
    item = db.session.get(NoticeAttachment, attachment_id)
    if item is None or item.notice_id != found.id:
        abort(404)
    return file_responses.inline(item.file_id, item.filename or item.label, f"attachment-{attachment_id}")


# --- estate documents ---------------------------------------------------------------------------------

@bp.route("/estates/<int:estate_id>/documents", methods=["GET", "POST"])
@login_required
def documents(estate_id: int):
    estate = load_or_404(Estate, estate_id, "disclosure.view")
    form = _document_form(estate)
    if saved(form, lambda: services.add_version(estate, actor=current_user, **document_values(form)), REFUSED):
        return done(_("The new version is published."), url_for(".documents", estate_id=estate.id))
    return render_template("disclosure/documents.html", estate=estate, documents=services.documents(estate),
                           form=form, document_titles=DOCUMENT_TITLES), _status(form)


def _document_form(estate) -> DocumentForm | None:
    """The committee's form, offering the resolutions passed and published in the estate."""
    form = _committee_form(estate, DocumentForm, "kind", DOCUMENT_TITLES)
    if form is not None:
        form.resolution.choices = [SelectChoice("", _("— not adopted by a vote —"))] + [
            SelectChoice(f"{vote_id}:{item}", _("“%(item)s” of “%(vote)s”", item=item_title, vote=vote_title))
            for vote_id, item, vote_title, item_title in services.passed_resolutions(estate)]
    return form


@bp.get("/estates/<int:estate_id>/documents/versions/<int:version_id>")
@login_required
def document_file(estate_id: int, version_id: int):
    estate = load_or_404(Estate, estate_id, "disclosure.view")
    version = child_or_404(DocumentVersion, version_id, estate, lambda found: found.document.estate_id)
    return file_responses.inline(version.file_id, f"{version.document.title}-v{version.version}",
                                f"document-{version_id}")


# --- the committee --------------------------------------------------------------------------------------

@bp.route("/estates/<int:estate_id>/committee", methods=["GET", "POST"])
@login_required
def committee(estate_id: int):
    estate = load_or_404(Estate, estate_id, "disclosure.view")
    form = _committee_form(estate, MemberForm, "role", ROLE_TITLES)
    if saved(form, lambda: services.add_member(estate, actor=current_user, **member_values(form)), REFUSED):
        return done(_("Member added."), url_for(".committee", estate_id=estate.id))
    return _committee_page(estate, form)


def _committee_page(estate, form: MemberForm | None):
    manage = form is not None
    members = services.current_members(estate)
    term_end = min((m.term_end for m in members), default=None)
    return render_template("disclosure/committee.html", estate=estate, members=members, form=form,
                           role_titles=ROLE_TITLES, term_end=term_end, candidates=_candidates(estate),
                           meetings=services.meetings(estate, include_unposted=manage),
                           meeting_form=MeetingForm() if manage else None), _status(form)


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
    estate = load_or_404(Estate, estate_id, "disclosure.view")
    member = child_or_404(CommitteeMember, member_id, estate)
    if member.pledge_file_id is None:
        abort(404)
    return file_responses.inline(member.pledge_file_id, None, f"pledge-{member_id}")


# --- meetings ---------------------------------------------------------------------------------------------

@bp.post("/estates/<int:estate_id>/meetings")
@login_required
def schedule(estate_id: int):
    estate = load_or_404(Estate, estate_id, "disclosure.manage")
    returning_to(url_for(".committee", estate_id=estate.id))
    form = filled(MeetingForm(), _("Give the meeting a title, a time and an agenda."))
    meeting = services.schedule_meeting(estate, actor=current_user, **meeting_values(form))
    return done(_("The agenda is posted."), url_for(".meeting", estate_id=estate.id, meeting_id=meeting.id))


def _meeting(estate, meeting_id: int) -> Meeting:
    found = child_or_404(Meeting, meeting_id, estate)
    if found.present is not None and found.posted_at is None and not can(current_user, "disclosure.manage", estate):
        abort(404)
    return found


def _managed_meeting(estate_id: int, meeting_id: int) -> tuple[Meeting, str]:
    """The meeting the committee acts on, and its page, where a refusal of the action returns."""
    estate = load_or_404(Estate, estate_id, "disclosure.manage")
    found = _meeting(estate, meeting_id)
    return found, returning_to(url_for(".meeting", estate_id=estate.id, meeting_id=found.id))


@bp.get("/estates/<int:estate_id>/meetings/<int:meeting_id>")
@login_required
def meeting(estate_id: int, meeting_id: int):
    estate = load_or_404(Estate, estate_id, "disclosure.view")
    return _meeting_page(estate, _meeting(estate, meeting_id))


def _meeting_page(estate, found: Meeting):
    overdue = found.held_on is not None and rules.posting_overdue(found.held_on, found.posted_at is not None,
                                                                   clock.today())
    return render_template("disclosure/meeting.html", estate=estate, meeting=found,
                           members=services.members_by_id(estate),
                           manage=can(current_user, "disclosure.manage", estate), attendance_form=AttendanceForm(),
                           decision_form=DecisionForm(), action_form=ActionForm(), overdue=overdue,
                           needed=rules.signatures_needed(len(found.members)),
                           due=rules.posting_due(found.held_on) if found.held_on else None)


@bp.get("/estates/<int:estate_id>/meetings/<int:meeting_id>/minutes.pdf")
@login_required
def minutes_pdf(estate_id: int, meeting_id: int):
    """The posted minutes as a PDF carrying a document number (the committee may draw a draft
    before posting)."""
    estate = load_or_404(Estate, estate_id, "disclosure.view")
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
    found, back = _managed_meeting(estate_id, meeting_id)
    form = filled(AttendanceForm(), _("Enter the day it was held."))
    services.record_attendance(found, ticked_ids("present"), form.held_on.data, form.minutes.data or "", current_user)
    return done(_("Attendance recorded."), back)


@bp.post("/estates/<int:estate_id>/meetings/<int:meeting_id>/decisions")
@login_required
def decision(estate_id: int, meeting_id: int):
    found, back = _managed_meeting(estate_id, meeting_id)
    form = filled(DecisionForm(), _("Write the decision."))
    recorded = services.record_decision(found, form.text.data, ticked_ids("signers"), current_user)
    db.session.commit()
    flash(*_decision_said(len(recorded.signers), len(found.members), recorded.valid))
    return redirect(back)


def _decision_said(signed: int, members: int, valid: bool) -> tuple[str, str]:
    """What the committee is told of a decision it recorded, and how (R-45)."""
    if valid:
        return _("Decision recorded: signed by %(signed)d of %(members)d members, valid (R-45).",
                 signed=signed, members=members), "success"
    return _("Recorded as NOT valid: only %(signed)d of %(members)d members signed; a decision needs the "
             "signatures of more than half of all members, %(needed)d (R-45).",
             signed=signed, members=members, needed=rules.signatures_needed(members)), "error"


@bp.post("/estates/<int:estate_id>/meetings/<int:meeting_id>/post")
@login_required
def post(estate_id: int, meeting_id: int):
    found, back = _managed_meeting(estate_id, meeting_id)
    services.post_meeting(found, current_user)
    return done(_("The minutes and decisions are posted to the estate."), back)
