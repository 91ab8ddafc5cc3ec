"""Use cases of documents: draw a PDF and register its number; check a number.

Each kind of document has a function that turns its object into the values the
document shows (``*_data``). The PDF is drawn from those values only, and the register
keeps their hash, so the check page can tell whether the same object would show the
same values today ("current") or something else ("superseded").

Documents are in Chinese whatever the reader's language: they are posted in the estate
and filed with the sub-district. The values are built in Chinese too, so a hash does not
depend on who looks.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import segno
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import insert, select

from ..audit import services as audit
from ..audit.chain import normalise_hash
from ..audit.services import record
from ..extensions import db
from ..voting import rules as voting_rules
from ..voting import services as voting
from . import render, rules
from .models import DocumentKind, DocumentRecord
from .views import MeetingMinutesView

LETTERS_PER_PART = 25  # see render.html_to_pdf: smaller parts draw faster per page
LOCALE = "zh_CN"


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo(current_app.config["TIMEZONE"])


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else _aware(moment).astimezone(_zone())


def _day(moment: dt.datetime | None) -> str | None:
    local = _local(moment)
    return local.date().isoformat() if local else None


def _minute(moment: dt.datetime | None) -> str | None:
    local = _local(moment)
    return local.strftime("%Y-%m-%d %H:%M") if local else None


def _hundredths(decimal: str) -> int:
    """"920.00" (as the tally writes areas) -> 92000."""
    whole, _sep, part = decimal.partition(".")
    return int(whole) * 100 + int((part + "00")[:2])


def site_url(path: str) -> str:
    return current_app.config["SITE_URL"].rstrip("/") + path


def qr_data_uri(url: str) -> str:
    """A PNG: WeasyPrint embeds a raster image once however often it is shown, where an SVG is
    drawn again on every page (2,000 letters share one QR code)."""
    return segno.make(url, error="m").png_data_uri(scale=8, border=2)


# --- the register ---------------------------------------------------------------------------------

def _unused_numbers(count: int, year: int) -> list[str]:
    """``count`` new numbers not yet in the register (a clash of 40 random bits is rare, not
    impossible: the unique constraint is the last word, this keeps it from ever speaking)."""
    found: set[str] = set()
    while len(found) < count:
        wanted = {rules.new_number(year) for _ in range(count - len(found))} - found
        taken = set(db.session.scalars(select(DocumentRecord.number).where(DocumentRecord.number.in_(wanted))))
        found |= wanted - taken
    return list(found)


@dataclass(frozen=True)
class Issued:
    number: str
    data_sha256: str
    generated_at: dt.datetime
    data: dict
    audit: audit.Anchor | None = None  # the audit chain's head once this issue was recorded

    @property
    def generated_text(self) -> str:
        return _minute(self.generated_at)


def _register(kind: DocumentKind, estate_id: int, object_type: str, objects: Sequence[tuple[int, dict]],
              actor) -> list[Issued]:
    """Numbers for documents about to be drawn, one per (object id, data); flushes.

    The issue is recorded in the estate's audit chain first, and the chain's head after that
    event is what each document prints and the register keeps: paper on a notice board that
    anchors the chain outside the database (issue 12). A chain later rewritten, even with every
    hash recomputed, no longer has that head, and ``flask audit verify`` and the check page say so."""
    at = now().replace(microsecond=0)
    numbers = _unused_numbers(len(objects), _local(at).year)
    details = {"kind": kind.value, "documents": len(objects)}
    if len(objects) == 1:
        details["number"] = numbers[0]
    event = record("document.generated", estate_id=estate_id, object_type=object_type,
                   object_id=objects[0][0] if len(objects) == 1 else "", details=details, actor=actor)
    anchor = audit.Anchor(event.chain, event.seq, event.hash)
    issued = [Issued(number, rules.data_sha256(data), at, data, anchor)
              for number, (_id, data) in zip(numbers, objects)]
    if issued:
        db.session.execute(insert(DocumentRecord), [
            {"number": one.number, "kind": kind, "estate_id": estate_id, "object_type": object_type,
             "object_id": object_id, "data_sha256": one.data_sha256, "generated_at": at,
             "generated_by_id": actor.id if actor is not None else None, "audit_chain": anchor.chain,
             "audit_seq": anchor.seq, "audit_hash": anchor.hash}
            for one, (object_id, _data) in zip(issued, objects)])
    return issued


def _document_anchors() -> list[audit.Anchor]:
    """The heads the issued documents printed, one per chain and event (a batch of letters
    shares one), for ``flask audit verify``."""
    first: dict[tuple[str, int, str], str] = {}
    for chain, seq, digest, number in db.session.execute(
            select(DocumentRecord.audit_chain, DocumentRecord.audit_seq, DocumentRecord.audit_hash,
                   DocumentRecord.number).where(DocumentRecord.audit_chain.is_not(None))
            .order_by(DocumentRecord.audit_chain, DocumentRecord.audit_seq, DocumentRecord.id)):
        first.setdefault((chain, seq, digest), number)
    return [audit.Anchor(chain, seq, digest, f"document {number}") for (chain, seq, digest), number in first.items()]


audit.register_anchor_source(_document_anchors)


def pdf_processes() -> int:
    """Processes that draw a long batch of pages (``PDF_PROCESSES``; 0: one per core)."""
    return current_app.config["PDF_PROCESSES"] or os.cpu_count() or 1


def _draw(template: str, **context) -> str:
    font = render.require_font()
    return render_template(template, font=font, check_url=site_url("/documents/check"), **context)


def _one(kind: DocumentKind, template: str, estate_id: int, object_type: str, object_id: int, data: dict,
         actor, **context) -> bytes:
    render.require_font()  # before anything is registered
    issued = _register(kind, estate_id, object_type, [(object_id, data)], actor)[0]
    with force_locale(LOCALE):
        return render.html_to_pdf(_draw(template, doc=issued, data=data, **context))


# --- votes: the result announcement, the minutes, the filing form ------------------------------------

def _vote_facts(vote) -> dict:
    last_day = (_local(vote.closes_at) - dt.timedelta(days=1)).date()
    return {"id": vote.uid, "title": vote.title, "estate": vote.estate.name,
            "community": vote.estate.community.name, "sub_district": vote.estate.community.sub_district.name,
            "buildings": vote.buildings, "notice_day": _day(vote.notice_at), "opening_day": _day(vote.opens_at),
            "last_day": last_day.isoformat(), "counted_at": _minute(vote.counted_at),
            "posting_due": voting_rules.result_posting_due(_local(vote.counted_at).date()).isoformat()}


def _commitment(vote) -> dict:
    """owners-vote/2: the commitment published with the notice, printed beside the final chain
    value. Absent for votes noticed before it existed, whose documents keep their values."""
    return {"commitment": vote.commitment} if vote.commitment else {}


def _participation(result: dict) -> dict:
    part, total = result["participation"], result["totals"]
    part_area, total_area = _hundredths(part["area"]), _hundredths(total["area"])
    return {"area": part["area"], "total_area": total["area"], "heads": part["heads"],
            "total_heads": total["heads"], "area_share": rules.share_text(part_area, total_area),
            "heads_share": rules.share_text(part["heads"], total["heads"]),
            "area_met": rules.two_thirds_met(part_area, total_area),
            "heads_met": rules.two_thirds_met(part["heads"], total["heads"]),
            "met": part["met"], "rule": "R-10", "ballots": result["ballots"]}


def _share(figures: dict, participation: dict) -> dict:
    return {**figures, "area_share": rules.share_text(_hundredths(figures["area"]), _hundredths(participation["area"])),
            "heads_share": rules.share_text(figures["heads"], participation["heads"])}


def _item(item, outcome: dict, participation: dict) -> dict:
    base = {"key": item.key, "position": item.position, "title": item.title, "kind": item.kind.value,
            "matter": item.matter, "rule": outcome["rule"], "outcome": outcome["outcome"]}
    if item.kind.value == "resolution":
        return {**base, "approval_met": outcome["approval_met"],
                **{choice: _share(outcome[choice], participation) for choice in ("approve", "oppose", "abstain",
                                                                                 "blank")}}
    if item.kind.value == "election":
        names = {c.key: c.name for c in item.candidates}
        runoff = outcome.get("runoff")
        alternates_runoff = outcome.get("alternates_runoff")
        return {**base, "seats": item.seats, "alternate_places": item.alternates, "spoiled": outcome["spoiled"],
                "candidates": [{"name": names[c["id"]], "area": c["area"], "heads": c["heads"],
                                "eligible": c["eligible"], **_share(c, participation)}
                               for c in outcome["candidates"]],
                "elected": [_candidate(names, outcome, key, participation) for key in outcome["elected"]],
                "alternates": [_candidate(names, outcome, key, participation) for key in outcome["alternates"]],
                "runoff": {"names": [names[k] for k in runoff["candidates"]], "seats": runoff["seats"]}
                if runoff else None,
                "alternates_runoff": {"names": [names[k] for k in alternates_runoff["candidates"]],
                                      "seats": alternates_runoff["seats"]} if alternates_runoff else None,
                "vacant": outcome["vacant"]}
    titles = {o.key: o.title for o in item.options}
    return {**base, "choice_rule": "R-22",
            "options": [{"title": titles[o["id"]], "area": o["area"], "heads": o["heads"], "passed": o["passed"],
                         **_share(o, participation)} for o in outcome["options"]],
            "option": titles.get(outcome["option"]) if outcome["option"] else None}


def _candidate(names: dict, outcome: dict, key: str, participation: dict) -> dict:
    figures = next(c for c in outcome["candidates"] if c["id"] == key)
    return {"name": names[key], **_share({"area": figures["area"], "heads": figures["heads"]}, participation)}


def announcement_data(vote) -> dict | None:
    """表决结果公告: everything the result page shows, with the per-building breakdown."""
    if vote.result is None:
        return None
    participation = _participation(vote.result)
    items = [_item(item, vote.result["items"][item.key], participation) for item in vote.items]
    resolutions = [i["key"] for i in items if i["kind"] == "resolution"]
    breakdown = [{"building": row["building"], "units": row["units"], "area": row["area"],
                  "participating_units": row["participating_units"],
                  "participating_area": row["participating_area"],
                  "approve_area": [row["approve_area"][key] for key in resolutions]}
                 for row in voting.breakdown(vote)]
    return {"vote": _vote_facts(vote), "participation": participation, "items": items,
            "breakdown_items": [i["position"] for i in items if i["kind"] == "resolution"],
            "breakdown": breakdown, "final_chain": vote.final_chain,
            "result_url": site_url(f"/votes/{vote.id}/result"), **_commitment(vote)}


def minutes_data(vote) -> dict | None:
    """业主大会会议纪要 of a written (online and paper) vote: attendance is participation, the
    agenda the items, the decisions their outcomes."""
    if vote.result is None:
        return None
    participation = _participation(vote.result)
    items = [_item(item, vote.result["items"][item.key], participation) for item in vote.items]
    channels: dict[str, int] = {}
    closes = _aware(vote.closes_at)
    for ballot in voting.ballots_in_order(vote):
        if ballot.status.value == "valid" and _aware(ballot.received_at) < closes:
            channels[ballot.channel.value] = channels.get(ballot.channel.value, 0) + 1
    return {"vote": _vote_facts(vote), "participation": participation, "channels": channels, "items": items,
            "final_chain": vote.final_chain, **_commitment(vote)}


def has_election(vote) -> bool:
    return any(item.kind.value == "election" for item in vote.items)


def filing_data(vote) -> dict | None:
    """R-46 备案: the elected committee files with the sub-district within 30 days of the
    election. The election day is the last day of voting: counting later never moves the
    deadline later."""
    if vote.result is None or not has_election(vote):
        return None
    participation = _participation(vote.result)
    facts = _vote_facts(vote)
    elections = [_item(item, vote.result["items"][item.key], participation)
                 for item in vote.items if item.kind.value == "election"]
    election_day = dt.date.fromisoformat(facts["last_day"])
    return {"vote": facts, "participation": participation, "elections": elections,
            "election_day": election_day.isoformat(),
            "filing_deadline": rules.filing_deadline(election_day).isoformat(), "rule": "R-46",
            "final_chain": vote.final_chain, **_commitment(vote)}


def result_announcement_pdf(vote, actor) -> bytes:
    data = announcement_data(vote)
    return _one(DocumentKind.RESULT_ANNOUNCEMENT, "pdf/result_announcement.html", vote.estate_id, "vote", vote.id,
                data, actor, qr=qr_data_uri(data["result_url"]))


def vote_minutes_pdf(vote, actor) -> bytes:
    return _one(DocumentKind.VOTE_MINUTES, "pdf/vote_minutes.html", vote.estate_id, "vote", vote.id,
                minutes_data(vote), actor)


def filing_form_pdf(vote, actor) -> bytes:
    return _one(DocumentKind.FILING_FORM, "pdf/filing_form.html", vote.estate_id, "vote", vote.id,
                filing_data(vote), actor)


# --- committee meetings (built by the package that keeps them) ----------------------------------------

def meeting_minutes_data(view: MeetingMinutesView) -> dict:
    if view.held_at.tzinfo is not None:
        view = _replace_held_at(view, _local(view.held_at).replace(tzinfo=None))
    return view.data()


def _replace_held_at(view: MeetingMinutesView, held_at: dt.datetime) -> MeetingMinutesView:
    return dataclasses.replace(view, held_at=held_at)


def meeting_minutes_pdf(view: MeetingMinutesView, *, estate_id: int, meeting_id: int, actor) -> bytes:
    """业委会会议纪要, drawn from a ``MeetingMinutesView``. The caller commits.

    For the check page to tell whether such minutes are still current, the caller also
    registers, once, how to rebuild the view of a meeting:
    ``register_current_source(DocumentKind.MEETING_MINUTES, lambda meeting_id: view or None)``."""
    return _one(DocumentKind.MEETING_MINUTES, "pdf/meeting_minutes.html", estate_id, "committee_meeting",
                meeting_id, meeting_minutes_data(view), actor)


# --- activation letters -------------------------------------------------------------------------------

def letter_data(estate_name: str, owner_name: str, units: Sequence[str], code_hash: str,
                expires_at: dt.datetime) -> dict:
    """What a letter shows, less its code: a hash of a document must not help anyone find
    the code printed on it, so the register holds the code's keyed hash (as the accounts do)."""
    from ..core.templating import mask_name

    return {"estate": estate_name, "owner": mask_name(owner_name), "units": list(units), "code_hash": code_hash,
            "valid_until": _day(expires_at), "activate_url": site_url("/activate")}


