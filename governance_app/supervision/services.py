"""Use cases of a re-election, first election or by-election: one function per stage or act.

Each checks the order of stages on the process (``ReElection.require_next``), records what
happened with who and when, the legal deadline it had (a late stage is kept and flagged), and an
audit event; it flushes and does not commit. The election itself is a vote of the voting package,
built through its services from the approved candidates; its result is followed by signal.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select

from ..audit.services import record
from ..core import clock, events
from ..disclosure import services as disclosure_services
from ..disclosure.models import MemberRole
from ..estates import rules as roll_rules
from ..estates.models import Estate
from ..estates.services import current_roll_units
from ..extensions import db
from ..files import services as files
from ..voting import rules as voting_rules
from ..voting import services as voting_services
from ..voting.models import ItemKind, NominationSource, Vote
from . import messages  # noqa: F401 (registers the refusals' messages)
from . import rules
from .models import (
    Decision, GroupMember, GroupRole, Nomination, Nominee, Objection, ProcessKind, ReElection, StageRecord,
    SupervisionError,
)

HANDOVER_ITEMS = ("seals", "documents", "accounts", "keys", "archives")
HANDOVER_SIGNERS = ("old_chair", "new_chair", "group")
# The voting package knows three nomination sources; a party recommendation is the community's.
_VOTING_SOURCE = {Nomination.SELF: NominationSource.SELF, Nomination.JOINT: NominationSource.JOINT,
                  Nomination.COMMUNITY: NominationSource.COMMUNITY, Nomination.PARTY: NominationSource.COMMUNITY}


def open_process(estate: Estate) -> ReElection | None:
    return db.session.scalar(select(ReElection).where(ReElection.estate_id == estate.id,
                                                      ReElection.closed_on.is_(None)))


def processes_of(estate: Estate) -> Sequence[ReElection]:
    return db.session.scalars(select(ReElection).where(ReElection.estate_id == estate.id)
                              .order_by(ReElection.id.desc())).all()


def term_end(estate: Estate) -> dt.date | None:
    """When the sitting committee's term ends (the latest term of its members)."""
    return disclosure_services.terms_ending([estate.id]).get(estate.id)


def _audit(process: ReElection, action: str, actor, **details) -> None:
    record(f"supervision.{action}", estate_id=process.estate_id, object_type="reelection", object_id=process.id,
           details=details, actor=actor)


def start(estate: Estate, kind: ProcessKind, actor) -> ReElection:
    """Open the estate's process; one at a time. A re-election needs a committee whose term ends."""
    if open_process(estate) is not None:
        raise SupervisionError("already_open")
    ends = term_end(estate)
    if kind == ProcessKind.REELECTION and ends is None:
        raise SupervisionError("no_committee")
    if kind == ProcessKind.FIRST and ends is not None and ends >= clock.today():
        raise SupervisionError("has_committee")
    process = ReElection(estate_id=estate.id, kind=kind, term_ends_on=ends if kind == ProcessKind.REELECTION else None,
                         started_by_id=actor.id, started_at=clock.now(), posting_days=rules.POSTING_DAYS)
    db.session.add(process)
    db.session.flush()
    _audit(process, "started", actor, kind=kind.value)
    return process


def _record(process: ReElection, stage: str, happened_on: dt.date, actor, *, due_on: dt.date | None = None,
            note: str = "", document: bytes | None = None) -> StageRecord:
    process.require_next(stage)
    if happened_on > clock.today():
        raise SupervisionError("in_the_future")
    earlier = [r.happened_on for r in process.stages]
    if earlier and happened_on < max(earlier):
        raise SupervisionError("before_previous", previous=max(earlier).isoformat())
    stored = files.store(document) if document else None
    entry = StageRecord(process=process, stage=stage, happened_on=happened_on, due_on=due_on,
                        recorded_by_id=getattr(actor, "id", None), recorded_at=clock.now(), note=note.strip(),
                        file_id=stored.id if stored else None)
    db.session.add(entry)
    db.session.flush()
    _audit(process, f"stage.{stage}", actor, happened_on=happened_on.isoformat(),
           due_on=due_on.isoformat() if due_on else None, days_late=entry.days_late)
    return entry


