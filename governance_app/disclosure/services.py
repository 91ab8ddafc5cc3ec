"""Use cases: notices, estate documents, the committee and its meetings."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import nh3
from markdown_it import MarkdownIt
from sqlalchemy import func, select

from ..audit.services import created, record
from ..estates.models import Estate
from ..core import clock, events
from ..core.duties import in_estates
from ..documents import services as printed
from ..documents.models import DocumentKind as PrintedKind
from ..documents.values import MeetingMinutesView, MinutesDecision
from ..extensions import db
from ..files import names as file_names
from ..files import services as files
from ..voting.services import passed_items
from . import rules
from .models import (
    CONVENTION_KINDS, CommitteeMember, ConventionClause, Decision, DisclosureError, DocumentKind, DocumentVersion,
    EstateDocument, Meeting, MemberRole, Notice, NoticeAttachment, NoticeKind, NoticeRead,
)

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "a", "code", "pre",
                "table", "thead", "tbody", "tr", "th", "td", "hr"}


def render_markdown(text: str) -> str:
    """Markdown to HTML with raw HTML off, then sanitised again: only plain formatting and
    http(s)/mailto links survive, so a notice can never carry a script."""
    html = _markdown.render(text)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href"}}, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer nofollow")


# --- notices ------------------------------------------------------------------------------------------

def publish_notice(estate: Estate, *, kind: NoticeKind, title: str, body: str, starts_at: dt.datetime,
                   ends_at: dt.datetime | None, pinned: bool, attachments: Sequence[tuple[bytes, str]], actor) -> Notice:
    if ends_at is not None and ends_at <= starts_at:
        raise DisclosureError("ends_before_start")
    if kind == NoticeKind.POSTING and ends_at is None:
        raise DisclosureError("posting_needs_end")
    notice = Notice(estate_id=estate.id, kind=kind, title=title.strip(), body=body, body_html=render_markdown(body),
                    starts_at=starts_at, ends_at=ends_at, pinned=pinned, published_by_id=actor.id,
                    published_at=clock.now())
    db.session.add(notice)
    db.session.flush()
    for content, label in attachments:
        stored = files.store(content)
        # The label is the uploaded file's name; the file downloads under it, cleaned.
        db.session.add(NoticeAttachment(notice_id=notice.id, file_id=stored.id, label=label.strip()[:200],
                                        filename=file_names.clean(label)))
    db.session.flush()
    record("notice.published", estate_id=estate.id, object_type="notice", object_id=notice.id,
           details={"title": notice.title, "kind": kind.value, "attachments": len(attachments),
                    "ends_at": ends_at.isoformat() if ends_at else None}, actor=actor)
    events.notice_published.send(notice, estate_id=estate.id)
    return notice


def withdraw_notice(notice: Notice, actor) -> None:
    notice.withdrawn_at = clock.now()
    record("notice.withdrawn", estate_id=notice.estate_id, object_type="notice", object_id=notice.id, actor=actor)


def notices(estate: Estate, *, include_hidden: bool = False) -> list[Notice]:
    """Showing notices, pinned first then newest; with ``include_hidden`` also future, ended
    and withdrawn ones (for the committee)."""
    found = db.session.scalars(select(Notice).where(Notice.estate_id == estate.id)
                               .order_by(Notice.pinned.desc(), Notice.starts_at.desc())).all()
    if include_hidden:
        return list(found)
    moment = clock.now()
    return [n for n in found if n.withdrawn_at is None and rules.notice_showing(
        clock.aware(n.starts_at), clock.aware(n.ends_at), moment)]


def is_showing(notice: Notice) -> bool:
    return notice.withdrawn_at is None and rules.notice_showing(clock.aware(notice.starts_at), clock.aware(notice.ends_at),
                                                                clock.now())


def read_ids(user, notice_ids: Sequence[int]) -> set[int]:
    if not notice_ids:
        return set()
    return set(db.session.scalars(select(NoticeRead.notice_id).where(
        NoticeRead.user_id == user.id, NoticeRead.notice_id.in_(list(notice_ids)))))


def mark_read(notice: Notice, user) -> None:
    if not read_ids(user, [notice.id]):
        db.session.add(NoticeRead(notice_id=notice.id, user_id=user.id, read_at=clock.now()))
        db.session.flush()


def unread_count(estate: Estate, user) -> int:
    showing = [n.id for n in notices(estate)]
    return len(showing) - len(read_ids(user, showing))


# --- estate documents ----------------------------------------------------------------------------------------

def documents(estate: Estate) -> Sequence[EstateDocument]:
    return db.session.scalars(select(EstateDocument).where(EstateDocument.estate_id == estate.id)
                              .order_by(EstateDocument.kind, EstateDocument.title)).all()


def add_version(estate: Estate, *, kind: DocumentKind, title: str, content: bytes, adopted_on: dt.date,
                vote_id: int | None, item: str | None, note: str, actor) -> DocumentVersion:
    """A new version of an estate document, linked to the resolution that adopted it (matters
    1 and 2 of CC 278 for rules; 4 for the service contract) when it was adopted by vote."""
    if vote_id is not None and (vote_id, item) not in {(v, i) for v, i, _t, _it in passed_resolutions(estate)}:
        raise DisclosureError("resolution_not_passed")
    document = db.session.scalar(select(EstateDocument).where(
        EstateDocument.estate_id == estate.id, EstateDocument.kind == kind, EstateDocument.title == title.strip()))
    if document is None:
        document = EstateDocument(estate_id=estate.id, kind=kind, title=title.strip())
        db.session.add(document)
        db.session.flush()
    stored = files.store(content)
    number = (db.session.scalar(select(func.max(DocumentVersion.version)).where(
        DocumentVersion.document_id == document.id)) or 0) + 1
    version = DocumentVersion(document_id=document.id, version=number, file_id=stored.id, adopted_on=adopted_on,
                              vote_id=vote_id, item=item, note=note.strip(), uploaded_by_id=actor.id,
                              uploaded_at=clock.now())
    return created(version, "document.version_added", estate_id=estate.id, object_type="estate_document",
                   object_id=document.id, details={"version": number, "vote": vote_id, "item": item,
                                                   "file": stored.sha256}, actor=actor)


def conventions(estate: Estate) -> Sequence[EstateDocument]:
    """The estate's conventions (管理规约, 居民公约, 楼组公约), the documents board entries cite."""
    return db.session.scalars(select(EstateDocument).where(
        EstateDocument.estate_id == estate.id, EstateDocument.kind.in_(CONVENTION_KINDS))
        .order_by(EstateDocument.kind, EstateDocument.title)).all()