def activation_letters_pdf(estate, letters, actor, *, processes: int = 1,
                           progress: Callable[[int, int], None] | None = None) -> bytes:
    """One page per letter (the ``Letter`` values ``auth.services.issue_letters`` returns),
    each with its own number: an owner can check the letter they received. ``processes`` above 1
    draws side by side (a job's worker only, ``pdf_processes()``); ``progress(letters drawn,
    letters)`` is told as they are drawn."""
    from ..auth.models import ActivationCode
    from ..auth.services import activation_code_hash

    render.require_font()
    hashes = {id(letter): activation_code_hash(letter.code) for letter in letters}
    code_ids: dict[str, int] = {}
    values = list(hashes.values())
    for start in range(0, len(values), 500):
        for code_hash, code_id in db.session.execute(select(ActivationCode.code_hash, ActivationCode.id).where(
                ActivationCode.code_hash.in_(values[start:start + 500]))):
            code_ids[code_hash] = code_id
    objects = [(code_ids[hashes[id(letter)]],
                letter_data(estate.name, letter.owner.name, letter.voter.units, hashes[id(letter)], letter.expires_at))
               for letter in letters]
    issued = _register(DocumentKind.ACTIVATION_LETTER, estate.id, "activation_code", objects, actor)
    pages = list(zip(letters, issued))
    with force_locale(LOCALE):
        # What all the letters say is drawn once, under each letter's own page
        # (activation_letters.html).
        common = {"estate_name": estate.name, "activate_url": site_url("/activate")}
        form = _draw("pdf/activation_letters.html", layer="form", qr=qr_data_uri(common["activate_url"]),
                     **common)
        parts = [_draw("pdf/activation_letters.html", layer="letters", letters=pages[start:start + LETTERS_PER_PART],
                       **common)
                 for start in range(0, len(pages), LETTERS_PER_PART)]
        per_part = LETTERS_PER_PART

        def letters_drawn(parts_done: int, parts_total: int) -> None:
            if progress is not None:
                progress(min(len(pages), parts_done * per_part), len(pages))

        return render.html_to_pdf(parts, processes=processes, under=form, progress=letters_drawn)


