"""Use cases of conventions and the red/black board (issue 19, R-31, R-45, R-60 to R-65).

Each function takes objects, validated values and the acting user, checks the rule, writes and
records an audit event; the request commits. Audit events name entries by id and never carry
the person's name (R-61): their text is the same whoever the entry is about.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..audit.services import created, record
from ..auth.models import User
from ..auth.permissions import can
from ..core import clock
from ..core.duties import Duty, in_estates, register_source
from ..disclosure.models import CONVENTION_KINDS, CommitteeMember, ConventionClause, Decision, EstateDocument, Meeting
from ..estates import rules as roll_rules
from ..estates.models import Estate, Owner, Ownership, Unit
from ..estates.services import current_roll_units
from ..notifications import services as notifications
from ..extensions import db
from ..files import services as files
from . import permissions as _permissions  # noqa: F401  the board's actions, registered at import
from . import rules
from .models import (
    Board, BoardEntry, BoardError, BoardEvidence, BoardObjection, ConventionSignature, Deed, Removal, Severity, Step,
)


def _masked_actor(user):
    """The person concerned acting on their own entry: the audit event keeps their account's id,
    and a masked name instead of the account's name (R-61: no person's name in event text)."""
    return SimpleNamespace(id=user.id, display_name=roll_rules.mask_name(user.display_name))


def _store(content: bytes):
    try:
        return files.store(content)
    except files.FileRefused as error:
        raise BoardError(f"file_{error.reason}") from None


# --- conventions --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Signatures:
    """Who signed a convention, by heads and by area (R-15 owners), against the estate's roll."""

    heads: int
    area: int
    total_heads: int
    total_area: int


def convention(estate: Estate, document_id: int) -> EstateDocument | None:
    document = db.session.get(EstateDocument, document_id)
    if document is None or document.estate_id != estate.id or document.kind not in CONVENTION_KINDS:
        return None
    return document


def signatures(document: EstateDocument) -> Signatures:
    roll = roll_rules.count_roll(current_roll_units(db.session.get(Estate, document.estate_id)))
    signed = {f"o{owner_id}" for owner_id in db.session.scalars(
        select(ConventionSignature.owner_id).where(ConventionSignature.document_id == document.id))}
    heads, area = rules.signed_totals([(tuple(v.key.split("+")), v.area) for v in roll.voters], signed)
    return Signatures(heads, area, roll.total_heads, roll.total_area)


def has_signed(document: EstateDocument, user) -> bool:
    return user.owner_id is not None and db.session.scalar(select(ConventionSignature.id).where(
        ConventionSignature.document_id == document.id, ConventionSignature.owner_id == user.owner_id)) is not None


def sign(document: EstateDocument, user) -> ConventionSignature:
    """An owner pledges online to keep a convention of their estate (once)."""
    if user.owner_id is None or user.owner.estate_id != document.estate_id:
        raise BoardError("not_an_owner")
    if has_signed(document, user):
        raise BoardError("already_signed")
    signature = ConventionSignature(estate_id=document.estate_id, document_id=document.id, owner_id=user.owner_id,
                                    signed_by_id=user.id, signed_at=clock.now())
    return created(signature, "convention.signed", object_type="estate_document", object_id=document.id,
                   actor=_masked_actor(user))


# --- entries ----------------------------------------------------------------------------------------

def subject_of_unit(estate: Estate, unit_label: str) -> tuple[Owner, Unit]:
    """The owner a board entry is about, named by their unit (the voting representative of a
    co-owned one): the committee types a unit, never a name or an id number."""
    found = db.session.execute(
        select(Owner, Unit).join(Ownership, Ownership.owner_id == Owner.id).join(Unit, Ownership.unit_id == Unit.id)
        .where(Unit.estate_id == estate.id, Unit.label == unit_label.strip(), Ownership.valid_to.is_(None))
        .order_by(Ownership.is_representative.desc(), Owner.id)).first()
    if found is None:
        raise BoardError("not_an_owner")
    return found[0], found[1]


def _clause(estate: Estate, clause_id: int | None) -> ConventionClause | None:
    if clause_id is None:
        return None
    clause = db.session.get(ConventionClause, clause_id)
    if clause is None or clause.document.estate_id != estate.id:
        raise BoardError("clause_needed")
    return clause


def _nominated_as(user, estate: Estate) -> str:
    """Who nominates, by what they may do: the committee, community staff, or an owner."""
    if can(user, "board.approve_red", estate):
        return "committee"
    return "staff" if can(user, "board.warn", estate) else "owner"


