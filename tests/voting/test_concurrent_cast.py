"""R-30 under load: 200 concurrent cast requests for 100 voters, served by two gunicorn
processes on PostgreSQL, leave exactly 100 ballots and an intact chain.

Each request is the real one: a signed session cookie for a live server-side session,
the form's CSRF token, and a TOTP code for the step-up check. Every voter sends the
same request twice at once, as a double tap does.
"""
from __future__ import annotations

import datetime as dt
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from governance_app.core import clock as platform_clock
from governance_app.auth import services as auth_services
from governance_app.auth.models import Role
from governance_app.estates import services as estate_services
from governance_app.extensions import db
from governance_app.voting import bundle, services
from governance_app.voting.models import Ballot, ItemKind, VoteState
from tests.conftest import owner_row, roll_csv

VOTERS = 100


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {process.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            finally:
                connection.close()
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


@pytest.fixture
def server(app, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL (CI runs this in its PostgreSQL pass)")
    port = _free_port()
    env = {**os.environ, "GOVERNANCE_ENV": "development", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": app.config["SECRET_KEY"], "TOTP_ENCRYPTION_KEY": app.config["TOTP_ENCRYPTION_KEY"],
           "ID_HASH_KEY": app.config["ID_HASH_KEY"]}
    env.pop("REDIS_URL", None)
    gunicorn = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                "--log-level", "warning", "governance_app:create_app()"]
    process = subprocess.Popen(gunicorn, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(port, process)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        process.stderr.close()


@pytest.fixture
def open_vote_with_voters(app, make_estate, make_user):
    estate = make_estate("并发小区")
    rows = [owner_row(str(1 + n // 20), f"{1 + n // 20}-{n % 20 + 101}", "80.00", f"业主{n}", f"ID{n:016d}")
            for n in range(VOTERS)]
    assert estate_services.import_roll(estate, roll_csv(rows), "roll.csv").ok
    committee = make_user(Role.COMMITTEE_MEMBER, estate, login="committee")
    today = platform_clock.today()  # the estate's day (Shanghai), as the notice rule counts it
    vote = services.create_vote(estate, title="并发测试", description="", opening_date=today + dt.timedelta(days=15),
                                last_day=today + dt.timedelta(days=20), buildings=None,
                                actor=committee)
    services.add_item(vote, kind=ItemKind.RESOLUTION, matter=5, title="加装电梯")
    services.publish_notice(vote, committee)
    # The 15 days of notice have passed for this test: open it now, in real time.
    vote.opens_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    vote.state = VoteState.OPEN
    db.session.commit()
    voters = []
    for status in auth_services.voter_statuses(estate):
        user = make_user(owner=status.owner, login=f"1{status.owner.id:010d}")
        voters.append((user, status.voter.key))
    return vote, voters


def _cookie_and_token(app, user) -> tuple[str, str]:
    """What a browser holds after signing in and opening the ballot page."""
    session = auth_services.open_session(user, "127.0.0.1", "load-test")
    raw_csrf = secrets.token_hex(20)
    cookie = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": session.token, "_fresh": True, "csrf_token": raw_csrf})
    form_token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token").dumps(raw_csrf)
    return cookie, form_token


def test_r30_200_concurrent_casts_for_100_voters_leave_100_ballots(app, server, open_vote_with_voters):
    vote, voters = open_vote_with_voters
    url = f"/votes/{vote.id}/ballot/confirm"
    requests = []
    for user, voter_key in voters:
        cookie, token = _cookie_and_token(app, user)
        body = urllib.parse.urlencode({"csrf_token": token, "voter": voter_key, "item-i1": "approve",
                                       "code": user.totp.code_at(int(time.time()))})
        requests += [(cookie, body)] * 2
    db.session.commit()
    start = threading.Barrier(50)

    def post(request):
        cookie, body = request
        try:
            start.wait(timeout=5)
        except threading.BrokenBarrierError:
            pass
        connection = http.client.HTTPConnection("127.0.0.1", server, timeout=60)
        try:
            connection.request("POST", url, body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"session={cookie}"})
            response = connection.getresponse()
            response.read()
            return response.status, response.getheader("Location") or ""
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(post, requests))

    assert all(status == 302 and "/receipt" in location for status, location in outcomes), outcomes[:5]
    db.session.expire_all()
    ballots = db.session.scalars(select(Ballot).where(Ballot.vote_id == vote.id).order_by(Ballot.seq)).all()
    assert len(ballots) == VOTERS
    assert len({b.voter for b in ballots}) == VOTERS
    assert [b.seq for b in ballots] == list(range(1, VOTERS + 1))
    # owners-vote/2: the chain the database extends starts from the vote id and its commitment.
    assert vote.commitment is not None
    previous = bundle.chain_start(vote.uid, vote.commitment)
    for ballot in ballots:
        previous = bundle.chain_next(previous, ballot.tracker)
        assert ballot.chain == previous
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == VOTERS
    assert re.fullmatch(r"[0-9a-f]{64}", ballots[-1].chain)


def test_r30_a_ballot_written_while_a_cast_waits_for_the_chain(app, is_postgres, open_vote_with_voters):
    """The voter's other ballot is written, and committed, while this cast waits for the chain's
    head: the cast writes nothing and says so (its transaction still usable), the chain does not
    move for it, and the voter keeps one ballot."""
    if not is_postgres:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL (CI runs this in its PostgreSQL pass)")
    from sqlalchemy import insert, text, update

    from governance_app.auth.models import User
    from governance_app.voting.models import BallotStatus, Channel, VoteChainHead
    from governance_app.voting.services import VoteError

    vote, voters = open_vote_with_voters
    voter, vote_id, user_id = voters[0][1], vote.id, voters[0][0].id
    heads, ballots = VoteChainHead.__table__, Ballot.__table__
    other = db.engine.connect()
    first = other.begin()
    seq, previous = other.execute(select(heads.c.seq, heads.c.chain).where(heads.c.vote_id == vote_id)
                                  .with_for_update()).one()
    at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    text_at = services.received_text(at)
    tracker = bundle.tracker(vote.uid, voter, "paper", text_at, "valid", {"i1": "oppose"}, "00" * 16)
    chain = bundle.chain_next(previous, tracker)
    other.execute(insert(ballots).values(
        vote_id=vote_id, seq=seq + 1, voter=voter, channel=Channel.PAPER, received_at=at, received_text=text_at,
        status=BallotStatus.VALID, late=False, choices={"i1": "oppose"}, nonce="00" * 16, tracker=tracker,
        chain=chain))
    other.execute(update(heads).where(heads.c.vote_id == vote_id).values(seq=seq + 1, chain=chain))
    outcome = {}

    def cast():
        with app.app_context():
            try:
                waiting_vote, caster = services.get_vote(vote_id), db.session.get(User, user_id)
                mandate = services.mandate_for(caster, waiting_vote, voter)
                outcome["cast"] = services.cast_online(waiting_vote, caster, mandate, {"i1": "approve"})
                db.session.commit()
            except VoteError as error:
                outcome["refused"] = error
                db.session.rollback()
            finally:
                db.session.remove()

    thread = threading.Thread(target=cast)
    thread.start()
    try:
        # Each look in its own transaction: within one, PostgreSQL shows the same pg_stat_activity.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as watch:
            deadline = time.monotonic() + 10
            while watch.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND wait_event_type = 'Lock'")).scalar() == 0:
                assert time.monotonic() < deadline, "the cast never waited for the chain"
                time.sleep(0.02)
        first.commit()
    finally:
        other.close()  # rolls back if the commit was not reached, so that the cast and the teardown go on
        thread.join(timeout=30)
    assert outcome == {"cast": False}, outcome
    db.session.expire_all()
    written = db.session.scalars(select(Ballot).where(Ballot.vote_id == vote_id).order_by(Ballot.seq)).all()
    assert [(b.voter, b.channel.value, b.seq) for b in written] == [(voter, "paper", seq + 1)]
    head = db.session.get(VoteChainHead, vote_id)
    assert (head.seq, head.chain) == (seq + 1, chain)


def test_r30_the_append_finds_the_voters_ballot_by_its_index_whatever_the_statistics(app, is_postgres,
                                                                                     open_vote_with_voters):
    """Whether the voter has a ballot is decided by the unique constraint's index, not by a query
    the planner may turn into a scan of the ballots: planned while the table was empty and
    analysed (a vote's first minutes), such a scan would be kept and grow with every ballot."""
    if not is_postgres:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL (CI runs this in its PostgreSQL pass)")
    from sqlalchemy.dialects import postgresql

    vote, voters = open_vote_with_voters
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE ballot")
    compiled = services._APPEND_IN_ONE.compile(dialect=postgresql.dialect())
    values = {"vote_id": vote.id, "voter": voters[0][1], "channel": "online", "received_at": dt.datetime.now(dt.timezone.utc),
              "received_text": "", "status": "valid", "late": False, "choices": "{}", "nonce": "0" * 32,
              "tracker": "0" * 64, "cast_by_id": None, "proxy_id": None, "paper_entry_id": None, "scan_id": None}
    parameters = {**compiled.params, **{f"new_{name}": value for name, value in values.items()}}
    plan = "\n".join(row[0] for row in db.session.connection().exec_driver_sql(f"EXPLAIN {compiled}", parameters))
    db.session.rollback()
    assert "Conflict Arbiter Indexes: uq_ballot_vote_id_voter" in plan, plan
    assert "on ballot" not in plan.replace("Insert on ballot", ""), plan