def clauses(document: EstateDocument) -> Sequence[ConventionClause]:
    return db.session.scalars(select(ConventionClause).where(ConventionClause.document_id == document.id)
                              .order_by(ConventionClause.number)).all()


def estate_clauses(estate: Estate) -> Sequence[ConventionClause]:
    """Every clause of the estate's conventions, by convention then number."""
    return db.session.scalars(select(ConventionClause).join(EstateDocument).where(
        EstateDocument.estate_id == estate.id, EstateDocument.kind.in_(CONVENTION_KINDS))
        .order_by(EstateDocument.title, ConventionClause.number)).all()


def add_clause(document: EstateDocument, *, number: int, text: str, actor) -> ConventionClause:
    """A numbered clause of a convention (issue 19); numbers are unique within the convention."""
    if document.kind not in CONVENTION_KINDS:
        raise DisclosureError("not_a_convention")
    if number < 1 or db.session.scalar(select(ConventionClause.id).where(
            ConventionClause.document_id == document.id, ConventionClause.number == number)) is not None:
        raise DisclosureError("clause_number_taken", number=number)
    clause = ConventionClause(document_id=document.id, number=number, text=text.strip(), added_at=clock.now())
    return created(clause, "document.clause_added", estate_id=document.estate_id, object_type="estate_document",
                   object_id=document.id, details={"clause": number}, actor=actor)


def passed_resolutions(estate: Estate) -> list[tuple[int, str, str, str]]:
    """(vote id, item key, vote title, item title) of every published resolution that passed."""
    return passed_items(estate)


# --- the committee -------------------------------------------------------------------------------------------

