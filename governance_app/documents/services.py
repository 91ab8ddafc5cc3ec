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
from ..core import clock
from ..core.clock import aware, zone
from ..estates.services import get_estate
from ..core import site
from ..extensions import db
from . import render, rules
from .models import DocumentKind, DocumentRecord
from .values import MeetingMinutesView

LETTERS_PER_PART = 25  # see render.html_to_pdf: smaller parts draw faster per page
LOCALE = "zh_CN"


def local(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else aware(moment).astimezone(zone())


def day(moment: dt.datetime | None) -> str | None:
    moment = local(moment)
    return moment.date().isoformat() if moment else None


def minute(moment: dt.datetime | None) -> str | None:
    moment = local(moment)
    return moment.strftime("%Y-%m-%d %H:%M") if moment else None


def hundredths(decimal: str) -> int:
    """"920.00" (as the tally writes areas) -> 92000."""
    whole, _sep, part = decimal.partition(".")
    return int(whole) * 100 + int((part + "00")[:2])


def site_url(path: str) -> str:
    return site.site_url(path)


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
        return minute(self.generated_at)


def register_numbers(kind: DocumentKind, estate_id: int, object_type: str, objects: Sequence[tuple[int, dict]],
              actor) -> list[Issued]:
    """Numbers for documents about to be drawn, one per (object id, data); flushes.

    The issue is recorded in the estate's audit chain first, and the chain's head after that
    event is what each document prints and the register keeps: paper on a notice board that
    anchors the chain outside the database (issue 12). A chain later rewritten, even with every
    hash recomputed, no longer has that head, and ``flask audit verify`` and the check page say so."""
    at = clock.now().replace(microsecond=0)
    numbers = _unused_numbers(len(objects), local(at).year)
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


def draw(template: str, **context) -> str:
    font = render.require_font()
    return render_template(template, font=font, check_url=site_url("/documents/check"), **context)


def one_pdf(kind: DocumentKind, template: str, estate_id: int, object_type: str, object_id: int, data: dict,
         actor, **context) -> bytes:
    render.require_font()  # before anything is registered
    issued = register_numbers(kind, estate_id, object_type, [(object_id, data)], actor)[0]
    with force_locale(LOCALE):
        return render.html_to_pdf(draw(template, doc=issued, data=data, **context))


# --- committee meetings (built by the package that keeps them) ----------------------------------------

def meeting_minutes_data(view: MeetingMinutesView) -> dict:
    if view.held_at.tzinfo is not None:
        view = _replace_held_at(view, local(view.held_at).replace(tzinfo=None))
    return view.data()


def _replace_held_at(view: MeetingMinutesView, held_at: dt.datetime) -> MeetingMinutesView:
    return dataclasses.replace(view, held_at=held_at)


def meeting_minutes_pdf(view: MeetingMinutesView, *, estate_id: int, meeting_id: int, actor) -> bytes:
    """业委会会议纪要, drawn from a ``MeetingMinutesView``. The caller commits.

    For the check page to tell whether such minutes are still current, the caller also
    registers, once, how to rebuild the view of a meeting:
    ``register_current_source(DocumentKind.MEETING_MINUTES, lambda meeting_id: view or None)``."""
    return one_pdf(DocumentKind.MEETING_MINUTES, "pdf/meeting_minutes.html", estate_id, "committee_meeting",
                meeting_id, meeting_minutes_data(view), actor)


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
        return minute(self.record.generated_at) if self.record else ""


_SOURCES: dict[DocumentKind, Callable[[int], MeetingMinutesView | dict | None]] = {}


def register_current_source(kind: DocumentKind, source: Callable[[int], MeetingMinutesView | dict | None]) -> None:
    """How to rebuild, today, the values of a document of ``kind`` about object ``id`` (None once
    the object is gone or would show nothing). Each package that prints a kind of document
    registers it once, at import of its ``printing`` module; this package knows none of them."""
    _SOURCES[kind] = source


def _data_now(record_: DocumentRecord) -> dict | None:
    data = _SOURCES[record_.kind](record_.object_id)
    if isinstance(data, MeetingMinutesView):
        return meeting_minutes_data(data)
    return data


def check(text: str, printed_head: str = "") -> Check:
    """Is ``text`` the number of a document this platform issued, and is that document current?
    And does the audit log still hold the head the document printed (and, if given, the head
    as typed from the paper copy)?"""
    number = rules.normalise_number(text)
    found = db.session.scalar(select(DocumentRecord).where(DocumentRecord.number == number)) if number else None
    if found is None:
        return Check(Status.UNKNOWN, number or (text or "").strip()[:40])
    estate = get_estate(found.estate_id)
    log, printed = _log_state(found), _printed_head(found, printed_head)
    if found.kind not in _SOURCES:  # e.g. minutes, in an installation without meetings
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