# --- fund statements ------------------------------------------------------------------------------------

def statement_data(view, corrections: Sequence) -> dict:
    """资金收支公示 from the funds package's ``StatementView``. Later corrections of its entries
    (R-54: a reversal in a later period) are part of what it shows: once one is made, an
    earlier copy without it is superseded."""
    money = rules.decimal_text
    return {"estate": view.estate, "account_kind": view.account_kind, "account": view.account_title,
            "period_start": view.period_start.isoformat(), "period_end": view.period_end.isoformat(),
            "published": view.published, "opening_balance": money(view.opening_balance),
            "closing_balance": money(view.closing_balance), "total_in": money(view.total_in),
            "total_out": money(view.total_out),
            "totals": {direction: [{"category": category, "amount": money(fen)}
                                   for category, fen in view.totals.get(direction, {}).items()]
                       for direction in ("in", "out")},
            "entries": [{"day": line.day.isoformat(), "direction": line.direction, "category": line.category,
                         "category_title": line.category_title, "counterparty": line.counterparty,
                         "description": line.description, "amount": money(line.amount),
                         "authority": line.authority} for line in view.entries],
            "corrections": [{"day": entry.day.isoformat(), "reverses": entry.reverses_id,
                             "amount": money(entry.amount)} for entry in corrections]}