def due_of(process: ReElection, stage: str) -> dt.date | None:
    """The legal deadline of a stage, from the stages before it (None where the law sets none)."""
    done = process.recorded()
    if stage == rules.REPORT and process.term_ends_on is not None:
        return rules.report_due(process.term_ends_on)
    if stage == rules.GROUP and rules.REPORT in done:
        return rules.group_due(done[rules.REPORT].happened_on)
    if stage == rules.RESULT and process.vote_id is not None:
        vote = db.session.get(Vote, process.vote_id)
        if vote is not None and vote.counted_at is not None:
            return rules.result_due(clock.local_date(vote.counted_at))
    if stage == rules.FILING and rules.ELECTION in done:
        return rules.filing_due(done[rules.ELECTION].happened_on)
    return None


def record_report(process: ReElection, happened_on: dt.date, document: bytes | None, note: str, actor) -> StageRecord:
    """Stage 2: the committee's written report received (R-47: 5 months before the term ends)."""
    return _record(process, rules.REPORT, happened_on, actor, due_on=due_of(process, rules.REPORT), note=note,
                   document=document)


def add_member(process: ReElection, name: str, role: GroupRole, actor) -> GroupMember:
    if rules.GROUP in process.recorded() or process.kind == ProcessKind.BY_ELECTION:
        raise SupervisionError("group_formed")
    member = GroupMember(reelection_id=process.id, name=name.strip(), role=role)
    process.members.append(member)
    db.session.flush()
    _audit(process, "group_member", actor, name=member.name, role=role.value)
    return member


def record_group(process: ReElection, happened_on: dt.date, document: bytes | None, note: str, actor) -> StageRecord:
    """Stage 3: the re-election group formed (R-47: within 60 days of the report), with its members."""
    if not process.members:
        raise SupervisionError("no_members")
    return _record(process, rules.GROUP, happened_on, actor, due_on=due_of(process, rules.GROUP), note=note,
                   document=document)


def estate_area(estate: Estate) -> int:
    return roll_rules.count_roll(current_roll_units(estate)).total_area


def record_plan(process: ReElection, *, seats: int, structure: str, structure_by_community: bool, posting_days: int,
                happened_on: dt.date, actor) -> StageRecord:
    """Stage 4: seats and structure (R-43), the residents' committee's recommendation recorded as such (R-48)."""
    process.require_next(rules.PLAN)
    area = estate_area(process.estate)
    by_election = process.kind == ProcessKind.BY_ELECTION
    refused = voting_rules.seats_problem(
        seats, area, disclosure_services.committee_seats(process.estate) if by_election else None)
    if refused:
        raise SupervisionError(refused[0], **refused[1])
    if not 1 <= posting_days <= 30:
        raise SupervisionError("posting_days")
    process.seats, process.structure = seats, structure.strip()
    process.structure_by_community, process.posting_days = structure_by_community, posting_days
    return _record(process, rules.PLAN, happened_on, actor, note=structure)


def nominate(process: ReElection, *, name: str, unit: str, source: Nomination, nominated_by: str, actor) -> Nominee:
    """Stage 5: a nomination and its source (R-48), while nominations are open."""
    if process.next_stage() != rules.NOMINATIONS:
        raise SupervisionError("not_nominating")
    nominee = Nominee(reelection_id=process.id, name=name.strip(), unit=unit.strip(), source=source,
                      nominated_by=nominated_by.strip(), grounds=[], reasons="")
    process.nominees.append(nominee)
    db.session.flush()
    _audit(process, "nominated", actor, nominee=nominee.id, source=source.value)
    return nominee


def close_nominations(process: ReElection, happened_on: dt.date, actor) -> StageRecord:
    if len(process.nominees) < (process.seats or 1):
        raise SupervisionError("too_few_nominees", seats=process.seats)
    return _record(process, rules.NOMINATIONS, happened_on, actor)


def review(process: ReElection, nominee: Nominee, *, grounds: Sequence[str], approve: bool, reasons: str,
           pledge_signed: bool, actor) -> None:
    """Stage 6: each candidate against every ground of R-44, with reasons, reviewer and the pledge."""
    if process.next_stage() != rules.REVIEW or nominee.reelection_id != process.id:
        raise SupervisionError("not_reviewing")
    problem = rules.review_problem(grounds, approve, reasons, pledge_signed)
    if problem:
        raise SupervisionError(problem, name=nominee.name)
    nominee.grounds, nominee.reasons, nominee.pledge_signed = sorted(set(grounds)), reasons.strip(), pledge_signed
    nominee.decision = Decision.APPROVED if approve else Decision.REJECTED
    nominee.reviewed_by_id, nominee.reviewed_at = actor.id, clock.now()
    _audit(process, "reviewed", actor, nominee=nominee.id, decision=nominee.decision.value, grounds=nominee.grounds)


