"""Writing and checking the audit log."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select, union, update

from ..extensions import db
from .chain import event_hash, genesis_hash
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
        chain=chain, seq=head.seq + 1, at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
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


