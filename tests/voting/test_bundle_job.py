"""The audit bundle is made by a job (issue 16): its progress in words, its file (the same bundle as
``services.audit_bundle``), who may see it (as who may download a bundle: vote.inspect), and a job
that cannot make it says why and keeps nothing."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, select

from governance_app.auth.models import Role, RoleGrant
from governance_app.extensions import db
from governance_app.jobs import progress as progress_store
from governance_app.jobs import services as jobs
from governance_app.jobs.messages import step_text
from governance_app.jobs.models import Job, JobState
from governance_app.voting import bundle, services, tasks
from tests.support.voting_world import close
from tests.support.site import cast, count, events, fresh, job_file, page_client, text

UNITS = ("1-101", "1-103", "1-104", "2-101", "2-102")


@pytest.fixture
def supervisor(make_user, estate):
    return make_user(Role.SUBDISTRICT_SUPERVISOR, estate.community.sub_district, login="supervisor")


@pytest.fixture
def counted_vote(open_vote, owner_of, committee, clock):
    """Five online ballots, counted."""
    for unit in UNITS:
        cast(open_vote, owner_of(unit), i1="approve")
    close(open_vote, clock)
    services.count(open_vote, committee)
    db.session.commit()
    return open_vote


@pytest.fixture
def reported(monkeypatch):
    """What a running job reported, in order: (done, total, step)."""
    seen = []
    keep = progress_store.store

    def store(job_id, values, task=None):
        seen.append((values["done"], values["total"], values["step"]))
        keep(job_id, values, task)

    monkeypatch.setattr(progress_store, "store", store)
    return seen


def test_the_bundle_job_reports_ballots_in_words_and_gives_the_bundle(app, login, counted_vote, supervisor,
                                                                      reported, monkeypatch):
    monkeypatch.setattr(services, "BUNDLE_PROGRESS_EVERY", 2)
    pages = page_client(app)
    login(supervisor, client=pages)
    started = pages.post(f"/votes/{counted_vote.id}/bundle")
    assert reported == [(2, 5, "bundle.ballots"), (4, 5, "bundle.ballots"), (5, 5, "bundle.ballots"),
                        (5, 5, "bundle.writing")]
    assert step_text("bundle.ballots", 4, 5) == "第 4 / 5 张选票"
    page = text(pages.get(started.location))
    assert "表决审计包（JSON）" in page and "100%" in page and "下载文件" in page
    download = job_file(pages, started)
    assert download.mimetype == "application/json"
    assert download.headers["Content-Disposition"] == f'attachment; filename="vote-{counted_vote.uid}.json"'
    data = json.loads(download.get_data())
    fresh()
    assert data == json.loads(json.dumps(services.audit_bundle(counted_vote)))
    assert bundle.verify(data) is None and len(data["ballots"]) == 5
    assert [e.actor_id for e in events("vote.bundle_downloaded")] == [supervisor.id]
    job = db.session.scalar(select(Job))
    assert job.kind == tasks.BUNDLE and job.permission == "vote.inspect" and job.total == 5


def test_those_who_may_download_bundles_see_the_job_and_no_one_else(app, login, counted_vote, supervisor,
                                                                    committee, owner_of, make_user, make_estate):
    pages = page_client(app)
    login(supervisor, client=pages)
    page = pages.post(f"/votes/{counted_vote.id}/bundle").location
    estate = counted_vote.estate
    auditor = make_user(Role.AUDITOR, estate.community.sub_district, login="auditor")
    login(auditor, client=pages)
    assert pages.get(page + "/file").status_code == 200
    elsewhere = make_estate("别的小区", community="别的居民区", sub_district="别的街道")
    outsider = make_user(Role.SUBDISTRICT_SUPERVISOR, elsewhere.community.sub_district, login="other-supervisor")
    for person in (committee, owner_of("2-103"), outsider):
        login(person, client=pages)
        assert pages.post(f"/votes/{counted_vote.id}/bundle").status_code == 404
        for suffix in ("", ".json", "/file"):
            assert pages.get(page + suffix).status_code == 404, (person.login, suffix)
    assert count(Job) == 1


def test_a_vote_without_a_result_fails_the_job_with_its_reason_and_keeps_nothing(app, login, open_vote,
                                                                                supervisor):
    job = tasks.start_bundle(open_vote, supervisor)
    db.session.commit()
    jobs.dispatch(job)
    fresh()
    job = db.session.get(Job, job.id)
    assert job.state == JobState.FAILED and job.failure == "no_result"
    assert not jobs.result_path(job.id).exists() and events("vote.bundle_downloaded") == []
    pages = page_client(app)
    login(supervisor, client=pages)
    assert "该表决尚无计票结果" in text(pages.get(f"/jobs/{job.id}"))


def test_a_starter_who_lost_the_permission_gets_no_bundle(app, login, counted_vote, supervisor):
    job = tasks.start_bundle(counted_vote, supervisor)
    db.session.commit()
    db.session.execute(delete(RoleGrant).where(RoleGrant.user_id == supervisor.id))
    db.session.commit()
    jobs.dispatch(job)
    fresh()
    job = db.session.get(Job, job.id)
    assert job.state == JobState.FAILED and job.failure == "no_longer_permitted"
    assert not jobs.result_path(job.id).exists() and events("vote.bundle_downloaded") == []