def approved(process: ReElection) -> list[Nominee]:
    return [n for n in process.nominees if n.decision == Decision.APPROVED]


def close_review(process: ReElection, happened_on: dt.date, actor) -> StageRecord:
    if any(n.decision is None for n in process.nominees):
        raise SupervisionError("review_unfinished")
    if len(approved(process)) < (process.seats or 1):
        raise SupervisionError("too_few_approved", seats=process.seats)
    return _record(process, rules.REVIEW, happened_on, actor)


def record_posting(process: ReElection, happened_on: dt.date, actor) -> StageRecord:
    """Stage 7: the candidate list posted (公示) for the process's posting days (R-47: 7 by default)."""
    return _record(process, rules.POSTING, happened_on, actor,
                   due_on=None, note=rules.posting_last_day(happened_on, process.posting_days).isoformat())


def posting_last_day(process: ReElection) -> dt.date | None:
    posted = process.recorded().get(rules.POSTING)
    return rules.posting_last_day(posted.happened_on, process.posting_days) if posted else None


def object_to(process: ReElection, text: str, received_on: dt.date, actor) -> Objection:
    if rules.POSTING not in process.recorded() or rules.ELECTION in process.recorded():
        raise SupervisionError("not_posted")
    objection = Objection(reelection_id=process.id, text=text.strip(), received_on=received_on)
    process.objections.append(objection)
    db.session.flush()
    _audit(process, "objection", actor, objection=objection.id)
    return objection


def answer_objection(process: ReElection, objection: Objection, answer: str, actor) -> None:
    if objection.reelection_id != process.id or objection.answer is not None:
        raise SupervisionError("already_answered")
    objection.answer, objection.answered_on = answer.strip(), clock.today()
    _audit(process, "objection_answered", actor, objection=objection.id)


def build_vote(process: ReElection, *, opening_date: dt.date, last_day: dt.date, actor) -> Vote:
    """Stage 8: the election, a vote of the voting package with one election item built from the
    approved candidates (a by-election item for a by-election, R-43). The usual notice rules apply (R-40)."""
    if process.next_stage() != rules.ELECTION or process.vote_id is not None:
        raise SupervisionError("not_ready_to_vote")
    posted = process.recorded()[rules.POSTING]
    earliest = rules.earliest_election(posted.happened_on, process.posting_days)
    if opening_date < earliest:
        raise SupervisionError("before_posting_ends", earliest=earliest.isoformat())
    if any(o.answer is None for o in process.objections):
        raise SupervisionError("objections_open")
    by_election = process.kind == ProcessKind.BY_ELECTION
    vote = voting_services.create_vote(process.estate, title=_vote_title(process), description=process.structure,
                                       opening_date=opening_date, last_day=last_day, buildings=None, actor=actor)
    item = voting_services.add_item(vote, kind=ItemKind.ELECTION, matter=voting_rules.ELECTION_MATTER,
                                    title=_vote_title(process), seats=process.seats or 0, by_election=by_election,
                                    committee=disclosure_services.committee_seats(process.estate))
    for nominee in approved(process):
        voting_services.add_candidate(item, name=nominee.name, nomination=_VOTING_SOURCE[nominee.source],
                                      statement=nominee.nominated_by, pledge_signed=nominee.pledge_signed)
    process.vote_id = vote.id
    _audit(process, "vote_built", actor, vote=vote.id)
    return vote


def _vote_title(process: ReElection) -> str:
    return {ProcessKind.REELECTION: "业主委员会换届选举", ProcessKind.FIRST: "首届业主委员会选举",
            ProcessKind.BY_ELECTION: "业主委员会增补选举"}[process.kind]


def election_day(vote: Vote) -> dt.date:
    """The last day of voting (a vote closes at 24:00 of it, R-31)."""
    return clock.local_date(clock.aware(vote.closes_at) - dt.timedelta(seconds=1))


