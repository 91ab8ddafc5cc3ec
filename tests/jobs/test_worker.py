"""The real path (issue 16): a Celery worker process against Redis runs the letters job; a worker
killed in the middle leaves no code issued and the job is done again by another worker; a job
started while Redis is down waits and runs when it returns (issue 21).

The broker is the test Redis database of this work (redis://127.0.0.1:6379/4, ``TEST_CELERY_BROKER``),
each test with a queue of its own; the Redis-down test starts a private redis-server."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from governance_app.audit.models import AuditEvent
from governance_app.auth.models import ActivationCode
from governance_app.documents.models import DocumentRecord
from governance_app.estates.models import ImportStatus, RollImport, Unit
from governance_app.extensions import db
from governance_app.jobs.models import Job, JobState
from tests.conftest import owner_row, roll_csv
from tests.documents.support import page_count
from tests.ops.servers import PrivateRedis, children

BROKER = os.environ.get("TEST_CELERY_BROKER", "redis://127.0.0.1:6379/4")
ROOT = Path(__file__).resolve().parents[2]


class Worker:
    """``celery worker`` in its own process, with the settings of the test's web application, as
    deploy/ runs it (``--pool solo``: one job at a time, drawn by ``PDF_PROCESSES`` processes)."""

    def __init__(self, app, broker: str, queue: str, log: Path, visibility: int = 3600):
        env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "CELERY_BROKER_URL": broker,
               "CELERY_QUEUE": queue, "JOBS_MODE": "celery", "JOBS_DIR": app.config["JOBS_DIR"],
               "GOVERNANCE_ENV": "testing", "PDF_PROCESSES": "2", "CELERY_VISIBILITY_TIMEOUT": str(visibility)}
        env.pop("REDIS_URL", None)
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "governance_app.jobs.worker", "worker", "-Q", queue,
             "--pool", "solo", "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        """SIGKILL to the worker and its pool: nothing may clean up."""
        for pid in [self.process.pid, *children(self.process.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def _broker_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def queue() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def _web(app, another_app, broker: str, queue: str, **settings):
    """A second web application on the same database whose jobs go to Celery."""
    return another_app({**{key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "JOBS_DIR",
                                                           "PASSWORD_HASH_METHOD")},
                       "GOVERNANCE_ENV": "testing", "TESTING": True, "WTF_CSRF_ENABLED": False,
                       "CELERY_BROKER_URL": broker, "CELERY_RESULT_BACKEND": broker, "CELERY_QUEUE": queue,
                       "JOBS_MODE": "celery", **settings})


def _signed_in(web, user):
    from governance_app.auth import services as auth_services

    client = web.test_client()
    with web.app_context():
        session = auth_services.open_session(db.session.get(type(user), user.id), "127.0.0.1", "pytest")
        db.session.commit()
        token = session.token
    with client.session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"] = token, True
    return client


def _status(client, page: str) -> dict:
    """The job's JSON; {} while SQLite's write lock, held by the job's transaction, makes the page
    answer 503 (a signed-in request records the session's activity). PostgreSQL never waits."""
    response = client.get(page + ".json")
    return response.get_json() if response.status_code == 200 else {}


def _until(client, page: str, wanted, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        found = _status(client, page)
        if wanted(found):
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"job at {page}: still {found} after {timeout} s")
        time.sleep(0.2)


@pytest.fixture
def broker():
    if not _broker_answers(BROKER):
        raise RuntimeError(f"the test broker {BROKER} does not answer (start redis-server; .ci/run does)")
    return BROKER


def test_a_worker_process_runs_the_letters_job(app, another_app, estate, committee, broker, queue, tmp_path):
    web = _web(app, another_app, broker, queue)
    worker = Worker(app, broker, queue, tmp_path / "worker.log")
    try:
        client = _signed_in(web, committee)
        started = time.monotonic()
        response = client.post(f"/estates/{estate.id}/activation/letters", data={"pdf": "1"})
        assert response.status_code == 302 and time.monotonic() - started < 30  # bench/pdf.py times it
        page = response.location
        status = _until(client, page, lambda s: s.get("state") in ("done", "failed"), 120)
        assert status["state"] == "done", (tmp_path / "worker.log").read_text()[-3000:]
        content = client.get(page + "/file").data
        with app.app_context():
            assert page_count(content) == db.session.scalar(select(func.count()).select_from(ActivationCode)) == 9
    finally:
        worker.stop()


def _big_estate(make_estate, voters: int):
    estate = make_estate("大花园")
    rows = [owner_row(str(1 + n // 100), f"{1 + n // 100}-{n % 100 + 1:03d}", "80.00", f"业主{n}",
                      f"310101198001{n:06d}") for n in range(voters)]
    from governance_app.estates import services as estate_services

    report = estate_services.import_roll(estate, roll_csv(rows), "roll.csv")
    assert report.ok, report.problems[:3]
    db.session.commit()
    return estate


def test_a_worker_process_writes_a_large_roll_upload_in_the_name_of_who_confirmed_it(
        app, another_app, estate, committee, broker, queue, tmp_path):
    """No request in the worker: the audit event still names the person, the page says what was done."""
    web = _web(app, another_app, broker, queue, ROLL_JOB_ROWS=2)
    worker = Worker(app, broker, queue, tmp_path / "worker.log")
    try:
        client = _signed_in(web, committee)
        rows = [owner_row("9", f"9-{n}01", "66.60", f"新业主{n}", f"31010119950101{n:04d}") for n in range(1, 4)]
        checked = client.post(f"/estates/{estate.id}/roll/import", content_type="multipart/form-data",
                              data={"roll_file": (io.BytesIO(roll_csv(rows)), "roll.csv")})
        assert checked.status_code == 200
        with app.app_context():
            upload_id = db.session.scalar(select(RollImport.id).where(RollImport.status == ImportStatus.CHECKED))
        page = client.post(f"/estates/{estate.id}/roll/import/{upload_id}", data={"confirm": "1"}).location
        assert page.startswith("/jobs/")
        status = _until(client, page, lambda s: s.get("state") in ("done", "failed"), 120)
        assert status["state"] == "done", (tmp_path / "worker.log").read_text()[-3000:]
        assert status["outcome"]["text"] == "名册已导入：新增 3 套房屋，变更 0 套。"
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Unit).where(Unit.label.like("9-%"))) == 3
            [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "roll.imported",
                                                                  AuditEvent.object_id == str(upload_id))).all()
            assert event.actor_id == committee.id
    finally:
        worker.stop()


