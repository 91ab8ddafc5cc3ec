"""An estate with a small roll and a committee whose term ends on 2027-06-30, the people of each
role around it, and the platform's clock (``clock``) set to 2026-12-01."""
from __future__ import annotations

import datetime as dt

import pytest

from governance_app.auth.models import Role
from governance_app.disclosure import services as disclosure_services
from governance_app.disclosure.models import MemberRole
from governance_app.estates import services as estate_services
from governance_app.extensions import db
from tests.conftest import roll_csv
from tests.support.voting_world import ROLL

TERM_END = dt.date(2027, 6, 30)


@pytest.fixture
def clock(clock):
    clock.set(2026, 12, 1)
    return clock


@pytest.fixture
def estate(make_estate, clock):
    estate = make_estate("梅园小区")
    assert estate_services.import_roll(estate, roll_csv(ROLL), "roll.csv").ok
    db.session.commit()
    return estate


@pytest.fixture
def people(make_user, estate):
    sub_district = estate.community.sub_district
    return {
        "supervisor": make_user(Role.SUBDISTRICT_SUPERVISOR, sub_district, login="supervisor", name="街道督导"),
        "staff": make_user(Role.COMMUNITY_STAFF, estate.community, login="staff", name="居委干部"),
        "chair": make_user(Role.COMMITTEE_CHAIR, estate, login="chair", name="业委会主任"),
        "auditor": make_user(Role.AUDITOR, sub_district, login="auditor", name="审计员"),
    }


def seat_committee(estate, actor, *, members: int = 5, left: int = 0, term_end: dt.date = TERM_END) -> None:
    start = dt.date(term_end.year - 5, term_end.month, term_end.day) + dt.timedelta(days=1)
    for number in range(members):
        member = disclosure_services.add_member(
            estate, name=f"委员{number + 1}", role=MemberRole.CHAIR if number == 0 else MemberRole.MEMBER,
            term_start=start, term_end=term_end, pledge=None, pledge_signed_on=None, actor=actor)
        if number >= members - left:
            disclosure_services.member_left(member, start + dt.timedelta(days=100), actor)
    db.session.commit()


@pytest.fixture
def committee(estate, people):
    seat_committee(estate, people["chair"])
    return estate