def nominate(estate: Estate, *, unit_label: str, deed: Deed, clause_id: int | None, reason: str,
             service_eligible: bool, actor) -> BoardEntry:
    """A red-board recognition: shown at once for 1 year when the committee or community staff
    nominate; an owner's nomination waits for the committee's approval."""
    owner, unit = subject_of_unit(estate, unit_label)
    clause = _clause(estate, clause_id)
    if deed == Deed.CLAUSE_KEPT and clause is None:
        raise BoardError("clause_needed")
    nominated_as = _nominated_as(actor, estate)
    entry = BoardEntry(estate_id=estate.id, board=Board.RED, step=Step.NOMINATED, subject_owner_id=owner.id,
                       unit_id=unit.id, clause_id=clause.id if clause else None, deed=deed, reason=reason.strip(),
                       service_eligible=service_eligible, nominated_as=nominated_as, nominated_by_id=actor.id,
                       created_at=clock.now())
    created(entry, "board.nominated", object_type="board_entry",
            details={"board": "red", "by": nominated_as, "deed": deed.value}, actor=actor)
    if nominated_as != "owner":
        _recognise(entry)
    return entry


def _recognise(entry: BoardEntry) -> None:
    entry.step = Step.SHOWN
    entry.approved_at = clock.now()
    entry.shows_from = clock.today()
    entry.expires_on = rules.expires_on(entry.shows_from, "red")


def approve_nomination(entry: BoardEntry, *, approve: bool, actor) -> None:
    """The committee approves (or declines) an owner's nomination for the red board."""
    if entry.board != Board.RED or entry.step != Step.NOMINATED:
        raise BoardError("not_red")
    _not_the_subject(entry, actor)
    if approve:
        _recognise(entry)
    else:
        _remove(entry, Removal.DECLINED, actor)
    record("board.nomination_decided", estate_id=entry.estate_id, object_type="board_entry", object_id=entry.id,
           details={"approved": approve}, actor=actor)


def record_warning(estate: Estate, *, unit_label: str, clause_id: int | None, severity: Severity, reason: str,
                   warned_on: dt.date, warned_by: str, warned_how: str, subject_member_id: int | None,
                   actor) -> BoardEntry:
    """R-62 step 1: a black-board entry starts with the recorded warning (劝阻) that was ignored,
    citing the clause breached."""
    owner, unit = subject_of_unit(estate, unit_label)
    clause = _clause(estate, clause_id)
    if clause is None:
        raise BoardError("clause_needed")
    if warned_on > clock.today():
        raise BoardError("warning_in_future")
    if subject_member_id is not None:
        member = db.session.get(CommitteeMember, subject_member_id)
        if member is None or member.estate_id != estate.id:
            subject_member_id = None
    entry = BoardEntry(estate_id=estate.id, board=Board.BLACK, step=Step.WARNED, subject_owner_id=owner.id,
                       unit_id=unit.id, clause_id=clause.id, severity=severity, reason=reason.strip(),
                       nominated_as=_nominated_as(actor, estate), nominated_by_id=actor.id, created_at=clock.now(),
                       warned_on=warned_on, warned_by=warned_by.strip(), warned_how=warned_how.strip(),
                       subject_member_id=subject_member_id)
    return created(entry, "board.warning_recorded", object_type="board_entry",
                   details={"board": "black", "severity": severity.value, "clause": clause.number,
                            "warned_on": warned_on.isoformat()}, actor=actor)


def add_evidence(entry: BoardEntry, *, content: bytes, label: str, actor) -> BoardEvidence:
    """R-62 step 2: photos or documents, after the warning and before the approval."""
    _open(entry)
    if not content:
        raise BoardError("evidence_needed")
    entry.move(Step.EVIDENCED)
    stored = _store(content)
    evidence = BoardEvidence(entry=entry, file_id=stored.id, label=label.strip()[:200], added_by_id=actor.id,
                             added_at=clock.now())
    return created(evidence, "board.evidence_added", estate_id=entry.estate_id, object_type="board_entry",
                   object_id=entry.id, details={"file": stored.sha256}, actor=actor)


def decisions(estate: Estate) -> Sequence[Decision]:
    """Valid decisions of held committee meetings of the estate, newest first (R-45)."""
    return db.session.scalars(select(Decision).join(Meeting).where(
        Meeting.estate_id == estate.id, Meeting.present.is_not(None), Decision.valid.is_(True))
        .order_by(Decision.id.desc())).all()


