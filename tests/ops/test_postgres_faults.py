"""Faults with the real components (issue 21): PostgreSQL restarted under a cast load, a gunicorn
worker killed in the middle of a cast and of a publish, the database's disk full and the upload's
disk full, and an upload cut half-way. Afterwards nothing receipted is lost, nothing is half-written,
and every chain verifies.

Everything runs against a private PostgreSQL cluster and a private gunicorn (tests/ops/servers.py):
the machine's own servers, which other tests use at the same time, are never stopped.
"""
from __future__ import annotations

import os
import queue
import re
import resource
import socket
import threading
import time
import urllib.parse
import uuid

import psycopg
import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from governance_app.core import clock as platform_clock
from governance_app import create_app
from governance_app.audit import services as audit
from governance_app.backup.services import _check_files, _check_votes
from governance_app.extensions import db
from governance_app.files.models import StoredFile
from governance_app.funds import services as funds
from governance_app.funds.models import AccountKind, EntryEvidence
from governance_app.voting.models import Ballot, Notification, Vote, VoteChainHead, VoteState
from tests.ops import scene as scenes
from tests.ops.servers import Gunicorn, PrivatePostgres, app_environment, http_request, wait_until

BUSY = "系统繁忙，请稍后再试"
RESERVED = 3  # owners kept out of the load, for the tests that kill a worker in their cast


@pytest.fixture(scope="module")
def cluster():
    server = PrivatePostgres(wal_segment_mb=1)
    server.start()
    yield server
    server.destroy()


@pytest.fixture(scope="module")
def ops(cluster):
    """The application on the private cluster, with the scene built in it."""
    app = create_app({"GOVERNANCE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": cluster.create_database("ops"),
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        upgrade()
        app.scene = scenes.build(80, counted_vote=True)
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def web(ops):
    server = Gunicorn(app_environment(ops))
    yield server
    server.stop()


@pytest.fixture
def ctx(ops):
    with ops.app_context():
        yield
        db.session.remove()


def cast_body(app, person, vote_id: int, code: str | None = None) -> tuple[dict, str]:
    cookie, token = scenes.browser_state(app, person)
    body = urllib.parse.urlencode({"csrf_token": token, "voter": person.voter, "item-i1": "approve", "item-i2": "p1",
                                   "code": code or person.totp.code_at(int(time.time()))})
    return {"Cookie": f"session={cookie}", "Content-Type": "application/x-www-form-urlencoded"}, body


def assert_busy_page(status: int, headers: dict, body: str) -> None:
    assert status == 503, (status, body[:300])
    assert headers.get("retry-after") == "30"
    assert BUSY in body and "Traceback" not in body
    quoted = re.search(r'<p class="request-id">[^<]*<code>([0-9a-f]{32})</code>', body)
    assert quoted and quoted.group(1) == headers["x-request-id"]


def everything_verifies() -> None:
    """Every audit chain, every vote's ballots (re-chained, counted ones re-counted), every stored
    file's content against its hash; and no evidence pointing at a missing file."""
    assert audit.verify() == []
    assert _check_votes() == []
    assert _check_files() == []
    orphans = db.session.scalar(select(func.count()).select_from(EntryEvidence).outerjoin(
        StoredFile, StoredFile.id == EntryEvidence.file_id).where(StoredFile.id.is_(None)))
    assert orphans == 0


def holder(cluster) -> psycopg.Connection:
    return psycopg.connect(f"host=127.0.0.1 port={cluster.port} user=postgres dbname=ops")


def waiting_writer(cluster, timeout: float = 15) -> int:
    """The backend that wrote in its transaction and now waits for a lock the test holds."""
    with psycopg.connect(f"host=127.0.0.1 port={cluster.port} user=postgres dbname=ops", autocommit=True) as watch:
        def find():
            return watch.execute("SELECT pid FROM pg_stat_activity WHERE datname = 'ops' AND wait_event_type = 'Lock' "
                                 "AND backend_xid IS NOT NULL").fetchone()
        return wait_until(find, timeout, "a request that wrote and waits for the lock")[0]


def backend_gone(cluster, pid: int) -> None:
    with psycopg.connect(f"host=127.0.0.1 port={cluster.port} user=postgres dbname=ops", autocommit=True) as watch:
        wait_until(lambda: watch.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,))
                   .fetchone()[0] == 0, 15, "the killed request's backend ending")


