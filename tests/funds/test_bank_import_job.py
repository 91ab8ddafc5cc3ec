"""A confirmed bank file of more lines than BANK_JOB_ROWS is written by a job (issue 16): its
progress in words, its outcome and a link back to the account, who may see it, all or nothing,
no second import."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from governance_app.extensions import db
from governance_app.funds import routes as funds_routes
from governance_app.funds.models import BankUpload, Entry, FundSettings
from governance_app.jobs import progress as progress_store
from governance_app.jobs import services as jobs
from governance_app.jobs.messages import step_text
from governance_app.jobs.models import Job, JobState
from tests.funds.support import INCOME, count, events, fresh, hidden, text
from tests.funds.test_bank_import import BANK_CSV, GUESSED, HEADER, bank_url, upload


@pytest.fixture
def opened(world, app, monkeypatch):
    """Accounts open; files of more than 2 lines go to a job (the default is 1,000)."""
    monkeypatch.setitem(app.config, "BANK_JOB_ROWS", 2)
    world.open_accounts()
    return world


def confirm(pages, world, checked):
    """The confirmation of the upload ``checked`` (a response showing its mapping form)."""
    return pages.post(bank_url(world), data={"upload_id": hidden(checked, "upload_id"), **GUESSED, "check": "y",
                                             "confirm": "y"})


def job_of(response) -> str:
    assert response.status_code == 302 and response.location.startswith("/jobs/"), response.location
    return response.location


def test_a_file_at_the_limit_is_still_written_by_the_request(opened, app, monkeypatch):
    monkeypatch.setitem(app.config, "BANK_JOB_ROWS", 3)
    pages = opened.pages(opened.member)
    response = confirm(pages, opened, upload(pages, opened))
    assert response.location == f"/estates/{opened.estate.id}/funds/{INCOME}"
    assert count(Job) == 0 and count(Entry) == 3


def test_a_large_file_is_written_by_a_job_whose_page_says_what_it_did(opened):
    pages = opened.pages(opened.member)
    checked = upload(pages, opened)
    upload_id = int(hidden(checked, "upload_id"))
    page = job_of(confirm(pages, opened, checked))
    status = pages.get(page + ".json").get_json()
    assert status["state"] == "done" and "download" not in status
    assert status["outcome"] == {"text": "3 draft entries created, 0 already imported.",
                                 "link": f"/estates/{opened.estate.id}/funds/{INCOME}",
                                 "link_text": "Back to the account"}
    shown = text(pages.get(page))
    assert "Bank statement import" in shown and "3 draft entries created, 0 already imported." in shown
    assert "Download the file" not in shown
    chinese = text(opened.pages(opened.member, "zh_CN").get(page))
    assert "导入银行流水" in chinese and "已生成 3 笔草稿记录，0 笔此前已导入。" in chinese and "返回该账户" in chinese
    assert [(e.day, e.amount, e.bank_reference) for e in db.session.scalars(select(Entry).order_by(Entry.id))] == [
        (dt.date(2026, 2, 3), 1_200_00, "BK0001"), (dt.date(2026, 2, 5), 35_50, "BK0002"),
        (dt.date(2026, 2, 28), 88_88, "BK0003")]
    [event] = events("funds.bank_imported")
    assert event.details == {"created": 3, "skipped": 0} and event.actor_id == opened.member.id
    fresh()
    kept = db.session.get(BankUpload, upload_id)
    assert kept.content is None and kept.used_at is not None
    assert db.session.get(FundSettings, opened.estate.id).bank_columns["reference"] == "交易流水号"
    job = db.session.scalar(select(Job))
    assert (job.kind, job.permission, job.total, job.result_name) == ("bank_import", "funds.manage", 3, None)


def test_the_job_reports_its_lines_in_words_and_counts_rising(opened, app, monkeypatch):
    lines = "".join(f"2026-03-{1 + n % 28:02d},{n + 1}.00,,停车公司,停车费,R{n:04d}\n" for n in range(450))
    pages = opened.pages(opened.member)
    checked = upload(pages, opened, (HEADER + lines).encode("gbk"))
    seen = []
    monkeypatch.setattr(progress_store, "store", lambda job_id, values, task=None: seen.append(values))
    job_of(confirm(pages, opened, checked))
    assert [(value["done"], value["total"], value["step"]) for value in seen] == [
        (0, 450, "bank.reading"), (200, 450, "bank.writing"), (400, 450, "bank.writing"), (450, 450, "bank.writing")]
    assert count(Entry) == 450
    with app.test_request_context():
        assert step_text("bank.writing", 200, 450) == "第 200 / 450 行"


def test_a_second_confirmation_follows_the_first_job_and_imports_nothing_twice(opened, monkeypatch):
    waiting = []
    pages = opened.pages(opened.member)
    checked = upload(pages, opened)
    with monkeypatch.context() as patched:  # the job waits for a worker
        patched.setattr(funds_routes.jobs, "dispatch", waiting.append)
        first, second = job_of(confirm(pages, opened, checked)), job_of(confirm(pages, opened, checked))
    assert first == second and len(waiting) == 1 and count(Job) == 1 and count(Entry) == 0
    with opened.app.app_context():
        jobs.run(first.rsplit("/", 1)[1])
    assert count(Entry) == 3 and len(events("funds.bank_imported")) == 1
    assert confirm(pages, opened, checked).status_code == 404
    with opened.app.app_context():
        stray = jobs.start("bank_import", owner=opened.member, estate=opened.estate, permission="funds.manage",
                           params={"upload": int(hidden(checked, "upload_id")), "mapping": {}})
        db.session.commit()
        stray_id = stray.id
        jobs.run(stray_id)
    fresh()
    assert (db.session.get(Job, stray_id).state, db.session.get(Job, stray_id).failure) == (
        JobState.FAILED, "bank_upload_gone")
    assert count(Entry) == 3 and len(events("funds.bank_imported")) == 1
    assert "This bank file was already imported or has been removed" in text(pages.get(f"/jobs/{stray_id}"))


def test_a_line_in_a_published_period_fails_the_job_with_the_reason_and_writes_nothing(opened):
    pages = opened.pages(opened.member)
    checked = upload(pages, opened)
    opened.publish(INCOME, dt.date(2026, 1, 1), dt.date(2026, 2, 4))
    page = job_of(confirm(pages, opened, checked))
    status = pages.get(page + ".json").get_json()
    assert (status["state"], status["failure"]) == ("failed", "bank_period_published")
    assert status["failure_text"] == ("A line of the file lies in a published statement, which can no longer change "
                                      "(R-54); nothing was imported. Record a correction in a later period.")
    assert "文件中有一行落在已公示的收支公示期间内" in text(opened.pages(opened.member, "zh_CN").get(page))
    assert count(Entry) == 0 and events("funds.bank_imported") == []
    fresh()
    kept = db.session.get(BankUpload, int(hidden(checked, "upload_id")))
    assert kept.content == BANK_CSV and kept.used_at is None  # still there to confirm once corrected


def test_only_those_who_manage_the_accounts_of_the_estate_see_the_job(opened):
    page = job_of(confirm(opened.pages(opened.member), opened, upload(opened.pages(opened.member), opened)))
    assert opened.pages(opened.chair).get(page).status_code == 200
    for person in (opened.other_member, opened.supervisor, opened.staff, opened.owner, None):
        pages = opened.pages(person)
        for suffix in ("", ".json", "/file"):
            answer = pages.get(page + suffix)
            assert answer.status_code == (404 if person else 302), (person, suffix)
