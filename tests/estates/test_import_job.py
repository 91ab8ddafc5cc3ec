"""A confirmed roll upload of more rows than ROLL_JOB_ROWS is written by a job (issue 16): its
progress in words, its outcome and a link back, who may see it, all or nothing, no second import."""
import io

import pytest
from flask_babel import refresh
from sqlalchemy import func, select

from governance_app.audit.models import AuditEvent
from governance_app.auth.models import Role
from governance_app.estates import routes as estate_routes
from governance_app.estates import services
from governance_app.estates.models import ImportStatus, RollImport, Unit
from governance_app.extensions import db
from governance_app.jobs import progress as progress_store
from governance_app.jobs import services as jobs
from governance_app.jobs.models import Job, JobState
from tests.conftest import count, owner_row, roll_csv
from tests.support.site import text

LI = "310101198001012222"
ZHANG = "310101198001013333"


def many_units(units: int) -> list[list[str]]:
    return [owner_row(str(1 + n // 100), f"{1 + n // 100}-{n % 100 + 1:03d}", "80.25", f"业主{n}",
                      f"3101011990{n:08d}") for n in range(units)]


def small_roll() -> list[list[str]]:
    return [owner_row("1", "1-101", "88.50", "王伟", "310101199001011234"),
            owner_row("2", "2-201", "70.05", "李娜", LI, group="A", representative="是"),
            owner_row("2", "2-201", "70.05", "张强", ZHANG, group="A", representative="否")]


@pytest.fixture
def estate(make_estate):
    return make_estate("梅园小区", "星光居民区")


@pytest.fixture
def supervisor(supervisor_client):
    return supervisor_client


@pytest.fixture
def small_jobs(app, monkeypatch):
    """Files of more than 2 rows go to a job (the default is 1,000)."""
    monkeypatch.setitem(app.config, "ROLL_JOB_ROWS", 2)


def checked_upload(client, estate, rows) -> int:
    response = client.post(f"/estates/{estate.id}/roll/import", data={"roll_file": (io.BytesIO(roll_csv(rows)),
                                                                                    "roll.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    db.session.rollback()
    return db.session.scalar(select(RollImport.id).where(RollImport.status == ImportStatus.CHECKED))


def confirm(client, estate, upload_id):
    return client.post(f"/estates/{estate.id}/roll/import/{upload_id}", data={"confirm": "1"})


def imported_events() -> list[AuditEvent]:
    db.session.rollback()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "roll.imported")).all()


def test_a_file_at_the_limit_is_still_written_by_the_request(app, client, supervisor, estate, monkeypatch):
    monkeypatch.setitem(app.config, "ROLL_JOB_ROWS", 3)
    response = confirm(client, estate, checked_upload(client, estate, small_roll()))
    assert response.location == f"/estates/{estate.id}"
    assert count(Job) == 0 and count(Unit) == 2


def test_a_large_file_is_written_by_a_job_whose_page_says_what_it_did(client, supervisor, estate, small_jobs):
    upload_id = checked_upload(client, estate, small_roll())
    response = confirm(client, estate, upload_id)
    assert response.status_code == 302 and response.location.startswith("/jobs/")
    page = response.location
    status = client.get(page + ".json").get_json()
    assert status["state"] == "done" and status["percent"] == 100 and "download" not in status
    assert status["outcome"]["text"] == "名册已导入：新增 2 套房屋，变更 0 套。"
    assert status["outcome"]["link"] == f"/estates/{estate.id}"
    shown = text(client.get(page))
    assert "名册导入" in shown and "名册已导入：新增 2 套房屋，变更 0 套。" in shown and "返回小区" in shown
    assert "下载文件" not in shown and "24 小时" in shown and "已删除" not in shown
    db.session.rollback()
    upload = db.session.get(RollImport, upload_id)
    assert (upload.status, upload.content) == (ImportStatus.APPLIED, None)
    assert count(Unit) == 2
    job = db.session.scalar(select(Job))
    assert (job.kind, job.permission, job.result_name, job.params["upload"]) == (
        "roll_import", "estate.import_roll", None, upload_id)
    [event] = imported_events()
    assert event.actor_id == job.owner_id and event.details["new"] == 2


def test_the_job_reports_its_units_in_words_and_counts_rising(app, client, supervisor, estate, small_jobs,
                                                             monkeypatch):
    upload_id = checked_upload(client, estate, many_units(1200))
    seen = []
    monkeypatch.setattr(progress_store, "store", lambda job_id, values, task=None: seen.append(values))
    page = confirm(client, estate, upload_id).location
    assert [(value["done"], value["total"], value["step"]) for value in seen] == [
        (0, 1200, "roll.checking"), (500, 1200, "roll.checking"), (1000, 1200, "roll.checking"),
        (1200, 1200, "roll.writing")]
    assert client.get(page + ".json").get_json()["state"] == "done"
    assert count(Unit) == 1200
    from governance_app.jobs.messages import step_text

    with app.test_request_context():
        assert step_text("roll.checking", 500, 1200) == "正在检查第 500 / 1200 套"
        assert step_text("roll.writing", 1200, 1200) == "正在写入名册（共 1200 套）"


def test_a_second_confirmation_follows_the_first_job_and_imports_nothing_twice(client, supervisor, estate,
                                                                              small_jobs, monkeypatch):
    """While the job waits for a worker, confirming again shows the same job; once it ran, the
    upload is no longer waiting (404), and a stray second job for it writes nothing."""
    waiting = []
    upload_id = checked_upload(client, estate, small_roll())
    with monkeypatch.context() as patched:  # the job waits for a worker
        patched.setattr(estate_routes.jobs, "dispatch", waiting.append)
        first, second = confirm(client, estate, upload_id), confirm(client, estate, upload_id)
    assert first.location == second.location and len(waiting) == 1
    assert count(Job) == 1 and count(Unit) == 0
    job_id = first.location.rsplit("/", 1)[1]
    jobs.run(job_id)
    assert count(Unit) == 2 and len(imported_events()) == 1
    assert confirm(client, estate, upload_id).status_code == 404
    stray = jobs.start("roll_import", owner=db.session.get(Job, job_id).owner, estate=estate,
                       permission="estate.import_roll", params={"upload": upload_id})
    db.session.commit()
    jobs.run(stray.id)
    db.session.rollback()
    assert (db.session.get(Job, stray.id).state, db.session.get(Job, stray.id).failure) == (
        JobState.FAILED, "roll_upload_gone")
    assert count(Unit) == 2 and len(imported_events()) == 1
    assert "此名册文件已导入或已放弃" in text(client.get(f"/jobs/{stray.id}"))


def test_a_job_that_fails_midway_keeps_nothing_and_its_retry_imports_once(client, supervisor, estate,
                                                                         small_jobs, monkeypatch, caplog):
    upload_id = checked_upload(client, estate, small_roll())

    def full_disk(*args, **kwargs):
        raise OSError("the disk is full")

    with monkeypatch.context() as patched:
        patched.setattr(services, "record", full_disk)  # after the units were inserted
        page = confirm(client, estate, upload_id).location
    shown = text(client.get(page))
    assert "服务器出错" in shown and "重新开始" in shown
    assert count(Unit) == 0 and upload_status(upload_id) == ImportStatus.CHECKED
    assert client.post(page + "/retry").location == page
    status = client.get(page + ".json").get_json()
    assert status["state"] == "done" and status["outcome"]["text"] == "名册已导入：新增 2 套房屋，变更 0 套。"
    assert count(Unit) == 2 and len(imported_events()) == 1 and upload_status(upload_id) == ImportStatus.APPLIED


def upload_status(upload_id: int) -> ImportStatus:
    db.session.rollback()
    return db.session.get(RollImport, upload_id).status


def test_a_file_that_no_longer_passes_fails_with_the_reason_in_the_readers_language(client, supervisor, estate,
                                                                                    small_jobs):
    """Between the check and the confirmation, the same co-owners got another unit with the other
    one as representative: the roll would no longer be countable (R-15)."""
    upload_id = checked_upload(client, estate, small_roll())
    services.import_roll(estate, roll_csv([
        owner_row("3", "3-301", "50", "李娜", LI, group="B", representative="否"),
        owner_row("3", "3-301", "50", "张强", ZHANG, group="B", representative="是")]), "other.csv")
    db.session.commit()
    page = confirm(client, estate, upload_id).location
    assert "文件已无法通过检查，未导入任何内容。" in text(client.get(page))
    assert count(Unit) == 1 and upload_status(upload_id) == ImportStatus.CHECKED
    client.post("/language", data={"language": "en", "next": "/"})
    refresh()
    assert client.get(page + ".json").get_json()["failure_text"] == \
        "The file no longer passes the checks; nothing was imported."


def test_only_those_who_may_import_the_roll_of_the_estate_see_the_job(client, supervisor, estate, small_jobs,
                                                                      make_user, make_estate, login):
    page = confirm(client, estate, checked_upload(client, estate, small_roll())).location
    login(make_user(Role.COMMUNITY_STAFF, estate.community, login="staff"))
    assert client.get(page).status_code == 200
    outsider = make_user(Role.COMMITTEE_CHAIR, make_estate("别的小区", "别的居民区", "别的街道"), login="chair")
    auditor = make_user(Role.AUDITOR, estate, login="auditor")  # sees the estate, may not import
    for person in (outsider, auditor):
        login(person)
        for suffix in ("", ".json"):
            assert client.get(page + suffix).status_code == 404
        assert client.post(page + "/retry").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1


def test_a_retry_by_someone_else_imports_in_their_name(client, supervisor, estate, small_jobs, monkeypatch,
                                                        make_user, login):
    """The audit log names who made the roll change happen: the staff member who retried the failed
    job, not the supervisor whose attempt failed (the retry's event says who that was)."""
    upload_id = checked_upload(client, estate, small_roll())
    with monkeypatch.context() as patched:
        patched.setattr(services, "record", lambda *args, **kwargs: (_ for _ in ()).throw(OSError("disk full")))
        page = confirm(client, estate, upload_id).location
    starter = db.session.scalar(select(Job)).owner_id
    staff = make_user(Role.COMMUNITY_STAFF, estate.community, login="staff")
    login(staff)
    assert client.post(page + "/retry").location == page
    [imported] = imported_events()
    assert imported.actor_id == staff.id != starter
    [retried] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "job.retried")).all()
    assert retried.actor_id == staff.id and retried.details["started_by"] == starter
    assert client.get(page).status_code == 200