def in_background(call) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def run():
        try:
            outcome["response"] = call()
        except Exception as error:  # noqa: BLE001 (the worker is killed: the connection breaks)
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


# --- PostgreSQL restarted under load ------------------------------------------------------------------

def test_postgres_restarted_during_a_cast_load_loses_no_receipted_ballot(ops, web, cluster, ctx):
    scene = ops.scene
    vote_id = scene.open_vote
    load = [p for p in scene.owners[:-RESERVED] if p.voter not in scene.voted]
    pending: queue.Queue = queue.Queue()
    for person in load:
        pending.put(person)
    receipted: dict[str, float] = {}
    busy: list[float] = []
    unexpected: list[tuple] = []
    pages: list[int] = []
    stop_reading = threading.Event()

    def caster():
        while True:
            try:
                person = pending.get_nowait()
            except queue.Empty:
                return
            while True:
                headers, body = cast_body(ops, person, vote_id)
                try:
                    status, answer_headers, text = http_request(web.port, "POST", f"/votes/{vote_id}/ballot/confirm",
                                                                body, headers)
                except OSError as error:
                    unexpected.append(("connection", repr(error)))
                    time.sleep(0.2)
                    continue
                if status == 302 and "/receipt" in answer_headers.get("location", ""):
                    receipted[person.voter] = time.monotonic()
                    time.sleep(0.02)
                    break
                if status == 503:
                    try:
                        assert_busy_page(status, answer_headers, text)
                    except AssertionError as error:
                        unexpected.append(("busy page", str(error)))
                    busy.append(time.monotonic())
                    time.sleep(0.2)
                    continue
                unexpected.append((status, text[:500]))
                return

    def reader():
        cookie, _token = scenes.browser_state(ops, load[0])
        while not stop_reading.is_set():
            status, answer_headers, text = http_request(web.port, "GET", f"/votes/{vote_id}",
                                                        headers={"Cookie": f"session={cookie}"})
            pages.append(status)
            if status == 503:
                assert_busy_page(status, answer_headers, text)
            time.sleep(0.05)

    threads = [threading.Thread(target=caster, daemon=True) for _ in range(6)]
    reading = threading.Thread(target=reader, daemon=True)
    for thread in [*threads, reading]:
        thread.start()
    wait_until(lambda: len(receipted) >= len(load) // 4, 60, "the load under way")
    cluster.stop("fast")
    stopped = time.monotonic()
    time.sleep(2)
    cluster.start()
    back = time.monotonic()
    for thread in threads:
        thread.join(timeout=120)
    stop_reading.set()
    reading.join(timeout=10)

    assert unexpected == [], (unexpected[:3], web.errors())
    assert sorted(receipted) == sorted(p.voter for p in load)
    assert [t for t in busy if stopped <= t], "no request came during the outage"
    assert 500 not in pages and set(pages) <= {200, 503}, set(pages)
    first_after = min(t for t in receipted.values() if t > back)
    assert first_after - back < 10, f"service returned {first_after - back:.1f} s after PostgreSQL"
    assert web.errors() == ""
    db.session.remove()
    ballots = db.session.execute(select(Ballot.voter, Ballot.seq).where(Ballot.vote_id == vote_id)
                                 .order_by(Ballot.seq)).all()
    voters = [voter for voter, _seq in ballots]
    assert sorted(voters) == sorted({*receipted, *scene.voted})  # each receipted ballot exactly once
    assert [seq for _voter, seq in ballots] == list(range(1, len(ballots) + 1))
    everything_verifies()
    logged = [line for line in web.json_lines() if line.get("logger") == "governance_app.errors"]
    # A request answered just before the stop may find its connection cut when its session ends.
    assert any(line["message"] == "busy: database unavailable" for line in logged)
    assert all(line.get("request_id") and line["message"] in {
        "busy: database unavailable", "session ended on a broken connection"} for line in logged), logged


# --- a worker killed in the middle -----------------------------------------------------------------------

def test_a_worker_killed_in_the_middle_of_a_cast_leaves_nothing_half_written(ops, web, cluster, ctx):
    scene = ops.scene
    person = scene.owners[-1]
    vote_id = scene.open_vote
    from governance_app.auth.models import User, UserSession

    def snapshot():
        db.session.remove()
        return (db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.voter == person.voter,
                                                                                 Ballot.vote_id == vote_id)),
                db.session.get(User, person.user_id).totp_last_step,
                db.session.scalar(select(UserSession.second_factor_at).where(UserSession.user_id == person.user_id)),
                tuple(db.session.execute(select(VoteChainHead.seq, VoteChainHead.chain)
                                         .where(VoteChainHead.vote_id == vote_id)).one()),
                audit.verify() == [])

    before = snapshot()
    assert before[0] == 0
    headers, body = cast_body(ops, person, vote_id)
    lock = holder(cluster)
    lock.execute("SELECT * FROM vote_chain_head WHERE vote_id = %s FOR UPDATE", (vote_id,))
    thread, outcome = in_background(lambda: http_request(web.port, "POST", f"/votes/{vote_id}/ballot/confirm", body,
                                                         headers))
    try:
        backend = waiting_writer(cluster)  # the code's step is claimed, the ballot's insert waits
        web.kill_workers()
    finally:
        lock.rollback()
        lock.close()
    backend_gone(cluster, backend)
    thread.join(timeout=30)
    assert "error" in outcome, outcome  # the person saw no receipt
    assert snapshot() == before
    status, answer_headers, _text = http_request(web.port, "POST", f"/votes/{vote_id}/ballot/confirm", body, headers)
    assert status == 302 and "/receipt" in answer_headers["location"]
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Ballot).where(
        Ballot.voter == person.voter, Ballot.vote_id == vote_id)) == 1
    everything_verifies()


