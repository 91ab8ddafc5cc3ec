"""A counted vote in the voting tests' estate (their fixtures, imported), and its people."""
from __future__ import annotations

import datetime as dt

import pytest

from governance_app.core import clock as platform_clock
from governance_app.auth.models import Role
from tests.support.voting_world import committee, draft_vote, estate, open_vote, owner_of  # noqa: F401 (fixtures)
from tests.support.site import cast, close_vote, page_client
from governance_app.voting import services
from governance_app.extensions import db


@pytest.fixture
def staff(make_user, estate):  # noqa: F811
    return make_user(Role.COMMUNITY_STAFF, estate.community, login="staff")


@pytest.fixture
def supervisor(make_user, estate):  # noqa: F811
    return make_user(Role.SUBDISTRICT_SUPERVISOR, estate.community.sub_district, login="supervisor")


@pytest.fixture
def auditor(make_user, estate):  # noqa: F811
    return make_user(Role.AUDITOR, estate.community.sub_district, login="auditor")


@pytest.fixture
def counted_vote(open_vote, owner_of, committee, clock):  # noqa: F811
    """Seven ballots (920.00 of 1060.00 m², 7 of 9 owners): item 1 passes (R-11), item 2 fails
    (R-12 needs 3/4), 甲 and 乙 are elected, 丙 and 丁 tie for the last seat, option 1 passes."""
    marks = {
        "3-101": dict(i1="approve", i2="approve", i3=["c1", "c3", "c4"], i4="p1"),
        "1-101": dict(i1="approve", i2="approve", i3=["c2", "c3", "c4"], i4="p1"),
        "1-103": dict(i1="approve", i2="approve", i3=["c2", "c3", "c4"], i4="p1"),
        "1-104": dict(i1="approve", i2="approve", i3=["c1", "c3", "c4"], i4="p1"),
        "2-101": dict(i1="approve", i2="approve", i3=["c1", "c2"], i4="p1"),
        "2-102": dict(i1="oppose", i2="oppose", i3=["c1", "c2"], i4="p1"),
        "2-103": dict(i1=None, i2="abstain", i3=["c1", "c2"], i4="p2"),
    }
    for unit, chosen in marks.items():
        cast(open_vote, owner_of(unit), **chosen)
    close_vote(open_vote, clock)
    services.count(open_vote, committee)
    db.session.commit()
    return open_vote


@pytest.fixture
def published_vote(counted_vote, committee, clock):  # noqa: F811
    clock.move_to(platform_clock.aware(counted_vote.counted_at).astimezone(platform_clock.zone()).replace(tzinfo=None)
                  + dt.timedelta(hours=1))
    services.publish_result(counted_vote, committee)
    db.session.commit()
    return counted_vote


@pytest.fixture
def pages(app):
    return page_client(app)