def _decision(entry: BoardEntry, decision_id: int | None) -> Decision:
    """A valid decision (R-45) of a held meeting of the entry's estate, not signed by the
    member the entry is about."""
    decision = db.session.get(Decision, decision_id) if decision_id else None
    if decision is None or decision.meeting.estate_id != entry.estate_id or decision.meeting.present is None \
            or not decision.valid:
        raise BoardError("decision_not_valid")
    if entry.subject_member_id is not None and entry.subject_member_id in decision.signers:
        raise BoardError("subject_signed")
    return decision


def _not_the_subject(entry: BoardEntry, actor) -> None:
    if actor.owner_id is not None and actor.owner_id == entry.subject_owner_id:
        raise BoardError("subject_acts")


def approve(entry: BoardEntry, *, decision_id: int | None, actor) -> None:
    """R-62 step 3: the committee's approval is a decision of a committee meeting (R-45)."""
    _open(entry)
    _not_the_subject(entry, actor)
    decision = _decision(entry, decision_id)
    entry.move(Step.APPROVED)
    entry.decision_id, entry.approved_at = decision.id, clock.now()
    record("board.approved", estate_id=entry.estate_id, object_type="board_entry", object_id=entry.id,
           details={"decision": decision.id, "meeting": decision.meeting_id}, actor=actor)


def notify(entry: BoardEntry, *, how: str, actor) -> None:
    """R-62 step 4: the person is notified (how: by hand, by post; in the app when they have an
    account); the objection window of ``BOARD_OBJECTION_DAYS`` (R-31 days) starts."""
    _open(entry)
    _not_the_subject(entry, actor)
    entry.move(Step.NOTIFIED)
    days = current_app.config["BOARD_OBJECTION_DAYS"]
    entry.notified_at, entry.notified_on = clock.now(), clock.today()
    entry.notified_how = how.strip()[:200]
    entry.objection_days = days
    entry.shows_from = rules.first_shown_day(entry.notified_on, days)
    entry.expires_on = rules.expires_on(entry.shows_from, entry.severity.value)
    record("board.notified", estate_id=entry.estate_id, object_type="board_entry", object_id=entry.id,
           details={"how": entry.notified_how, "in_app": has_account(entry),
                    "objections_until": rules.objection_last_day(entry.notified_on, days).isoformat()},
           actor=actor)
    # In the app too, to the person's own account only; the message names no one.
    accounts = db.session.scalars(select(User.id).where(User.owner_id == entry.subject_owner_id)).all()
    notifications.notify(accounts, "board_notified",
                         {"estate": entry.estate.name,
                          "until": rules.objection_last_day(entry.notified_on, days).isoformat()},
                         link=f"/estates/{entry.estate_id}/board/entries/{entry.id}")


def has_account(entry: BoardEntry) -> bool:
    return db.session.scalar(select(func.count(User.id)).where(User.owner_id == entry.subject_owner_id)) > 0


def window_open(entry: BoardEntry, today: dt.date | None = None) -> bool:
    return entry.notified_on is not None and rules.window_open(entry.notified_on, today or clock.today(),
                                                               entry.objection_days)


def objections_until(entry: BoardEntry) -> dt.date | None:
    """The last day (until 24:00) the person may object (R-31, R-62)."""
    return rules.objection_last_day(entry.notified_on, entry.objection_days) if entry.notified_on else None


def object_to(entry: BoardEntry, *, reasons: str, content: bytes | None, actor) -> BoardObjection:
    """R-62: the person objects within the window, with reasons and evidence."""
    _open(entry)
    if entry.step != Step.NOTIFIED:
        raise BoardError("not_notified")
    if not window_open(entry):
        raise BoardError("window_closed")
    if entry.objection is not None:
        raise BoardError("already_objected")
    stored = _store(content) if content else None
    objection = BoardObjection(entry=entry, reasons=reasons.strip(), file_id=stored.id if stored else None,
                               filed_by_id=actor.id, filed_at=clock.now())
    return created(objection, "board.objected", estate_id=entry.estate_id, object_type="board_entry",
                   object_id=entry.id, details={"evidence": bool(stored)}, actor=_masked_actor(actor))


def decide_objection(entry: BoardEntry, *, upheld: bool, answer: str, decision_id: int | None, actor) -> None:
    """The committee decides an objection at a meeting (R-45): upheld, the entry is removed; rejected,
    it is shown once the window has passed, with the answer available to the person."""
    _open(entry)
    _not_the_subject(entry, actor)
    objection = entry.objection
    if objection is None or objection.decided_at is not None:
        raise BoardError("no_objection")
    if not answer.strip():
        raise BoardError("answer_needed")
    decision = _decision(entry, decision_id)
    objection.upheld, objection.answer = upheld, answer.strip()
    objection.decision_id, objection.decided_at = decision.id, clock.now()
    record("board.objection_decided", estate_id=entry.estate_id, object_type="board_entry", object_id=entry.id,
           details={"upheld": upheld, "decision": decision.id}, actor=actor)
    if upheld:
        _remove(entry, Removal.OBJECTION_UPHELD, actor)