def test_a_worker_killed_in_the_middle_of_a_publish_leaves_nothing_half_written(ops, web, cluster, ctx):
    scene = ops.scene
    vote_id = scene.counted_vote
    scenes.fresh_step_up(scene.chair)
    cookie, token = scenes.browser_state(ops, scene.chair)
    headers = {"Cookie": f"session={cookie}", "Content-Type": "application/x-www-form-urlencoded"}
    body = urllib.parse.urlencode({"csrf_token": token})
    chain = audit.chain_for(scene.estate_id)

    def snapshot():
        db.session.remove()
        vote = db.session.get(Vote, vote_id)
        return (vote.state, vote.published_at,
                db.session.scalar(select(func.count()).select_from(Notification).where(
                    Notification.link == f"/votes/{vote_id}/result")),
                audit.verify() == [])

    before = snapshot()
    assert before[:3] == (VoteState.COUNTED, None, 0)
    lock = holder(cluster)
    lock.execute("SELECT * FROM audit_chain_head WHERE chain = %s FOR UPDATE", (chain,))
    thread, outcome = in_background(lambda: http_request(web.port, "POST", f"/votes/{vote_id}/publish", body, headers))
    try:
        backend = waiting_writer(cluster)  # the vote and its notice are written, the audit event waits
        web.kill_workers()
    finally:
        lock.rollback()
        lock.close()
    backend_gone(cluster, backend)
    thread.join(timeout=30)
    assert "error" in outcome, outcome
    assert snapshot() == before
    status, answer_headers, _text = http_request(web.port, "POST", f"/votes/{vote_id}/publish", body, headers)
    assert status == 302 and answer_headers["location"].endswith(f"/votes/{vote_id}/result")
    db.session.remove()
    assert db.session.get(Vote, vote_id).state == VoteState.PUBLISHED
    everything_verifies()


# --- full disks and cut uploads ------------------------------------------------------------------------------

@pytest.fixture
def entry_for_evidence(ops, ctx):
    """A posted entry after the published period, which still takes evidence."""
    from governance_app.auth.models import User
    from governance_app.estates.models import Estate

    estate = db.session.get(Estate, ops.scene.estate_id)
    account = funds.get_account(estate, AccountKind.COMMON_INCOME.value)
    made = funds.add_entry(estate, account, day=platform_clock.today(), direction="in", amount=300_00, category="advertising",
                           counterparty="广告公司", description="", authority=funds.Authority(),
                           actor=db.session.get(User, ops.scene.chair.user_id))
    db.session.commit()
    return made.id


def upload(ops, web, entry_id: int, content: bytes) -> tuple[int, dict, str]:
    cookie, token = scenes.browser_state(ops, ops.scene.chair)
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"label\"\r\n\r\n发票\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"invoice.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return http_request(web.port, "POST", f"/estates/{ops.scene.estate_id}/funds/entries/{entry_id}/evidence", body,
                        {"Cookie": f"session={cookie}", "Content-Type": f"multipart/form-data; boundary={boundary}"})


