"""Benchmark: the sub-district's supervision dashboard for 500 estates with a year of activity each.

Run from the project root:

    .venv/bin/python bench/supervision.py                       # 500 estates on PostgreSQL
    .venv/bin/python bench/supervision.py --estates 50 --runs 5
    .venv/bin/python bench/supervision.py --database sqlite     # a temporary SQLite file instead
    .venv/bin/python bench/supervision.py --profile             # cProfile of one more request, by own time

A fresh database ``bench_supervision_<pid>`` on ``postgresql://postgres@127.0.0.1:5432``
(``--postgres-url`` or ``BENCH_POSTGRES_URL``) gets its schema from the migrations and is dropped at
the end. Each estate gets, written in bulk: a committee of 5 (terms ending from 100 days ago to
2.5 years ahead, so some have no committee and some are in the 6 months before their term ends),
its maintenance fund and common income opened a year ago with two entries a month and the
statements of the first half year, owners' questions (some answered), 12 committee meetings (the
newest not posted), 4 votes of the year (3 published with their results, 1 counted), and in one
estate of ten an open vote with a 60-unit frozen roll and 40 ballots; one estate of five has a
re-election under way and one of seven a finished one with its filing; one estate of four has an
owner on the red board (expiring within the month) and two on the black board (one in its objection
window, one whose objection waits for the committee's decision).

The tables are then analysed (``VACUUM ANALYZE``), as autovacuum would have left them.

Timed with ``time.perf_counter``: GET /supervision/ as the sub-district's supervisor through the
test client (server time, no network), the median and best of ``--runs``, with the CPU time of this
process (``time.process_time``, less sensitive to other jobs on the machine; the database's own work
is not in it); and the SQL statements it sent. The first request is a warm-up (templates compiled,
translations loaded) and not counted.
Prints figures and never fails on time. Target: under 1 s on PostgreSQL, statements independent
of the number of estates (``tests/supervision/test_pages.py`` counts them at 5 and 50 estates).
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT_POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")


def build_estates(make_estate, count: int, *, prefix: str = "", sub_district: str = "基准街道") -> list:
    """``count`` estates in ``sub_district`` (10 communities) with a year of activity each, in bulk.
    ``make_estate(name, community, sub_district)`` makes one estate (the tests' factory's shape)."""
    from sqlalchemy import insert

    from governance_app.auth.models import User
    from governance_app.core import clock
    from governance_app.disclosure.models import CommitteeMember, Meeting
    from governance_app.extensions import db
    from governance_app.funds.models import AccountKind, Entry, EntryState, FundAccount, Question, Statement
    from governance_app.supervision.models import ReElection, StageRecord
    from governance_app.voting.models import (
        Ballot, BallotStatus, Channel, Vote, VoteRollEntry, VoteState,
    )

    today, moment = clock.today(), clock.now()
    estates = [make_estate(f"{prefix}小区{number:03d}", f"{prefix}居民区{number % 10}", sub_district)
               for number in range(count)]
    actor = db.session.query(User).first()
    if actor is None:
        from governance_app.auth import services as auth_services

        actor = auth_services.create_user(f"{prefix}bench", "基准", "a-long-bench-password-1", actor=None)
        db.session.flush()
    members, accounts, meetings, votes, processes = [], [], [], [], []
    for number, estate in enumerate(estates):
        ends = today + dt.timedelta(days=(number * 37) % 1000 - 100)
        members += [{"estate_id": estate.id, "name": f"委员{k}", "role": "chair" if k == 0 else "member",
                     "term_start": ends - dt.timedelta(days=5 * 365), "term_end": ends} for k in range(5)]
        for kind in (AccountKind.MAINTENANCE_FUND, AccountKind.COMMON_INCOME):
            accounts.append({"estate_id": estate.id, "kind": kind.value, "opened_on": today - dt.timedelta(days=365),
                             "opening_balance": 1_000_000_00 if number % 9 else 100_000_00,
                             "first_period_amount": 1_000_000_00 if kind == AccountKind.MAINTENANCE_FUND else 0})
        meetings += [{"estate_id": estate.id, "title": f"第{k + 1}次会议", "place": "会议室",
                      "scheduled_at": moment - dt.timedelta(days=30 * (12 - k)), "agenda": "议程",
                      "agenda_posted_at": moment - dt.timedelta(days=30 * (12 - k) + 7), "members": [],
                      "present": None, "held_on": today - dt.timedelta(days=30 * (12 - k) - 1), "minutes": "",
                      "posted_at": None if k == 11 else moment - dt.timedelta(days=30 * (12 - k) - 2),
                      "created_by_id": actor.id} for k in range(12)]
        for k in range(4):
            closes = moment - dt.timedelta(days=80 * k + 10)
            counted = k == 0 and number % 3 == 0
            votes.append({"uid": f"{prefix}{number:04d}{k}", "estate_id": estate.id, "title": f"表决{k}",
                          "description": "", "buildings": None,
                          "state": (VoteState.COUNTED if counted else VoteState.PUBLISHED).value,
                          "opens_at": closes - dt.timedelta(days=7), "closes_at": closes,
                          "notice_at": closes - dt.timedelta(days=25), "counted_at": closes + dt.timedelta(hours=1),
                          "published_at": None if counted else closes + dt.timedelta(days=1),
                          "two_staff_paper": False, "commitment": None, "estate_name_at_notice": estate.name,
                          "final_chain": "0" * 64, "created_by_id": actor.id,
                          "created_at": closes - dt.timedelta(days=30),
                          "result": {"totals": {"area": "6000.00", "heads": 60},
                                     "participation": {"area": f"{4000 + number % 900}.00", "heads": 40 + k,
                                                       "met": True, "rule": "R-10"},
                                     "ballots": {}, "items": {}}})
        if number % 10 == 0:
            votes.append({"uid": f"{prefix}{number:04d}o", "estate_id": estate.id, "title": "投票中的表决",
                          "description": "", "buildings": None, "state": VoteState.OPEN.value,
                          "opens_at": moment - dt.timedelta(days=2), "closes_at": moment + dt.timedelta(days=5),
                          "notice_at": moment - dt.timedelta(days=20), "counted_at": None, "published_at": None,
                          "two_staff_paper": False, "commitment": None, "estate_name_at_notice": estate.name,
                          "final_chain": None, "created_by_id": actor.id, "created_at": moment - dt.timedelta(days=21),
                          "result": None})
        if number % 5 == 0 or number % 7 == 0:
            processes.append((estate, number % 5 == 0))
    db.session.execute(insert(CommitteeMember), members)
    db.session.execute(insert(FundAccount), accounts)
    db.session.execute(insert(Meeting), meetings)
    db.session.execute(insert(Vote), votes)
    db.session.flush()
    ids = [e.id for e in estates]
    fund_accounts = db.session.query(FundAccount).filter(FundAccount.estate_id.in_(ids)).all()
    entries, statements = [], []
    for account in fund_accounts:
        for month in range(24):
            day = account.opened_on + dt.timedelta(days=15 * month + 1)
            entries.append({"estate_id": account.estate_id, "account_id": account.id, "state": EntryState.POSTED.value,
                            "day": day, "direction": "in" if month % 2 else "out", "amount": 1000_00 + month,
                            "category": "interest" if month % 2 else "repair", "counterparty": "银行",
                            "description": "", "created_at": moment})
        statements.append({"estate_id": account.estate_id, "account_id": account.id, "period_start": account.opened_on,
                           "period_end": account.opened_on + dt.timedelta(days=180), "opening_balance": 0,
                           "closing_balance": 0, "totals": {}, "entry_ids": [], "published_at": moment,
                           "published_by_id": actor.id})
    db.session.execute(insert(Entry), entries)
    db.session.execute(insert(Statement), statements)
    first_entries = dict(db.session.query(Entry.estate_id, Entry.id).filter(Entry.estate_id.in_(ids)).order_by(
        Entry.id.desc()).all())
    db.session.execute(insert(Question), [
        {"estate_id": estate_id, "entry_id": entry_id, "asked_by_id": actor.id, "text": "这笔是什么？",
         "asked_at": moment - dt.timedelta(days=20 + k), "answer": "已答复" if k else None,
         "answered_by_id": actor.id if k else None, "answered_at": moment if k else None}
        for estate_id, entry_id in first_entries.items() for k in range(2)])
    open_votes = db.session.query(Vote).filter(Vote.estate_id.in_(ids), Vote.state == VoteState.OPEN).all()
    for vote in open_votes:
        db.session.execute(insert(VoteRollEntry), [
            {"vote_id": vote.id, "unit": f"1-{u:03d}", "building": "1", "area": 100_00, "area_source": "registry",
             "voter": f"v{u}"} for u in range(60)])
        db.session.execute(insert(Ballot), [
            {"vote_id": vote.id, "seq": u + 1, "voter": f"v{u}", "channel": Channel.ONLINE.value, "received_at": moment,
             "received_text": "t", "status": BallotStatus.VALID.value, "late": False, "choices": {}, "nonce": "n",
             "tracker": f"{u:064d}", "chain": "0" * 64} for u in range(40)])
    for estate, under_way in processes:
        process = ReElection(estate_id=estate.id, kind="reelection", term_ends_on=today + dt.timedelta(days=150),
                             started_by_id=actor.id, started_at=moment, posting_days=7,
                             closed_on=None if under_way else today - dt.timedelta(days=10))
        db.session.add(process)
        db.session.flush()
        start = today - dt.timedelta(days=120 if under_way else 200)
        stages = ["report", "group", "plan"] if under_way else ["report", "group", "plan", "nominations", "review",
                                                               "posting", "election", "result", "filing"]
        db.session.execute(insert(StageRecord), [
            {"reelection_id": process.id, "stage": stage, "happened_on": start + dt.timedelta(days=10 * k),
             "due_on": None, "recorded_by_id": actor.id, "recorded_at": moment, "note": "", "file_id": None}
            for k, stage in enumerate(stages)])
    _board_entries([e for number, e in enumerate(estates) if number % 4 == 0], actor)
    db.session.commit()
    return estates


def _board_entries(estates: list, actor) -> None:
    """A red-board entry expiring within the month and two black-board entries, notified 2 and 20
    days ago (7-day objection window), the older one objected to: three of the board's duties."""
    from sqlalchemy import insert, select

    from governance_app.core import clock
    from governance_app.estates.models import Owner, OwnerKind
    from governance_app.extensions import db
    from governance_app.pledges.models import Board, BoardEntry, BoardObjection, Step

    if not estates:
        return
    today, moment = clock.today(), clock.now()
    db.session.execute(insert(Owner), [{"estate_id": e.id, "kind": OwnerKind.PERSON.value, "name": "张三",
                                        "id_doc_hash": "0" * 64, "id_doc_last4": "0000"} for e in estates])
    owners = dict(db.session.execute(select(Owner.estate_id, Owner.id).where(
        Owner.estate_id.in_([e.id for e in estates]))).all())
    common = {"reason": "基准", "nominated_as": "committee", "nominated_by_id": actor.id, "created_at": moment}
    entries = []
    for estate in estates:
        subject = {"estate_id": estate.id, "subject_owner_id": owners[estate.id], **common}
        entries += [{**subject, "board": Board.RED.value, "step": Step.SHOWN.value,
                     "expires_on": today + dt.timedelta(days=20)},
                    *({**subject, "board": Board.BLACK.value, "step": Step.NOTIFIED.value,
                       "notified_on": today - dt.timedelta(days=days), "objection_days": 7} for days in (2, 20))]
    db.session.execute(insert(BoardEntry), entries)
    objected = db.session.scalars(select(BoardEntry.id).where(
        BoardEntry.estate_id.in_([e.id for e in estates]), BoardEntry.notified_on == today - dt.timedelta(days=20)))
    db.session.execute(insert(BoardObjection), [{"entry_id": entry_id, "reasons": "异议", "filed_by_id": actor.id,
                                                 "filed_at": moment} for entry_id in objected])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--estates", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--profile", action="store_true", help="cProfile one more request after the timed runs")
    parser.add_argument("--profile-limit", type=int, default=40, help="lines of profile to print (default 40)")
    args = parser.parse_args(argv)

    from postgres import PostgresDatabase, Unreachable

    database = None
    if args.database == "postgresql":
        database = PostgresDatabase(args.postgres_url, "bench_supervision")
        try:
            url = database.create()
        except Unreachable as error:
            print(f"PostgreSQL unreachable: {error}")
            return 1
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    try:
        return run(url, args)
    finally:
        if database is not None:
            database.drop()