def test_a_worker_killed_midway_leaves_nothing_and_another_does_the_job(app, another_app, make_estate, make_user, broker, queue,
                                                                          tmp_path):
    from governance_app.auth.models import Role

    estate = _big_estate(make_estate, 300)
    chair = make_user(Role.COMMITTEE_CHAIR, estate, login="big-chair")
    web = _web(app, another_app, broker, queue)
    client = _signed_in(web, chair)
    first = Worker(app, broker, queue, tmp_path / "first.log")
    try:
        page = client.post(f"/estates/{estate.id}/activation/letters", data={"pdf": "1"}).location
        # Progress is read from the result store: on SQLite a signed-in page would wait for the job's
        # transaction (it holds the database's write lock until it commits).
        from governance_app.jobs.celery_app import celery_for

        progress = celery_for(web).AsyncResult(page.rsplit("/", 1)[1])
        deadline = time.monotonic() + 300
        while not (progress.state == "PROGRESS" and 0 < progress.info["done"] < progress.info["total"]
                   and progress.info["step"] == "letters.drawing"):
            assert time.monotonic() < deadline, (tmp_path / "first.log").read_text()[-3000:]
            time.sleep(0.1)
        first.kill()
    finally:
        first.stop()
    job_id = page.rsplit("/", 1)[1]
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.state == JobState.RUNNING and job.attempts == 1
        # Half a batch of letters was drawn: not one code was issued, and there is no file.
        assert db.session.scalar(select(func.count()).select_from(ActivationCode)) == 0
        assert db.session.scalar(select(func.count()).select_from(DocumentRecord)) == 0
    assert not list(Path(app.config["JOBS_DIR"]).glob(f"{job_id}.out"))
    # Another worker takes the message again once it has been unacknowledged for the visibility timeout.
    second = Worker(app, broker, queue, tmp_path / "second.log", visibility=3)
    try:
        status = _until(client, page, lambda s: s.get("state") in ("done", "failed"), 180)
        assert status["state"] == "done", (tmp_path / "second.log").read_text()[-3000:]
    finally:
        second.stop()
    content = client.get(page + "/file").data
    with app.app_context():
        job = db.session.get(Job, job_id)
        codes = db.session.scalar(select(func.count()).select_from(ActivationCode))
        assert job.attempts == 2 and codes == 300 and page_count(content) == 300
        assert db.session.scalar(select(func.count()).select_from(DocumentRecord)) == 300


def test_a_job_started_while_redis_is_down_runs_when_it_returns(app, another_app, estate, committee, queue, tmp_path):
    redis_server = PrivateRedis()
    redis_server.start()
    web = _web(app, another_app, redis_server.url, queue)
    worker = Worker(app, redis_server.url, queue, tmp_path / "worker.log")
    try:
        client = _signed_in(web, committee)
        redis_server.stop()
        started = time.monotonic()
        response = client.post(f"/estates/{estate.id}/activation/letters", data={"pdf": "1"})
        assert response.status_code == 302 and time.monotonic() - started < 10
        page = response.location
        assert _status(client, page).get("state") == "queued"
        with web.app_context():
            assert db.session.get(Job, page.rsplit("/", 1)[1]).dispatched_at is None
            assert db.session.scalar(select(func.count()).select_from(ActivationCode)) == 0
        redis_server.start()
        # The progress page sends the waiting job; the worker has reconnected by itself.
        status = _until(client, page, lambda s: s.get("state") in ("done", "failed"), 120)
        assert status["state"] == "done", (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        worker.stop()
        redis_server.stop()
