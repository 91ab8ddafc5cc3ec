"""The hash chains of the audit log: appending, checking, and what tampering looks like."""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text

from governance_app.audit.chain import event_hash, genesis_hash
from governance_app.audit.models import AuditChainHead, AuditEvent
from governance_app.audit.services import PLATFORM_CHAIN, Break, _hashed_fields, record, verify
from governance_app.extensions import db


def chain_of(name: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.chain == name).order_by(AuditEvent.seq)).all()


def seqs(name: str) -> list[int]:
    return db.session.scalars(select(AuditEvent.seq).where(AuditEvent.chain == name)
                              .order_by(AuditEvent.seq)).all()


@pytest.fixture
def two_estates(make_estate):
    return make_estate("东一小区", "东一居民区", "东街道"), make_estate("西一小区", "西一居民区", "西街道")


@pytest.fixture
def five_events(two_estates):
    """Five events in the first estate's chain, and a few in the others around them."""
    east, west = two_estates
    record("test.platform", details={"n": 0})
    events = []
    for n in range(1, 6):
        events.append(record("test.east", estate_id=east.id, object_type="thing", object_id=n, details={"n": n}))
        record("test.west", estate_id=west.id, details={"n": n})
    db.session.commit()
    return [event.id for event in events]


def run_sql(statement: str, **params) -> None:
    db.session.execute(text(statement), params)
    db.session.commit()


# --- appending ---------------------------------------------------------------------------

def test_each_estate_and_the_platform_have_their_own_chain(two_estates):
    east, west = two_estates
    first = record("test.a", estate_id=east.id)
    second = record("test.a", estate_id=east.id)
    on_platform = record("test.p")
    other = record("test.b", estate_id=west.id)
    third = record("test.a", estate_id=east.id)
    db.session.commit()
    assert (first.chain, on_platform.chain, other.chain) == (f"estate:{east.id}", PLATFORM_CHAIN,
                                                              f"estate:{west.id}")
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert (on_platform.seq, other.seq) == (1, 1)


def test_events_of_one_estate_do_not_advance_another_estates_chain(two_estates):
    east, west = two_estates
    for _ in range(7):
        record("test.a", estate_id=east.id)
    db.session.commit()
    assert db.session.get(AuditChainHead, f"estate:{west.id}") is None
    assert record("test.b", estate_id=west.id).seq == 1
    assert record("test.a", estate_id=east.id).seq == 8


def test_each_event_links_to_the_previous_one(two_estates):
    east, _west = two_estates
    for n in range(4):
        record("test.a", estate_id=east.id, details={"n": n})
    db.session.commit()
    events = chain_of(f"estate:{east.id}")
    assert events[0].prev_hash == genesis_hash(f"estate:{east.id}")
    assert [event.prev_hash for event in events[1:]] == [event.hash for event in events[:-1]]
    assert len({event.hash for event in events}) == 4
    head = db.session.get(AuditChainHead, f"estate:{east.id}")
    assert (head.seq, head.hash) == (4, events[-1].hash)


def test_the_genesis_hash_differs_per_chain():
    assert genesis_hash("estate:1") != genesis_hash("estate:2") != genesis_hash(PLATFORM_CHAIN)


def test_the_hash_covers_every_field_and_the_previous_hash():
    fields = {"chain": "estate:1", "seq": 1, "action": "test", "details": {"a": 1}}
    base = event_hash(fields, "0" * 64)
    assert event_hash(fields, "1" * 64) != base
    assert event_hash({**fields, "details": {"a": 2}}, "0" * 64) != base
    assert event_hash({**fields, "seq": 2}, "0" * 64) != base
    assert event_hash(dict(reversed(list(fields.items()))), "0" * 64) == base  # key order does not matter


def test_record_keeps_the_actor_object_and_details(two_estates, make_user):
    east, _west = two_estates
    actor = make_user(login="clerk", name="王书记")
    event = record("test.a", estate_id=east.id, object_type="unit", object_id=42, details={"units": 3},
                   actor=actor)
    db.session.commit()
    assert (event.actor_id, event.actor_name, event.object_type, event.object_id, event.details) == \
        (actor.id, "王书记", "unit", "42", {"units": 3})