def fund_statement_pdf(statement, actor) -> bytes:
    with force_locale(LOCALE):  # category names and authorities are words: always the same ones
        data = _statement_now(statement.id)
    return _one(DocumentKind.FUND_STATEMENT, "pdf/fund_statement.html", statement.estate_id, "fund_statement",
                statement.id, data, actor)


# --- checking a number ------------------------------------------------------------------------------------

class Status(enum.StrEnum):
    CURRENT = "current"  # issued here, and the same object would show the same values today
    SUPERSEDED = "superseded"  # issued here, but the object now shows something else (or is gone)
    GENUINE = "genuine"  # issued here; whether it is current cannot be told
    UNKNOWN = "unknown"  # not issued by this platform


class LogState(enum.StrEnum):
    """The audit chain against the head a document recorded at its issue."""

    INTACT = "intact"  # the chain still has that event with that hash
    ALTERED = "altered"  # the event is missing or different: the log was rewritten since
    NOT_RECORDED = "not_recorded"  # issued before documents recorded heads


class PrintedHead(enum.StrEnum):
    """A head typed from a paper copy against the one the register kept."""

    MATCHES = "matches"
    DIFFERS = "differs"


@dataclass(frozen=True)
class Check:
    status: Status
    number: str
    record: DocumentRecord | None = None
    estate: str = ""
    log: LogState = LogState.NOT_RECORDED
    printed: PrintedHead | None = None

    @property
    def generated_text(self) -> str:
        return _minute(self.record.generated_at) if self.record else ""