def evidence_rows(entry_id: int) -> tuple[int, int]:
    db.session.remove()
    found = (db.session.scalar(select(func.count()).select_from(EntryEvidence).where(EntryEvidence.entry_id == entry_id)),
             db.session.scalar(select(func.count()).select_from(StoredFile)))
    db.session.remove()
    return found


def client_backends_end(cluster) -> None:
    """New connections come from the postmaster (and take its limits): end the current ones."""
    cluster.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                 "AND pid <> pg_backend_pid()")


def test_the_database_disk_full_during_an_upload(ops, web, cluster, entry_for_evidence):
    """The server may write no file beyond a size just above the stored files' table (RLIMIT_FSIZE
    on the postmaster, which its new backends inherit): extending it fails as on a full disk."""
    toast = cluster.psql("SELECT pg_relation_filepath(reltoastrelid) FROM pg_class WHERE relname = 'stored_file'",
                         "ops")
    size = os.path.getsize(cluster.data / toast)
    cap = max(size, 2 << 20) + 100_000  # not a whole number of pages: the write that crosses it is cut short
    content = b"%PDF-1.7\n" + os.urandom(cap - size + (1 << 20))
    before = evidence_rows(entry_for_evidence)
    cluster.limit_file_size(cap)
    try:
        client_backends_end(cluster)
        status, headers, text = upload(ops, web, entry_for_evidence, content)
    finally:
        cluster.limit_file_size(None)
        client_backends_end(cluster)
    assert_busy_page(status, headers, text)
    assert "could not extend file" in cluster.log.read_text(errors="replace")
    assert any(line.get("sqlstate") == "53100" for line in web.json_lines())  # disk_full
    assert evidence_rows(entry_for_evidence) == before
    status, headers, _text = upload(ops, web, entry_for_evidence, content)
    assert status == 302
    assert evidence_rows(entry_for_evidence) == (before[0] + 1, before[1] + 1)
    everything_verifies()


def test_the_upload_disk_full_while_the_file_is_received(ops, web, entry_for_evidence):
    """A file of more than 500 KB is received into a temporary file; the workers may write no file
    beyond 100 KB (RLIMIT_FSIZE), as when the temporary folder's disk is full."""
    content = b"%PDF-1.7\n" + os.urandom(900_000)
    before = evidence_rows(entry_for_evidence)
    workers = web.worker_pids()
    limits = {pid: resource.prlimit(pid, resource.RLIMIT_FSIZE) for pid in workers}
    for pid, (_soft, hard) in limits.items():
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (100_000, hard))
    try:
        answers = [upload(ops, web, entry_for_evidence, content) for _ in workers]
    finally:
        for pid, limit in limits.items():
            resource.prlimit(pid, resource.RLIMIT_FSIZE, limit)
    for status, headers, text in answers:
        assert_busy_page(status, headers, text)
    assert evidence_rows(entry_for_evidence) == before
    status, _headers, _text = upload(ops, web, entry_for_evidence, content)
    assert status == 302
    assert evidence_rows(entry_for_evidence) == (before[0] + 1, before[1] + 1)
    everything_verifies()


def test_an_upload_cut_half_way_stores_nothing(ops, web, entry_for_evidence):
    cookie, token = scenes.browser_state(ops, ops.scene.chair)
    boundary = uuid.uuid4().hex
    content = b"%PDF-1.7\n" + os.urandom(800_000)
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"invoice.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    before = evidence_rows(entry_for_evidence)
    path = f"/estates/{ops.scene.estate_id}/funds/entries/{entry_for_evidence}/evidence"
    with socket.create_connection(("127.0.0.1", web.port), timeout=30) as connection:
        connection.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: session={cookie}\r\n"
                            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode())
        connection.sendall(body[: len(body) // 2])
        connection.shutdown(socket.SHUT_WR)  # the phone lost its connection half-way
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    page = answer.decode("utf-8", errors="replace")
    assert page.startswith("HTTP/1.1 400 "), page[:500]
    assert "上传没有完整送达" in page and "没有保存任何内容" in page
    assert evidence_rows(entry_for_evidence) == before
    assert web.ready()
    everything_verifies()
