"""The voting world (tests/support/voting_world.py: an estate with a small roll, its committee and
owners, a draft and an open vote), and drafts built on the platform's clock (``clock``)
for the pages of issue 14 (home, drafts, confirmations, participation)."""
from __future__ import annotations

import datetime as dt

import pytest

from governance_app.core import clock as platform
from governance_app.extensions import db
from governance_app.voting import services
from governance_app.voting.models import ItemKind, NominationSource
from tests.support.voting_world import committee, draft_vote, estate, open_vote, owner_of  # noqa: F401  (fixtures)
from tests.support.site import page_client


def make_draft(estate, committee, *, title="加装电梯与选举", opening: dt.date | None = None, items=True):
    """A draft opening 15 days after the platform's today (the earliest R-40 allows) for 7 days."""
    opening = opening or platform.today() + dt.timedelta(days=15)
    vote = services.create_vote(estate, title=title, description="", opening_date=opening,
                                last_day=opening + dt.timedelta(days=6), buildings=None, actor=committee)
    if items:
        services.add_item(vote, kind=ItemKind.RESOLUTION, matter=5, title="使用维修资金加装电梯")
        election = services.add_item(vote, kind=ItemKind.ELECTION, matter=3, title="选举业委会委员", seats=3)
        for name in ("甲", "乙", "丙"):
            services.add_candidate(election, name=name, nomination=NominationSource.SELF, statement="",
                                   pledge_signed=True)
    db.session.commit()
    return vote


def open_it(vote, committee, clock) -> None:
    """Publish the notice, then move the platform's clock to 09:00 of the opening day."""
    services.publish_notice(vote, committee)
    db.session.commit()
    opening = platform.local_date(vote.opens_at)
    clock.set(opening.year, opening.month, opening.day, hour=9)
    services.advance(vote)
    assert vote.state.value == "open"


@pytest.fixture
def browser(app, login):
    """``browser(user)``: a separate signed-in client whose requests each get their own context."""
    def make(user):
        return login(user, client=page_client(app))

    return make