_SOURCES: dict[DocumentKind, Callable[[int], dict | None]] = {}


def register_current_source(kind: DocumentKind, source: Callable[[int], MeetingMinutesView | dict | None]) -> None:
    """How to rebuild, today, the values of a document of ``kind`` about object ``id``."""
    _SOURCES[kind] = source


def _vote(vote_id: int):
    from ..voting.models import Vote

    return db.session.get(Vote, vote_id)


def _statement_now(statement_id: int) -> dict | None:
    from ..funds import services as funds
    from ..funds.models import Statement
    from ..funds.routes import statement_view  # the one place a StatementView is built

    statement = db.session.get(Statement, statement_id)
    if statement is None:
        return None
    view = statement_view(_estate(statement.estate_id), statement.account, None, None, statement)
    return statement_data(view, funds.corrections_of(statement))


def _estate(estate_id: int):
    from ..estates.services import get_estate

    return get_estate(estate_id)


def _letter_now(code_id: int) -> dict | None:
    """A letter is current while its code can still open an account; a used, revoked (a new
    letter was issued) or expired code makes it superseded."""
    from ..auth.models import ActivationCode
    from ..auth.services import voter_statuses

    code = db.session.get(ActivationCode, code_id)
    if code is None or code.used_at is not None or code.revoked_at is not None or _aware(code.expires_at) <= now():
        return None
    status = next((s for s in voter_statuses(code.estate) if s.voter.key == code.voter_key), None)
    if status is None:
        return None
    return letter_data(code.estate.name, code.owner.name, status.voter.units, code.code_hash, code.expires_at)