def run(url: str, args) -> int:
    from flask_migrate import upgrade
    from sqlalchemy import event

    from governance_app import create_app
    from governance_app.auth import services as auth_services
    from governance_app.auth.models import Role, ScopeKind, utcnow
    from governance_app.estates import services as estate_services
    from governance_app.extensions import db

    app = create_app({"GOVERNANCE_ENV": "testing", "TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        started = time.perf_counter()

        def make_estate(name, community, sub_district):
            return estate_services.ensure_estate(estate_services.ensure_community(
                estate_services.ensure_sub_district(sub_district), community), name)

        estates = build_estates(make_estate, args.estates)
        print(f"{args.estates} estates with a year of activity built in {time.perf_counter() - started:.1f} s")
        # The planner's statistics, as autovacuum would have them after a year (bulk writes leave none).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE" if args.database == "postgresql" else "ANALYZE")
        supervisor = auth_services.create_user("bench-supervisor", "督导", "a-long-bench-password-1", actor=None,
                                               grants=[(Role.SUBDISTRICT_SUPERVISOR, ScopeKind.SUB_DISTRICT,
                                                        estates[0].community.sub_district_id)])
        auth_services.start_totp_enrolment(supervisor)  # staff accounts sign in with a second factor
        supervisor.totp_confirmed_at = utcnow()
        session = auth_services.open_session(supervisor, "127.0.0.1", "bench")
        db.session.commit()
        token, engine = session.token, db.engine
        middle_estate = estates[len(estates) // 2].id
    # Each request in its own application context, as in production (inside the one above, every
    # request would share its database session and its cached language).
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"] = token, True
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *_a: statements.append(1))
    assert client.get("/supervision/").status_code == 200  # warm-up: templates and catalogues loaded
    times, cpu = [], []
    for _run in range(args.runs):
        statements.clear()
        begin, begin_cpu = time.perf_counter(), time.process_time()
        response = client.get("/supervision/")
        times.append(time.perf_counter() - begin)
        cpu.append(time.process_time() - begin_cpu)
        assert response.status_code == 200, response.status_code
    print(f"GET /supervision/ ({args.database}, {args.estates} estates): median {statistics.median(times):.3f} s, "
          f"best {min(times):.3f} s, worst {max(times):.3f} s over {args.runs} runs; CPU median "
          f"{statistics.median(cpu):.3f} s, best {min(cpu):.3f} s; "
          f"{len(statements)} SQL statements; {len(response.data) // 1024} KiB")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        client.get("/supervision/")
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(args.profile_limit)
        stats.sort_stats("cumulative").print_stats(args.profile_limit)
    print("target: under 1 s of server time on PostgreSQL")
    with app.app_context():  # what one committee's home page asks: the duties of its one estate
        from governance_app.core import clock
        from governance_app.core.duties import gather

        one, today = middle_estate, clock.today()
        gather([one], today)
        one_times = []
        for _run in range(args.runs):
            begin = time.perf_counter()
            gather([one], today)
            one_times.append(time.perf_counter() - begin)
    print(f"duties of one estate among {args.estates} (a committee's home page): median "
          f"{statistics.median(one_times) * 1000:.1f} ms, best {min(one_times) * 1000:.1f} ms over {args.runs} runs")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
