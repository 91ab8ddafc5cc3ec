"""The result announcement of a large estate is printed by a job (issue 16): from
``JOB_THRESHOLD_UNITS`` units up its pages offer a button that starts it, its progress is told in
words, its file is the announcement; it is its starter's only; a job that cannot draw says why and
registers no document number. Smaller estates get the PDF at once, as before."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from governance_app.auth.models import Role
from governance_app.documents import render
from governance_app.documents.models import DocumentKind, DocumentRecord
from governance_app.extensions import db
from governance_app.jobs import progress as progress_store
from governance_app.jobs.models import Job, JobState
from governance_app.voting import services
from tests.documents.support import flat, numbers, pdf_text
from tests.support.site import fresh, job_file, text


@pytest.fixture
def large(app, monkeypatch, estate):
    """The test estate counts as large: the threshold is exactly its number of units."""
    units = services.units_of(estate.id)
    monkeypatch.setitem(app.config, "JOB_THRESHOLD_UNITS", units)
    return units


def _records() -> int:
    fresh()
    return db.session.scalar(select(func.count()).select_from(DocumentRecord))


def test_at_the_threshold_the_pages_offer_a_job_and_below_it_the_pdf(app, login, pages, counted_vote, committee,
                                                                     large):
    login(committee, client=pages)
    for page in (f"/votes/{counted_vote.id}", f"/votes/{counted_vote.id}/result"):
        shown = pages.get(page).get_data(as_text=True)
        assert f'action="/votes/{counted_vote.id}/result-announcement"' in shown and "打印表决结果公告（PDF）" in shown
        assert f"/votes/{counted_vote.id}/result-announcement.pdf" not in shown
    # The PDF's address, bookmarked, leads to the button instead of drawing in the request.
    response = pages.get(f"/votes/{counted_vote.id}/result-announcement.pdf")
    assert response.status_code == 302 and response.location == f"/votes/{counted_vote.id}/result"
    assert "公告在后台打印" in text(pages.get(response.location))
    assert _records() == 0
    app.config["JOB_THRESHOLD_UNITS"] = large + 1  # one unit more than the estate has: at once
    response = pages.get(f"/votes/{counted_vote.id}/result-announcement.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert f"/votes/{counted_vote.id}/result-announcement.pdf" in pages.get(f"/votes/{counted_vote.id}").get_data(
        as_text=True)


def test_the_job_reports_its_steps_and_gives_the_announcement(app, login, pages, counted_vote, committee, large,
                                                              monkeypatch):
    seen = []
    keep = progress_store.store

    def store(job_id, values, task=None):
        seen.append((values["done"], values["total"], values["step"]))
        keep(job_id, values, task)

    monkeypatch.setattr(progress_store, "store", store)
    login(committee, client=pages)
    started = pages.post(f"/votes/{counted_vote.id}/result-announcement")
    assert seen == [(0, 2, "announcement.figures"), (1, 2, "announcement.drawing")]
    assert "表决结果公告（PDF）" in text(pages.get(started.location))
    download = job_file(pages, started)
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == \
        f'attachment; filename="result-announcement-{counted_vote.uid}.pdf"'
    shown = flat(pdf_text(download.data))
    assert "梅园小区业主大会表决结果公告" in shown and "920.00 1,060.00 86.79%" in shown
    fresh()
    record = db.session.scalar(select(DocumentRecord).where(DocumentRecord.number == numbers(download.data)[0]))
    assert record.kind == DocumentKind.RESULT_ANNOUNCEMENT and record.generated_by_id == committee.id


def test_only_its_starter_sees_the_job_and_only_readers_of_the_result_start_one(app, login, pages, counted_vote,
                                                                                 committee, owner_of, make_user,
                                                                                 large):
    login(committee, client=pages)
    page = pages.post(f"/votes/{counted_vote.id}/result-announcement").location
    member = make_user(Role.COMMITTEE_MEMBER, counted_vote.estate, login="member")
    login(member, client=pages)
    for suffix in ("", ".json", "/file"):
        assert pages.get(page + suffix).status_code == 404
    # Counted, not yet published: an owner may not read the result, so may not start the job either.
    login(owner_of("2-104"), client=pages)
    assert pages.post(f"/votes/{counted_vote.id}/result-announcement").status_code == 404
    fresh()
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1


def test_a_job_that_finds_no_font_says_so_and_registers_no_number(app, login, pages, counted_vote, committee,
                                                                  large, monkeypatch):
    real = render.require_font
    calls = []

    def font_gone_after_the_start():
        calls.append(1)
        if len(calls) > 1:
            raise render.FontMissing()
        return real()

    monkeypatch.setattr(render, "require_font", font_gone_after_the_start)
    login(committee, client=pages)
    started = pages.post(f"/votes/{counted_vote.id}/result-announcement")
    assert "服务器没有安装中文字体" in text(pages.get(started.location))
    fresh()
    job = db.session.scalar(select(Job))
    assert job.state == JobState.FAILED and job.failure == "font_missing"
    assert _records() == 0