def current_members(estate: Estate, on: dt.date | None = None) -> list[CommitteeMember]:
    day = on or clock.today()
    return list(db.session.scalars(select(CommitteeMember).where(
        CommitteeMember.estate_id == estate.id, CommitteeMember.term_start <= day, CommitteeMember.term_end >= day,
        CommitteeMember.left_on.is_(None) | (CommitteeMember.left_on > day))  # serving until the day they leave
        .order_by(CommitteeMember.role, CommitteeMember.name)))


def committee_seats(estate: Estate, on: dt.date | None = None) -> tuple[int, int]:
    """(seats of the committee as elected for the current term, members sitting now): the
    difference is the vacancies a by-election may fill (R-43)."""
    day = on or clock.today()
    in_term = (CommitteeMember.estate_id == estate.id) & (CommitteeMember.term_start <= day) & \
        (CommitteeMember.term_end >= day)
    sitting = CommitteeMember.left_on.is_(None) | (CommitteeMember.left_on > day)
    elected, present = db.session.execute(select(func.count(CommitteeMember.id),
                                                 func.count(CommitteeMember.id).filter(sitting)).where(in_term)).one()
    return elected, present


def terms_ending(estate_ids: Sequence[int]) -> dict[int, dt.date]:
    """Each estate's committee term end (the latest term of its members who have not left), in one
    query whatever the number of estates; estates without a committee are absent."""
    rows = db.session.execute(select(CommitteeMember.estate_id, func.max(CommitteeMember.term_end))
                              .where(in_estates(CommitteeMember.estate_id, estate_ids),
                                     CommitteeMember.left_on.is_(None))
                              .group_by(CommitteeMember.estate_id))
    return {estate_id: ends for estate_id, ends in rows}


def add_member(estate: Estate, *, name: str, role: MemberRole, term_start: dt.date, term_end: dt.date,
               pledge: bytes | None, pledge_signed_on: dt.date | None, actor) -> CommitteeMember:
    """R-43: a term of 3 to 5 years; R-44: the signed pledge of duty is kept and shown."""
    years = (term_end - term_start).days / 365.25
    if term_end <= term_start or not 2.9 <= years <= 5.1:
        raise DisclosureError("term_length")
    stored = files.store(pledge) if pledge else None
    member = CommitteeMember(estate_id=estate.id, name=name.strip(), role=role, term_start=term_start,
                             term_end=term_end, pledge_file_id=stored.id if stored else None,
                             pledge_signed_on=pledge_signed_on if stored else None)
    return created(member, "committee.member_added", object_type="committee_member",
                   details={"name": member.name, "role": role.value, "term_end": term_end.isoformat(),
                            "pledge": bool(stored)}, actor=actor)


def member_left(member: CommitteeMember, on: dt.date, actor) -> None:
    member.left_on = on
    record("committee.member_left", estate_id=member.estate_id, object_type="committee_member",
           object_id=member.id, details={"on": on.isoformat()}, actor=actor)


# --- meetings ----------------------------------------------------------------------------------------------

def schedule_meeting(estate: Estate, *, title: str, place: str, scheduled_at: dt.datetime, agenda: str,
                     actor) -> Meeting:
    """The agenda is posted when the meeting is scheduled, before it is held."""
    # Terms are written in Shanghai days: the UTC date of a morning meeting is the day before.
    members = current_members(estate, clock.local_date(scheduled_at))
    if not members:
        raise DisclosureError("no_members")
    if scheduled_at <= clock.now():
        raise DisclosureError("agenda_not_in_advance")
    meeting = Meeting(estate_id=estate.id, title=title.strip(), place=place.strip(), scheduled_at=scheduled_at,
                      agenda=agenda.strip(), agenda_posted_at=clock.now(), members=[m.id for m in members],
                      created_by_id=actor.id)
    return created(meeting, "meeting.scheduled", object_type="committee_meeting",
                   details={"title": meeting.title, "at": scheduled_at.isoformat()}, actor=actor)