def on_result_published(vote: Vote, **_details) -> None:
    """Stages 8 and 9 follow the vote: the election on its last day, the result when it is posted (R-42)."""
    process = db.session.scalar(select(ReElection).where(ReElection.vote_id == vote.id,
                                                         ReElection.closed_on.is_(None)))
    if process is None or process.next_stage() != rules.ELECTION:
        return
    _record(process, rules.ELECTION, election_day(vote), None)
    _record(process, rules.RESULT, clock.local_date(vote.published_at), None, due_on=due_of(process, rules.RESULT))


def accept_filing(process: ReElection, receipt: str, happened_on: dt.date, actor) -> StageRecord:
    """Stage 10: the supervisor accepts the filing (备案) with a receipt number (R-46: within 30 days)."""
    if not receipt.strip():
        raise SupervisionError("receipt_missing")
    entry = _record(process, rules.FILING, happened_on, actor, due_on=due_of(process, rules.FILING), note=receipt)
    process.filing_returned = ""
    finish_by_election(process, actor)
    return entry


def return_filing(process: ReElection, reasons: str, actor) -> None:
    """The supervisor returns the filing with reasons; the deadline keeps running."""
    process.require_next(rules.FILING)
    if not reasons.strip():
        raise SupervisionError("reasons_missing")
    process.filing_returned = reasons.strip()
    _audit(process, "filing_returned", actor, reasons=process.filing_returned)


def record_handover(process: ReElection, *, done: Sequence[str], signed: Sequence[str], happened_on: dt.date,
                    actor) -> StageRecord:
    """Stage 11: the old committee hands over seals, documents, accounts, keys and archives, signed
    off by both chairs and the group."""
    missing = [item for item in HANDOVER_ITEMS if item not in done]
    unsigned = [who for who in HANDOVER_SIGNERS if who not in signed]
    if missing or unsigned:
        raise SupervisionError("handover_incomplete")
    entry = _record(process, rules.HANDOVER, happened_on, actor)
    process.handover = {"items": list(HANDOVER_ITEMS), "signed": list(HANDOVER_SIGNERS),
                        "on": happened_on.isoformat()}
    return entry


def close(process: ReElection, happened_on: dt.date, actor) -> StageRecord:
    """Stage 12: closed. The elected members join the committee; their terms start from the
    election date (R-43: five years)."""
    entry = _record(process, rules.CLOSED, happened_on, actor)
    process.closed_on = happened_on
    vote = db.session.get(Vote, process.vote_id) if process.vote_id else None
    if vote is not None and vote.result:
        started = election_day(vote)
        names = {c.key: c.name for item in vote.items for c in item.candidates}
        for item in vote.items:
            for key in (vote.result["items"].get(item.key) or {}).get("elected", []):
                disclosure_services.add_member(
                    process.estate, name=names[key], role=MemberRole.MEMBER, term_start=started,
                    term_end=rules.add_months(started, 60) - dt.timedelta(days=1), pledge=None,
                    pledge_signed_on=None, actor=actor)
    return entry


def finish_by_election(process: ReElection, actor) -> None:
    """A by-election ends with its filing (stages 4 to 10): the process closes on that day."""
    if process.kind == ProcessKind.BY_ELECTION and process.next_stage() is None and process.closed_on is None:
        process.closed_on = process.recorded()[rules.FILING].happened_on
        _audit(process, "closed", actor)


def cycle_days(process: ReElection) -> int | None:
    done = process.recorded()
    started, filed = done.get(rules.CYCLE_START[process.kind.value]), done.get(rules.FILING)
    return rules.cycle_days(started.happened_on, filed.happened_on) if started and filed else None


def refuse_forbidden_notice(vote: Vote, **_details) -> None:
    """R-47: while a re-election group exists, no vote with an item of matter 4 or 7, or of matter
    5 or 9 marked as major works or a fee change, may be noticed."""
    process = db.session.scalar(select(ReElection).where(ReElection.estate_id == vote.estate_id,
                                                         ReElection.closed_on.is_(None)))
    if process is None or not process.group_exists:
        return
    forbidden = rules.forbidden_items((item.position, item.matter, item.major_or_fee) for item in vote.items)
    if forbidden:
        raise SupervisionError("r47_forbidden", items=", ".join(str(p) for p in forbidden))


events.vote_noticing.connect(refuse_forbidden_notice)
events.vote_result_published.connect(on_result_published)
