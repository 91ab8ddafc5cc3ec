"""Jobs run inline (the tests' mode): progress and result, who may see them, failure and retry,
files kept 24 hours, and no process pool started by a request (issue 16)."""
from __future__ import annotations

from flask_babel import refresh
from sqlalchemy import func, select

from governance_app.audit.models import AuditEvent
from governance_app.auth.models import ActivationCode, Role
from governance_app.extensions import db
from governance_app.jobs import services as jobs
from governance_app.jobs.models import Job, JobState
from governance_app.jobs.registry import Result, work
from tests.support.site import fresh, text


def _start_letters(client, estate) -> str:
    response = client.post(f"/estates/{estate.id}/activation/letters", data={"pdf": "1"})
    assert response.status_code == 302 and response.location.startswith("/jobs/")
    return response.location


def test_the_letters_job_reports_its_progress_and_its_file(app, client, login, estate, committee):
    login(committee)
    page = _start_letters(client, estate)
    status = client.get(page + ".json").get_json()
    assert status["state"] == "done" and status["percent"] == 100 and status["download"] == page + "/file"
    shown = text(client.get(page))
    assert "100%" in shown and "已完成" in shown and "下载文件" in shown
    content = client.get(page + "/file")
    assert content.mimetype == "application/pdf" and content.data.startswith(b"%PDF")
    fresh()
    job = db.session.scalar(select(Job))
    assert job.attempts == 1 and job.result_size == len(content.data) and job.kind == "activation_letters"
    assert db.session.scalar(select(func.count()).select_from(ActivationCode)) == 9


def test_only_its_owner_and_those_with_the_same_permission_see_a_job(app, client, login, estate, committee,
                                                                       owner_of, make_user, make_estate):
    login(committee)
    page = _start_letters(client, estate)
    colleague = make_user(Role.COMMITTEE_MEMBER, estate, login="member")
    login(colleague)
    assert client.get(page + "/file").status_code == 200
    outsider = make_user(Role.COMMITTEE_CHAIR, make_estate("别的小区"), login="other-chair")
    for person in (owner_of("1-103"), outsider):
        login(person)
        for suffix in ("", ".json", "/file"):
            assert client.get(page + suffix).status_code == 404
    client.post("/logout")


def test_the_file_is_kept_24_hours(app, client, login, estate, committee, clock):
    login(committee)
    page = _start_letters(client, estate)
    clock.advance(days=1)
    assert client.get(page + "/file").status_code == 404
    assert "24" in text(client.get(page))
    with app.app_context():
        removed, _failed = jobs.sweep()
        db.session.commit()
        assert removed == 1
        assert not jobs.result_path(db.session.scalar(select(Job.id))).exists()


def test_the_activation_page_lists_the_letters_jobs_of_the_last_24_hours_to_those_who_may_see_them(
        app, client, login, estate, committee, make_user, make_estate, clock):
    login(committee)
    assert "最近 24 小时生成的激活函" not in text(client.get(f"/estates/{estate.id}/activation"))
    page = _start_letters(client, estate)
    clock.advance(hours=1)
    colleague = make_user(Role.COMMITTEE_MEMBER, estate, login="member", name="业委会委员")
    login(colleague)
    shown = client.get(f"/estates/{estate.id}/activation").get_data(as_text=True)
    assert f'href="{page}"' in shown
    assert "最近 24 小时生成的激活函" in text(client.get(f"/estates/{estate.id}/activation"))
    listed = text(client.get(f"/estates/{estate.id}/activation")).split("最近 24 小时生成的激活函", 1)[1]
    assert "已完成" in listed and "由 业委会主任 发起" in listed
    # Someone of another estate sees none of them; the other estate has none.
    other = make_estate("别的小区")
    other_chair = make_user(Role.COMMITTEE_CHAIR, other, login="other-chair")
    assert jobs.recent(fresh_user(other_chair), estate, "activation_letters") == []
    assert jobs.recent(fresh_user(colleague), other, "activation_letters") == []
    assert [job.id for job in jobs.recent(fresh_user(colleague), estate, "activation_letters")] == [page.rsplit("/", 1)[1]]
    clock.advance(hours=23, minutes=1)  # its file is gone: no longer listed
    assert f'href="{page}"' not in client.get(f"/estates/{estate.id}/activation").get_data(as_text=True)


def fresh_user(user):
    from governance_app.auth.models import User

    return db.session.get(User, user.id)


_ATTEMPTS = {"flaky": 0}


@work("test_flaky")
def _flaky(job, progress) -> Result:
    """Writes an audit event, then fails on its first attempt: nothing of it may be kept."""
    from governance_app.audit.services import record

    progress(1, 2, "")
    record("test.half_done", object_type="job", object_id=job.id, actor=job.owner)
    _ATTEMPTS["flaky"] += 1
    if _ATTEMPTS["flaky"] == 1:
        raise RuntimeError("the disk is full")
    return Result(b"done", "done.txt", "text/plain")


@work("test_refused")
def _refused(job, progress) -> Result:
    raise jobs.JobError("no_letters")