# --- checking --------------------------------------------------------------------------------

def test_an_intact_log_verifies(five_events):
    assert verify() == []


def test_an_empty_log_verifies(app_context):
    assert verify() == []


def test_the_orm_refuses_to_change_an_event(five_events):
    event = db.session.get(AuditEvent, five_events[2])
    event.details = {"n": 99}
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    event = db.session.get(AuditEvent, five_events[2])
    event.action = "test.other"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEvent, five_events[2]).details == {"n": 3}
    assert verify() == []


def test_the_orm_refuses_to_delete_an_event(five_events):
    db.session.delete(db.session.get(AuditEvent, five_events[2]))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert verify() == []


def test_changed_content_is_reported(two_estates, five_events):
    east, _west = two_estates
    run_sql("UPDATE audit_event SET details = :details WHERE id = :id",
            details=json.dumps({"n": 30}), id=five_events[2])
    assert verify() == [Break(f"estate:{east.id}", 3, five_events[2], "content does not match its hash")]


@pytest.mark.parametrize("column, value", [("action", "test.forged"), ("object_id", "7"), ("actor_name", "某人"),
                                           ("ip", "10.0.0.1")])
def test_any_changed_column_is_reported(two_estates, five_events, column, value):
    east, _west = two_estates
    run_sql(f"UPDATE audit_event SET {column} = :value WHERE id = :id", value=value, id=five_events[1])
    assert verify() == [Break(f"estate:{east.id}", 2, five_events[1], "content does not match its hash")]


def test_a_forger_who_rehashes_the_changed_event_breaks_the_next_link(two_estates, five_events):
    east, _west = two_estates
    forged = db.session.get(AuditEvent, five_events[1])
    fields = {**_hashed_fields(forged), "details": {"n": 20}}  # the event itself checks out again
    run_sql("UPDATE audit_event SET details = :details, hash = :hash WHERE id = :id",
            details=json.dumps({"n": 20}), hash=event_hash(fields, forged.prev_hash), id=forged.id)
    assert verify() == [Break(f"estate:{east.id}", 3, five_events[2], "previous hash does not match")]


def test_a_deleted_event_in_the_middle_is_reported_as_missing(two_estates, five_events):
    east, _west = two_estates
    run_sql("DELETE FROM audit_event WHERE id = :id", id=five_events[2])
    assert verify() == [Break(f"estate:{east.id}", 3, five_events[3], "missing event")]


def test_a_deleted_first_event_is_reported_as_missing(two_estates, five_events):
    east, _west = two_estates
    run_sql("DELETE FROM audit_event WHERE id = :id", id=five_events[0])
    assert verify() == [Break(f"estate:{east.id}", 1, five_events[1], "missing event")]


def test_a_deleted_last_event_is_reported_at_the_chain_head(two_estates, five_events):
    east, _west = two_estates
    run_sql("DELETE FROM audit_event WHERE id = :id", id=five_events[4])
    assert verify() == [Break(f"estate:{east.id}", 5, None, "events missing at the end of the chain")]


def test_a_chain_whose_events_were_all_deleted_is_reported(two_estates, five_events):
    """The head row remembers the chain even when no event of it is left."""
    east, _west = two_estates
    run_sql("DELETE FROM audit_event WHERE chain = :chain", chain=f"estate:{east.id}")
    assert verify() == [Break(f"estate:{east.id}", 1, None, "events missing at the end of the chain")]


def test_a_rewound_chain_head_is_reported(two_estates, five_events):
    """Deleting the last event and moving the head back with it is still seen: the
    head must match the last event exactly."""
    east, _west = two_estates
    run_sql("UPDATE audit_chain_head SET seq = 6 WHERE chain = :chain", chain=f"estate:{east.id}")
    assert verify() == [Break(f"estate:{east.id}", 6, None, "events missing at the end of the chain")]