def record_rectified(entry: BoardEntry, *, on: dt.date, actor) -> None:
    """R-63: the committee records that the breach is rectified; with the person's pledge the
    entry is removed at once."""
    _open(entry)
    if entry.board != Board.BLACK:
        raise BoardError("not_notified")
    entry.rectified_on = min(on, clock.today())
    record("board.rectified", estate_id=entry.estate_id, object_type="board_entry", object_id=entry.id,
           details={"on": entry.rectified_on.isoformat()}, actor=actor)
    _remove_if_repaired(entry, actor)


def pledge(entry: BoardEntry, actor) -> None:
    """R-63: the person pledges to keep the clause; with the rectification recorded the entry is
    removed at once."""
    _open(entry)
    if entry.step != Step.NOTIFIED:
        raise BoardError("not_notified")
    if entry.pledged_at is not None:
        raise BoardError("already_pledged")
    entry.pledged_at = clock.now()
    record("board.pledged", estate_id=entry.estate_id, object_type="board_entry", object_id=entry.id,
           actor=_masked_actor(actor))
    _remove_if_repaired(entry, _masked_actor(actor))


def _remove_if_repaired(entry: BoardEntry, actor) -> None:
    if entry.rectified_on is not None and entry.pledged_at is not None:
        _remove(entry, Removal.RECTIFIED, actor)


def _remove(entry: BoardEntry, why: Removal, actor) -> None:
    entry.step, entry.removal, entry.removed_at = Step.REMOVED, why, clock.now()
    record("board.removed", estate_id=entry.estate_id, object_type="board_entry", object_id=entry.id,
           details={"why": why.value}, actor=actor)


def _open(entry: BoardEntry) -> None:
    if entry.removed_at is not None:
        raise BoardError("removed")


# --- what is shown ---------------------------------------------------------------------------------

def is_showing(entry: BoardEntry, today: dt.date | None = None) -> bool:
    """R-62, R-63: shown to the estate today (never a removed or expired one, nor before the
    objection window has passed, nor while an objection waits for the committee)."""
    if entry.step not in (Step.SHOWN, Step.NOTIFIED):
        return False
    pending = entry.objection is not None and entry.objection.decided_at is None
    return rules.showing(entry.shows_from, entry.expires_on, today or clock.today(),
                         removed=entry.removed_at is not None, objection_pending=pending)


def showing(estate: Estate, board: Board) -> list[BoardEntry]:
    """The entries shown today on one board of one estate (never across estates, R-64)."""
    today = clock.today()
    candidates = db.session.scalars(select(BoardEntry).where(
        BoardEntry.estate_id == estate.id, BoardEntry.board == board, BoardEntry.removed_at.is_(None),
        BoardEntry.step.in_((Step.SHOWN, Step.NOTIFIED)), BoardEntry.shows_from <= today,
        BoardEntry.expires_on > today).order_by(BoardEntry.shows_from.desc(), BoardEntry.id.desc())).all()
    return [entry for entry in candidates if is_showing(entry, today)]


@dataclass(frozen=True)
class Repairs:
    """The board's headline (issue 19): black-board entries rectified, and all removed, in the last year."""

    rectified: int
    removed: int


def repairs(estate: Estate) -> Repairs:
    since = clock.local_midnight(clock.today() - dt.timedelta(days=365))
    counts = dict(db.session.execute(select(BoardEntry.removal, func.count(BoardEntry.id)).where(
        BoardEntry.estate_id == estate.id, BoardEntry.board == Board.BLACK, BoardEntry.removed_at >= since)
        .group_by(BoardEntry.removal)).all())
    return Repairs(rectified=counts.get(Removal.RECTIFIED, 0), removed=sum(counts.values()))


def in_progress(estate: Estate) -> Sequence[BoardEntry]:
    """Entries of the estate not removed, for the committee and community staff."""
    return db.session.scalars(select(BoardEntry).where(BoardEntry.estate_id == estate.id,
                                                       BoardEntry.removed_at.is_(None))
                              .order_by(BoardEntry.board, BoardEntry.id.desc())).all()


