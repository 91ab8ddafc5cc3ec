"""The demo's last year's vote (issue 14): closed, counted and published through the real services
at the times it would have happened, so its audit bundle verifies and every page of it shows."""
from __future__ import annotations

import datetime as dt
import json

from governance_app.auth.models import Role
from governance_app.core import clock as platform
from governance_app.extensions import db
from governance_app.voting import bundle, services
from governance_app.voting.demo import TITLE, ensure_last_years_vote
from governance_app.voting.models import Vote, VoteState
from tests.support.site import count, job_file


def test_last_years_vote_is_published_and_its_bundle_verifies(estate, committee, make_user, browser):
    vote = ensure_last_years_vote(estate, committee)
    db.session.commit()  # as `flask demo load` does
    assert vote.state == VoteState.PUBLISHED and vote.title == TITLE
    assert platform.local_date(vote.notice_at) == platform.today() - dt.timedelta(days=365)
    assert platform.local_date(vote.published_at) < platform.today() - dt.timedelta(days=300)
    assert vote.result["ballots"]["counted"] >= 1
    data = bundle.load(json.dumps(services.audit_bundle(vote), ensure_ascii=False))
    assert bundle.verify(data) is None  # the commitment, trackers, chain and result hold
    assert ensure_last_years_vote(estate, committee).id == vote.id and count(Vote) == 1  # made once

    client = browser(committee)
    for page in (f"/votes/{vote.id}", f"/votes/{vote.id}/result", f"/votes/{vote.id}/board"):
        assert client.get(page).status_code == 200
    supervisor = browser(make_user(Role.SUBDISTRICT_SUPERVISOR, estate.community.sub_district, login="supervisor"))
    assert job_file(supervisor, supervisor.post(f"/votes/{vote.id}/bundle")).status_code == 200
