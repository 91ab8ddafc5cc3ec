"""The supervision dashboard's rows as CSV or XLSX, written by a job (issue 16): progress per estate
in words, the file in its starter's language with the dashboard's filters, for its starter only;
someone who no longer supervises anything gets a reason, not a file."""
from __future__ import annotations

import io

from flask_babel import refresh
from openpyxl import load_workbook
from sqlalchemy import delete, func, select

from governance_app.auth.models import RoleGrant
from governance_app.extensions import db
from governance_app.jobs import progress as progress_store
from governance_app.jobs import services as jobs
from governance_app.jobs.messages import step_text
from governance_app.jobs.models import Job, JobState
from governance_app.supervision import tasks
from tests.support.site import fresh, job_file, text


def test_the_export_job_counts_estates_and_writes_the_dashboards_rows(app, client, login, committee, people, clock,
                                                                     make_estate, monkeypatch):
    make_estate("竹园小区", community="东一居民区")
    seen = []
    keep = progress_store.store

    def store(job_id, values, task=None):
        seen.append((values["done"], values["total"], values["step"]))
        keep(job_id, values, task)

    monkeypatch.setattr(progress_store, "store", store)
    clock.set(2027, 2, 10)  # the re-election report is overdue
    login(people["supervisor"])
    started = client.post("/supervision/export.csv")
    assert seen == [(0, 0, "supervision.reading"), (1, 2, "supervision.rows"), (2, 2, "supervision.rows")]
    assert step_text("supervision.rows", 1, 2) == "第 1 / 2 个小区"
    assert "督导的小区（CSV 或 Excel）" in text(client.get(started.location))
    download = job_file(client, started)
    assert download.mimetype == "text/csv"
    assert download.headers["Content-Disposition"] == 'attachment; filename="supervision.csv"'
    lines = download.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "小区,居民区,业委会,事项,依据,期限,逾期天数"
    assert any(line.startswith("梅园小区,") and "R-47" in line and "2027-01-30" in line for line in lines)
    assert any(line.startswith("竹园小区,") for line in lines)


def test_the_file_keeps_the_filters_and_the_starters_language(app, client, login, committee, people, clock,
                                                              make_estate):
    other = make_estate("竹园小区", community="西一居民区")
    clock.set(2027, 2, 10)
    # Started by a reader of English; run as a worker runs it, with no request of theirs to read.
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        refresh()
        job = tasks.start_export("xlsx", other.community_id, None, people["supervisor"])
        db.session.commit()
    refresh()
    jobs.dispatch(job)
    login(people["supervisor"])
    download = client.get(f"/jobs/{job.id}/file")
    sheet = load_workbook(io.BytesIO(download.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Estate", "Community", "Committee", "Duty", "Rule", "Due", "Days overdue"]
    assert [row[0] for row in rows[1:]] == ["竹园小区"]  # 梅园小区 lies in another community
    assert download.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    everything = job_file(client, client.post("/supervision/export.csv")).data.decode("utf-8-sig")
    assert "R-47" in everything and "梅园小区" in everything
    top_ups = job_file(client, client.post("/supervision/export.csv", data={"kind": "funds.top_up"}))
    assert "R-47" not in top_ups.data.decode("utf-8-sig")


def test_only_its_starter_sees_the_file_and_only_supervisors_start_one(app, client, login, committee, people):
    login(people["supervisor"])
    page = client.post("/supervision/export.csv").location
    for person in (people["auditor"], people["staff"]):  # they see the dashboard, in their own scope
        login(person)
        for suffix in ("", ".json", "/file"):
            assert client.get(page + suffix).status_code == 404
    login(people["chair"])
    assert client.post("/supervision/export.csv").status_code == 404
    fresh()
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1


def test_a_starter_who_supervises_nothing_any_more_gets_the_reason(app, client, login, committee, people):
    supervisor = people["supervisor"]
    job = tasks.start_export("csv", None, None, supervisor)
    db.session.commit()
    db.session.execute(delete(RoleGrant).where(RoleGrant.user_id == supervisor.id))
    db.session.commit()
    jobs.dispatch(job)
    fresh()
    job = db.session.get(Job, job.id)
    assert job.state == JobState.FAILED and job.failure == "no_estates"
    assert not jobs.result_path(job.id).exists()
    login(supervisor)
    assert "您已不再督导任何小区；未生成任何内容。" in text(client.get(f"/jobs/{job.id}"))