def _meeting_now(meeting_id: int) -> dict | None:
    view = _SOURCES[DocumentKind.MEETING_MINUTES](meeting_id)
    if view is None or isinstance(view, dict):
        return view
    return meeting_minutes_data(view)


def _data_now(record_: DocumentRecord) -> dict | None:
    kind = record_.kind
    if kind == DocumentKind.RESULT_ANNOUNCEMENT:
        vote = _vote(record_.object_id)
        return announcement_data(vote) if vote else None
    if kind == DocumentKind.VOTE_MINUTES:
        vote = _vote(record_.object_id)
        return minutes_data(vote) if vote else None
    if kind == DocumentKind.FILING_FORM:
        vote = _vote(record_.object_id)
        return filing_data(vote) if vote else None
    if kind == DocumentKind.FUND_STATEMENT:
        return _statement_now(record_.object_id)
    if kind == DocumentKind.ACTIVATION_LETTER:
        return _letter_now(record_.object_id)
    return _meeting_now(record_.object_id)


def check(text: str, printed_head: str = "") -> Check:
    """Is ``text`` the number of a document this platform issued, and is that document current?
    And does the audit log still hold the head the document printed (and, if given, the head
    as typed from the paper copy)?"""
    number = rules.normalise_number(text)
    found = db.session.scalar(select(DocumentRecord).where(DocumentRecord.number == number)) if number else None
    if found is None:
        return Check(Status.UNKNOWN, number or (text or "").strip()[:40])
    estate = _estate(found.estate_id)
    log, printed = _log_state(found), _printed_head(found, printed_head)
    if found.kind == DocumentKind.MEETING_MINUTES and DocumentKind.MEETING_MINUTES not in _SOURCES:
        return Check(Status.GENUINE, found.number, found, estate.name if estate else "", log, printed)
    with force_locale(LOCALE):
        data = _data_now(found)
    current = data is not None and rules.data_sha256(data) == found.data_sha256
    return Check(Status.CURRENT if current else Status.SUPERSEDED, found.number, found,
                 estate.name if estate else "", log, printed)


def _log_state(found: DocumentRecord) -> LogState:
    if found.audit_chain is None:
        return LogState.NOT_RECORDED
    anchor = audit.Anchor(found.audit_chain, found.audit_seq, found.audit_hash, f"document {found.number}")
    return LogState.ALTERED if audit.anchor_break(anchor) else LogState.INTACT


def _printed_head(found: DocumentRecord, printed_head: str) -> PrintedHead | None:
    typed = normalise_hash(printed_head)
    if not typed or found.audit_hash is None:
        return None
    return PrintedHead.MATCHES if found.audit_hash.startswith(typed) else PrintedHead.DIFFERS