def my_entries(estate: Estate, user) -> Sequence[BoardEntry]:
    """The entries about the signed-in owner that they were notified of and that are not removed:
    the in-app message of R-62 and where they object or pledge."""
    if user.owner_id is None:
        return []
    return db.session.scalars(select(BoardEntry).where(
        BoardEntry.estate_id == estate.id, BoardEntry.subject_owner_id == user.owner_id,
        BoardEntry.removed_at.is_(None), BoardEntry.step == Step.NOTIFIED)).all()


def red_export_rows(estate: Estate) -> list[dict]:
    """R-65: the owners on the red board today who are eligible for community services, with what
    they were recognised for. Names are those of the roll (staff need to reach them), units
    building-room; never an id number or a phone number."""
    rows = []
    for entry in showing(estate, Board.RED):
        if entry.service_eligible:
            clause = db.session.get(ConventionClause, entry.clause_id) if entry.clause_id else None
            rows.append({"name": entry.subject.name, "unit": entry.unit.label if entry.unit else "",
                         "deed": entry.deed.value if entry.deed else "", "reason": entry.reason,
                         "clause": f"{clause.document.title} {clause.number}" if clause else "",
                         "from": entry.shows_from, "until": entry.expires_on - dt.timedelta(days=1)})
    return rows


# --- duties ------------------------------------------------------------------------------------------

def duties(estate_ids: list[int], today: dt.date):
    """Deadlines the board knows: objection windows ending (the committee decides objections and
    the entry then shows) and entries expiring (R-62, R-63). One query with each entry's objection,
    whatever the number of entries; each title translated once."""
    window = _("Objection window of board entry %(id)s ends")
    decide = _("Decide the objection to board entry %(id)s")
    expires = _("Board entry %(id)s expires")
    found = []
    for entry_id, estate_id, step, notified_on, objection_days, expires_on, objection_id, decided_at in \
            db.session.execute(select(BoardEntry.id, BoardEntry.estate_id, BoardEntry.step, BoardEntry.notified_on,
                                      BoardEntry.objection_days, BoardEntry.expires_on, BoardObjection.id,
                                      BoardObjection.decided_at)
                               .outerjoin(BoardObjection, BoardObjection.entry_id == BoardEntry.id)
                               .where(in_estates(BoardEntry.estate_id, estate_ids), BoardEntry.removed_at.is_(None),
                                      BoardEntry.step.in_((Step.NOTIFIED, Step.SHOWN)))):
        link = f"/estates/{estate_id}/board/entries/{entry_id}"
        if step == Step.NOTIFIED and notified_on is not None:
            last = rules.objection_last_day(notified_on, objection_days)
            if last >= today:
                found.append(Duty(last, estate_id, "pledges.objection_window", window % {"id": entry_id}, link,
                                  "R-62"))
            elif objection_id is not None and decided_at is None:
                found.append(Duty(last, estate_id, "pledges.decide_objection", decide % {"id": entry_id}, link,
                                  "R-62"))
        if expires_on is not None and expires_on >= today:
            found.append(Duty(expires_on, estate_id, "pledges.expiry", expires % {"id": entry_id}, link, "R-63",
                              "staff"))
    return found


register_source("pledges", duties)


def clause_title(clause_id: int | None) -> str:
    clause = db.session.get(ConventionClause, clause_id) if clause_id else None
    return f"《{clause.document.title}》第 {clause.number} 条：{clause.text}" if clause else ""


def notice_data(entry: BoardEntry) -> dict:
    """What the notice (告知书) of a black-board entry shows, in Chinese, with the name masked (R-61)."""
    if entry.step != Step.NOTIFIED or entry.notified_on is None:
        raise BoardError("not_notified")
    last = rules.objection_last_day(entry.notified_on, entry.objection_days)
    return {"estate": entry.estate.name, "entry": entry.id, "person": roll_rules.mask_name(entry.subject.name),
            "unit": entry.unit.label if entry.unit else "", "clause": clause_title(entry.clause_id),
            "reason": entry.reason, "warned_on": entry.warned_on.isoformat(),
            "approved": clock.local_date(entry.approved_at).isoformat(), "objections_until": last.isoformat(),
            "shows_from": entry.shows_from.isoformat(),
            "shown_until": (entry.expires_on - dt.timedelta(days=1)).isoformat()}


def record_export(estate: Estate, extension: str, rows: int, actor) -> None:
    """R-65: staff took the red board's eligible owners (personal data) out of the platform."""
    record("board.red_exported", estate_id=estate.id, object_type="estate", object_id=estate.id,
           details={"format": extension, "rows": rows}, actor=actor)