def test_every_broken_chain_is_reported_once(two_estates, five_events):
    east, west = two_estates
    west_ids = db.session.scalars(select(AuditEvent.id).where(AuditEvent.chain == f"estate:{west.id}")
                                  .order_by(AuditEvent.seq)).all()
    run_sql("DELETE FROM audit_event WHERE id = :id", id=west_ids[1])
    run_sql("UPDATE audit_event SET details = :details WHERE id IN (:a, :b)",
            details=json.dumps({}), a=five_events[1], b=five_events[3])
    assert sorted(verify(), key=lambda found: found.chain) == sorted([
        Break(f"estate:{east.id}", 2, five_events[1], "content does not match its hash"),
        Break(f"estate:{west.id}", 2, west_ids[2], "missing event"),
    ], key=lambda found: found.chain)


def test_verify_checks_one_chain_when_asked(two_estates, five_events):
    east, west = two_estates
    run_sql("UPDATE audit_event SET details = :details WHERE id = :id",
            details=json.dumps({}), id=five_events[0])
    assert verify(f"estate:{west.id}") == []
    assert verify(PLATFORM_CHAIN) == []
    assert [found.seq for found in verify(f"estate:{east.id}")] == [1]


# --- flask audit verify --------------------------------------------------------------------

def test_the_command_says_intact(runner, five_events):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "audit log intact" in result.output


def test_the_command_reports_tampering_and_fails(runner, two_estates, five_events):
    east, _west = two_estates
    run_sql("UPDATE audit_event SET details = :details WHERE id = :id",
            details=json.dumps({"n": 4000}), id=five_events[3])
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN estate:{east.id} at seq 4" in result.stderr
    assert "content does not match its hash" in result.stderr
    assert "audit log intact" not in result.output


def test_the_command_checks_one_chain(runner, two_estates, five_events):
    east, west = two_estates
    run_sql("DELETE FROM audit_event WHERE id = :id", id=five_events[4])
    assert runner.invoke(args=["audit", "verify", "--chain", f"estate:{west.id}"]).exit_code == 0
    result = runner.invoke(args=["audit", "verify", "--chain", f"estate:{east.id}"])
    assert result.exit_code == 1
    assert f"BROKEN estate:{east.id} at seq 5 (chain head)" in result.stderr


# --- concurrent appends (PostgreSQL) -----------------------------------------------------------

THREADS = 8
EVENTS_PER_THREAD = 25


def append_concurrently(app, chains_for_thread) -> None:
    """THREADS threads, each in its own app context and session, append EVENTS_PER_THREAD
    events at once, one transaction each, retrying nothing: any lost or doubled link fails."""
    start = threading.Barrier(THREADS)

    def work(thread: int) -> None:
        with app.app_context():
            start.wait(timeout=30)
            for n in range(EVENTS_PER_THREAD):
                record("test.concurrent", estate_id=chains_for_thread(thread, n),
                       details={"thread": thread, "n": n})
                db.session.commit()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        for future in [pool.submit(work, thread) for thread in range(THREADS)]:
            future.result(timeout=120)


def need_postgres(is_postgres: bool) -> None:
    if not is_postgres:
        pytest.skip("SQLite serialises writers, so appends cannot race there; "
                    "this runs on PostgreSQL (TEST_DATABASE_URL, the CI's second pass)")


def test_concurrent_appends_to_one_chain_lose_no_link(app, is_postgres, two_estates):
    need_postgres(is_postgres)
    east, _west = two_estates
    db.session.commit()
    east_id = east.id  # read here: the threads must not load attributes through this test's session
    append_concurrently(app, lambda thread, n: east_id)
    db.session.rollback()
    assert verify() == []
    assert seqs(f"estate:{east.id}") == list(range(1, THREADS * EVENTS_PER_THREAD + 1))
    assert db.session.get(AuditChainHead, f"estate:{east.id}").seq == THREADS * EVENTS_PER_THREAD


def test_concurrent_appends_to_two_chains_keep_them_apart(app, is_postgres, two_estates):
    need_postgres(is_postgres)
    east, west = two_estates
    db.session.commit()
    ids = (east.id, west.id)  # read here: the threads must not load attributes through this test's session
    append_concurrently(app, lambda thread, n: ids[(thread + n) % 2])
    db.session.rollback()
    assert verify() == []
    half = THREADS * EVENTS_PER_THREAD // 2
    assert seqs(f"estate:{east.id}") == list(range(1, half + 1))
    assert seqs(f"estate:{west.id}") == list(range(1, half + 1))
