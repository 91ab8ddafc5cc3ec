"""Writing and checking the audit log."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select, union, update

from ..core import clock
from ..extensions import db
from .chain import MIN_TYPED_HASH, event_hash, genesis_hash, normalise_hash
from .models import AuditChainHead, AuditEvent

PLATFORM_CHAIN = "platform"


def chain_for(estate_id: int | None) -> str:
    return f"estate:{estate_id}" if estate_id is not None else PLATFORM_CHAIN


def _hashed_fields(event: AuditEvent) -> dict:
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=dt.timezone.utc)
    return {
        "chain": event.chain, "seq": event.seq, "at": at.astimezone(dt.timezone.utc).isoformat(),
        "actor": event.actor_id, "actor_name": event.actor_name, "action": event.action,
        "object_type": event.object_type, "object_id": event.object_id, "estate": event.estate_id,
        "ip": event.ip, "details": event.details,
    }


def _lock_head(chain: str) -> AuditChainHead:
    """The chain's head row, locked until the transaction ends."""
    # A no-op UPDATE takes the row lock on PostgreSQL and the write lock on SQLite, so
    # appends to one chain wait for each other on both.
    db.session.execute(update(AuditChainHead).where(AuditChainHead.chain == chain)
                       .values(seq=AuditChainHead.seq))
    statement = select(AuditChainHead).where(AuditChainHead.chain == chain).with_for_update()
    head = db.session.scalars(statement.execution_options(populate_existing=True)).one_or_none()
    if head is not None:
        return head
    dialect = db.engine.dialect.name
    values = {"chain": chain, "seq": 0, "hash": genesis_hash(chain)}
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        db.session.execute(pg_insert(AuditChainHead).values(values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        db.session.execute(sqlite_insert(AuditChainHead).values(values).on_conflict_do_nothing())
    return db.session.scalars(statement.execution_options(populate_existing=True)).one()


def record(action: str, *, estate_id: int | None = None, object_type: str = "", object_id: object = "",
           details: dict | None = None, actor=None) -> AuditEvent:
    """Append an event to the estate's chain (or the platform's); flushes, does not commit.

    The actor defaults to the signed-in user, the address to the request's.
    """
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    chain = chain_for(estate_id)
    head = _lock_head(chain)
    event = AuditEvent(
        chain=chain, seq=head.seq + 1, at=clock.now().replace(microsecond=0),
        actor_id=getattr(actor, "id", None), actor_name=getattr(actor, "display_name", "") or "",
        action=action, object_type=object_type, object_id=str(object_id) if object_id != "" else "",
        estate_id=estate_id, ip=(request.remote_addr or "") if has_request_context() else "",
        details=details or {}, prev_hash=head.hash, hash="",
    )
    event.hash = event_hash(_hashed_fields(event), head.hash)
    db.session.add(event)
    head.seq, head.hash = event.seq, event.hash
    db.session.flush()
    return event


_ROW = object()  # created's default: the row's own estate_id / id


def created(row, action: str, *, object_type: str, estate_id=_ROW, object_id=_ROW, details: dict | None = None,
            actor=None):
    """Add ``row``, flush it so it has its id, and record ``action`` about it; returns ``row``
    (Decidim's ``traceability.create!``). The event's estate is ``row.estate_id`` and its object
    ``row.id`` unless given (an event about the row's parent names the parent).

    The arguments are evaluated before the row is flushed: ``details`` must not need its id.
    """
    db.session.add(row)
    db.session.flush()
    record(action, estate_id=row.estate_id if estate_id is _ROW else estate_id, object_type=object_type,
           object_id=row.id if object_id is _ROW else object_id, details=details, actor=actor)
    return row


@dataclass(frozen=True)
class Break:
    chain: str
    seq: int
    event_id: int | None
    reason: str


def verify(chain: str | None = None) -> list[Break]:
    """Walk every chain (or one) and report the first broken link of each."""
    # The heads too: a chain whose events were all deleted still has its head row.
    chains = [chain] if chain else list(db.session.scalars(
        union(select(AuditEvent.chain), select(AuditChainHead.chain)).order_by("chain")))
    breaks = []
    for name in chains:
        problem = _verify_chain(name)
        if problem:
            breaks.append(problem)
    return breaks


def _verify_chain(chain: str) -> Break | None:
    previous, expected_seq = genesis_hash(chain), 1
    # yield_per streams through a server-side cursor on PostgreSQL: close it on an early return.
    with db.session.scalars(
            select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)
            .execution_options(yield_per=1000)) as events:
        for event in events:
            if event.seq != expected_seq:
                return Break(chain, expected_seq, event.id, "missing event")
            if event.prev_hash != previous:
                return Break(chain, event.seq, event.id, "previous hash does not match")
            if event_hash(_hashed_fields(event), event.prev_hash) != event.hash:
                return Break(chain, event.seq, event.id, "content does not match its hash")
            previous, expected_seq = event.hash, expected_seq + 1
    head = db.session.get(AuditChainHead, chain)
    if head is not None and (head.seq != expected_seq - 1 or head.hash != previous):
        return Break(chain, expected_seq, None, "events missing at the end of the chain")
    return None




# --- anchors: heads of a chain kept outside the database ----------------------------------------

@dataclass(frozen=True)
class Anchor:
    """A chain's head as something outside the database holds it: the hash of event ``seq``
    of ``chain``. ``hash`` may be a prefix of at least MIN_TYPED_HASH characters (typed from
    paper); ``source`` says where it comes from ("document GV-2026-...", "typed")."""

    chain: str
    seq: int
    hash: str
    source: str = ""


def head(chain: str) -> Anchor:
    """The chain's head as it stands in this transaction (after the caller's last record)."""
    found = db.session.get(AuditChainHead, chain)
    if found is None:
        return Anchor(chain, 0, genesis_hash(chain))
    return Anchor(chain, found.seq, found.hash)


def parse_anchor(chain: str, seq: str, hash_text: str, source: str = "typed") -> Anchor:
    """An anchor from what someone typed; ``ValueError`` saying what is wrong."""
    if not re.fullmatch(r"estate:\d+|platform", chain.strip()):
        raise ValueError(f"chain {chain!r} is neither estate:ID nor platform")
    if not seq.strip().isdigit():
        raise ValueError(f"event number {seq!r} is not a number")
    digest = normalise_hash(hash_text)
    if digest is None:
        raise ValueError(f"hash {hash_text!r} is not {MIN_TYPED_HASH} to 64 hexadecimal characters")
    return Anchor(chain.strip(), int(seq), digest, source)


AnchorSource = Callable[[], Iterable[Anchor]]
_ANCHOR_SOURCES: list[AnchorSource] = []


def register_anchor_source(source: AnchorSource) -> None:
    """Packages that hand heads outside the database (documents print them) say where they
    keep them, so that ``verify_anchors`` checks them all."""
    if source not in _ANCHOR_SOURCES:
        _ANCHOR_SOURCES.append(source)


def recorded_anchors() -> list[Anchor]:
    return [anchor for source in _ANCHOR_SOURCES for anchor in source()]


def anchor_break(anchor: Anchor) -> Break | None:
    """None while the chain still has event ``seq`` with that hash; else what is wrong. A chain
    rewritten whole (every hash recomputed) passes ``verify`` but fails here."""
    if anchor.seq == 0:
        return None if genesis_hash(anchor.chain).startswith(anchor.hash) else Break(
            anchor.chain, 0, None, f"{anchor.source}: not the start of this chain")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.chain == anchor.chain,
                                                        AuditEvent.seq == anchor.seq)).one_or_none()
    if event is None:
        return Break(anchor.chain, anchor.seq, None, f"{anchor.source} recorded this event; the log has none")
    if not event.hash.startswith(anchor.hash):
        return Break(anchor.chain, anchor.seq, event.id,
                     f"{anchor.source} recorded hash {anchor.hash}; the log has {event.hash}")
    return None


def verify_anchors(anchors: Iterable[Anchor], chain: str | None = None) -> list[Break]:
    """Every anchor (of ``chain``, or of every chain) whose event is missing or different."""
    return [found for anchor in anchors if chain is None or anchor.chain == chain
            for found in [anchor_break(anchor)] if found is not None]