def test_a_failed_job_says_why_keeps_nothing_and_can_be_retried(app, client, login, estate, committee, caplog):
    _ATTEMPTS["flaky"] = 0
    with app.app_context():
        job = jobs.start("test_flaky", owner=committee, estate=estate, permission="estate.manage_activation")
        db.session.commit()
        job_id = job.id
        jobs.dispatch(job)
    login(committee)
    page = client.get(f"/jobs/{job_id}")
    assert "服务器出错" in text(page) and "重新开始" in text(page)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "test.half_done")) == 0
        assert not jobs.result_path(job_id).exists()
    assert client.post(f"/jobs/{job_id}/retry").status_code == 302
    status = client.get(f"/jobs/{job_id}.json").get_json()
    assert status["state"] == "done" and client.get(f"/jobs/{job_id}/file").data == b"done"
    with app.app_context():
        assert db.session.get(Job, job_id).attempts == 2
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "test.half_done")) == 1


def test_a_refused_job_gives_the_reason_in_the_readers_language(app, client, login, estate, committee):
    with app.app_context():
        job = jobs.start("test_refused", owner=committee, estate=estate)
        db.session.commit()
        jobs.dispatch(job)
        job_id = job.id
    login(committee)
    assert "所有业主都已有账户或尚未使用的激活函" in text(client.get(f"/jobs/{job_id}"))
    client.post("/language", data={"language": "en", "next": "/"})
    refresh()  # requests made while the test holds an app context share its cached language
    status = client.get(f"/jobs/{job_id}.json").get_json()
    assert status["state"] == "failed" and "already has an account" in status["failure_text"]


def test_a_job_whose_worker_died_long_ago_is_marked_failed(app, estate, committee, clock):
    with app.app_context():
        job = jobs.start("test_flaky", owner=committee, estate=estate)
        job.state, job.started_at = JobState.RUNNING, clock()
        db.session.commit()
        job_id = job.id
    clock.advance(days=1)
    with app.app_context():
        assert jobs.sweep() == (0, 1)
        db.session.commit()
        assert db.session.get(Job, job_id).failure == "worker_lost"


class _Broker:
    """Celery's ``send_task`` as a worker would meet it: at the moment the message leaves, it reads the
    job's row through a connection of its own; the first ``failures`` sends fail as a broker gone."""

    def __init__(self, failures: int = 0):
        self.seen: list = []
        self.failures = failures

    def send_task(self, name, args, task_id, retry):
        if self.failures:
            self.failures -= 1
            raise ConnectionError("the broker went away")
        with db.engine.connect() as worker:
            self.seen.append(worker.execute(select(Job.dispatched_at).where(Job.id == task_id)).scalar_one())


def _with_broker(app, monkeypatch, broker: _Broker) -> None:
    from governance_app.jobs import celery_app

    monkeypatch.setitem(app.config, "JOBS_MODE", "celery")
    monkeypatch.setattr(celery_app, "broker_reachable", lambda flask_app: True)
    monkeypatch.setattr(celery_app, "celery_for", lambda flask_app: broker)


def test_a_job_is_marked_sent_and_committed_before_its_message_leaves(app, client, login, estate, committee,
                                                                       monkeypatch):
    """A worker may take the job the moment its message is out: the request must not be writing the
    job's row then (a worker that finds it locked leaves it, and the job would wait for ever)."""
    broker = _Broker()
    _with_broker(app, monkeypatch, broker)
    login(committee)
    page = _start_letters(client, estate)
    assert len(broker.seen) == 1 and broker.seen[0] is not None  # committed before it was sent
    assert client.get(page + ".json").get_json()["state"] == "queued"
    assert len(broker.seen) == 1  # sent once: its progress page does not send it again
    with app.app_context():
        assert db.session.get(Job, page.rsplit("/", 1)[1]).dispatched_at is not None


def test_a_job_whose_message_could_not_be_sent_is_sent_again_by_its_page(app, client, login, estate, committee,
                                                                          monkeypatch):
    broker = _Broker(failures=1)
    _with_broker(app, monkeypatch, broker)
    login(committee)
    page = _start_letters(client, estate)
    with app.app_context():
        assert db.session.get(Job, page.rsplit("/", 1)[1]).dispatched_at is None and broker.seen == []
    assert client.get(page + ".json").get_json()["state"] == "queued"
    assert len(broker.seen) == 1 and broker.seen[0] is not None


def test_no_request_starts_a_process_pool(app, client, login, estate, committee, monkeypatch):
    """Even with PDF_PROCESSES above 1, letters made in the web process are drawn in it."""
    from governance_app.documents import render

    def refuse(*args, **kwargs):
        raise AssertionError("a process pool was started in the web process")

    monkeypatch.setattr(render, "ProcessPoolExecutor", refuse)
    monkeypatch.setitem(app.config, "PDF_PROCESSES", 4)
    login(committee)
    page = _start_letters(client, estate)
    assert client.get(page + ".json").get_json()["state"] == "done"
