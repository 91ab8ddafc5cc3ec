"""``flask voting bundle VOTE_ID --out FILE``: the audit bundle from the command line, the same bytes
as the page's job makes, recorded in the audit log, with a progress bar over the ballots (issue 16)."""
from __future__ import annotations

import json

import pytest

from governance_app.core.progress_bar import ProgressBar
from governance_app.extensions import db
from governance_app.voting import bundle, services
from tests.support.site import events, job_file, page_client
from tests.voting.test_counting_and_results import runoff_vote, staff, supervisor  # noqa: F401 (fixtures)


@pytest.fixture
def bar_calls(monkeypatch):
    calls = []
    told = ProgressBar.__call__

    def tell(self, done, total, step="", **values):
        calls.append((done, total, step))
        return told(self, done, total, step, **values)

    monkeypatch.setattr(ProgressBar, "__call__", tell)
    return calls


def test_the_bundle_is_written_as_the_page_gives_it_and_the_export_is_audited(app, runner, login, runoff_vote,
                                                                              committee, supervisor, tmp_path,
                                                                              bar_calls):
    vote = runoff_vote
    services.count(vote, committee)
    db.session.commit()
    out = tmp_path / "bundle.json"
    result = runner.invoke(args=["voting", "bundle", str(vote.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_bytes())
    assert bundle.verify(data) is None and len(data["ballots"]) == 9
    assert result.stdout == f"{out}: {out.stat().st_size:,} bytes, 9 ballot(s), format {data['format']}\n"
    assert bar_calls == [(9, 9, "")] and "Ballots" in result.stderr
    [event] = events("vote.bundle_downloaded")
    assert (event.actor_id, event.details) == (None, {"command": "flask voting bundle"})
    pages = page_client(app)
    login(supervisor, client=pages)
    assert job_file(pages, pages.post(f"/votes/{vote.id}/bundle")).get_data() == out.read_bytes()


def test_no_bundle_before_counting_and_none_of_an_unknown_vote(runner, runoff_vote, tmp_path):
    out = tmp_path / "bundle.json"
    result = runner.invoke(args=["voting", "bundle", str(runoff_vote.id), "--out", str(out)])
    assert result.exit_code == 1 and "is not counted yet" in result.stderr
    result = runner.invoke(args=["voting", "bundle", str(runoff_vote.id + 1), "--out", str(out)])
    assert result.exit_code == 2 and f"no vote with id {runoff_vote.id + 1}" in result.stderr
    assert not out.exists() and events("vote.bundle_downloaded") == []
