"""The demo's open vote: noticed 16 days back (R-40) through the real services at that time, so
what its notice committed to (owners-vote/2) is what the vote has, and its bundle verifies once
it is counted."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from governance_app.audit.models import AuditEvent
from governance_app.core import clock as platform
from governance_app.extensions import db
from governance_app.voting import bundle, rules, services
from governance_app.voting.models import Vote, VoteChainHead, VoteState


def test_r40_the_demo_open_vote_matches_its_commitment(app_context):
    from governance_app.demo import load_demo

    load_demo()
    db.session.commit()
    vote = db.session.scalar(select(Vote).where(Vote.title == "加装电梯与业委会换届"))
    assert vote.state == VoteState.OPEN
    noticed_on, opens_on = platform.local_date(vote.notice_at), platform.local_date(vote.opens_at)
    assert noticed_on == platform.today() - dt.timedelta(days=16) and opens_on <= platform.today()
    assert rules.earliest_opening(noticed_on) <= opens_on  # 15 full days between
    assert vote.commitment == bundle.commitment(*services.committed(vote))
    head = db.session.scalar(select(VoteChainHead).where(VoteChainHead.vote_id == vote.id, VoteChainHead.seq == 0))
    assert head is None or head.chain == bundle.chain_start(vote.uid, vote.commitment)
    [noticed] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "vote.noticed",
                                                            AuditEvent.object_id == str(vote.id)))
    assert noticed.details["commitment"] == vote.commitment
    assert noticed.details["opens_at"] == platform.aware(vote.opens_at).isoformat()