def record_attendance(meeting: Meeting, present: Sequence[int], held_on: dt.date, minutes: str, actor) -> None:
    """R-45: the meeting counts only with more than half of the members present."""
    if meeting.posted_at is not None:
        raise DisclosureError("meeting_posted")
    unknown = set(present) - set(meeting.members)
    if unknown:
        raise DisclosureError("not_a_member")
    if not rules.quorum_met(len(set(present)), len(meeting.members)):
        raise DisclosureError("no_quorum", present=len(set(present)), members=len(meeting.members),
                              needed=rules.signatures_needed(len(meeting.members)))
    meeting.present, meeting.held_on, meeting.minutes = sorted(set(present)), held_on, minutes.strip()
    record("meeting.held", estate_id=meeting.estate_id, object_type="committee_meeting", object_id=meeting.id,
           details={"present": len(meeting.present), "members": len(meeting.members)}, actor=actor)


def record_decision(meeting: Meeting, text: str, signers: Sequence[int], actor) -> Decision:
    """R-45: a decision is valid only with the signatures of more than half of ALL members.
    One with too few is kept, marked not valid, and the committee is told why."""
    if meeting.present is None:
        raise DisclosureError("not_held")
    if meeting.posted_at is not None:
        raise DisclosureError("meeting_posted")
    unique = sorted(set(signers))
    if set(unique) - set(meeting.members):
        raise DisclosureError("not_a_member")
    decision = Decision(meeting_id=meeting.id, text=text.strip(), signers=unique,
                        valid=rules.decision_valid(len(unique), len(meeting.members)), recorded_at=clock.now())
    db.session.add(decision)
    db.session.flush()
    record("meeting.decision", estate_id=meeting.estate_id, object_type="committee_meeting", object_id=meeting.id,
           details={"decision": decision.id, "signers": len(unique), "members": len(meeting.members),
                    "valid": decision.valid}, actor=actor)
    return decision


def post_meeting(meeting: Meeting, actor) -> None:
    """Post the minutes and decisions to the estate (R-42: within 3 days)."""
    if meeting.present is None:
        raise DisclosureError("not_held")
    if meeting.posted_at is not None:
        raise DisclosureError("meeting_posted")
    meeting.posted_at = clock.now()
    record("meeting.posted", estate_id=meeting.estate_id, object_type="committee_meeting", object_id=meeting.id,
           details={"overdue": rules.posting_overdue(meeting.held_on, False, clock.today())}, actor=actor)


def meetings(estate: Estate, *, include_unposted: bool) -> Sequence[Meeting]:
    query = select(Meeting).where(Meeting.estate_id == estate.id)
    if not include_unposted:
        query = query.where(Meeting.present.is_(None) | Meeting.posted_at.is_not(None))
    return db.session.scalars(query.order_by(Meeting.scheduled_at.desc())).all()


def members_by_id(estate: Estate) -> dict[int, CommitteeMember]:
    return {m.id: m for m in db.session.scalars(select(CommitteeMember).where(CommitteeMember.estate_id == estate.id))}


# --- minutes as a document ------------------------------------------------------------------------------

def minutes_view(meeting: Meeting):
    """The meeting as its PDF minutes show it (present and absent members, agenda, decisions
    with their signers and R-45 validity)."""
    members = members_by_id(db.session.get(Estate, meeting.estate_id))
    name = lambda member_id: members[member_id].name if member_id in members else "?"  # noqa: E731
    present = set(meeting.present or [])
    held = rules.held_at(meeting.held_on, clock.aware(meeting.scheduled_at).astimezone(clock.zone()))
    return MeetingMinutesView(
        estate=db.session.get(Estate, meeting.estate_id).name, title=meeting.title, held_at=held,
        place=meeting.place, members_present=tuple(name(m) for m in meeting.members if m in present),
        members_absent=tuple(name(m) for m in meeting.members if m not in present),
        agenda=rules.agenda_points(meeting.agenda), minutes=meeting.minutes or "",
        decisions=tuple(MinutesDecision(text=d.text, signers=tuple(name(m) for m in d.signers), valid=d.valid)
                        for d in meeting.decisions))


def current_minutes(meeting_id: int):
    """For the check page: the minutes of a posted meeting as they would be drawn today."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.posted_at is None:
        return None
    return minutes_view(meeting)


# The document check page rebuilds posted minutes through this to tell whether a copy is current.
printed.register_current_source(PrintedKind.MEETING_MINUTES, current_minutes)
