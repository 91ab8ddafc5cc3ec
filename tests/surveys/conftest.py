"""梅园小区: an owner of two units, a co-owned unit, the developer's two units and a dozen owners
of one unit each in building 3; its committee; and 别的小区 in another sub-district."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from governance_app.auth.models import Role
from governance_app.estates import services as estate_services
from governance_app.estates.models import Owner
from governance_app.extensions import db
from tests.conftest import owner_row, roll_csv

WANG, LI, ZHANG, DEVELOPER = "310101199001011234", "310101198001012222", "310101198001013333", "91310000MA1234567X"
ROLL = [
    owner_row("1", "1-101", "88.50", "王伟", WANG),
    owner_row("1", "1-102", "90", "王伟", WANG),
    owner_row("2", "2-201", "70.05", "李娜", LI, group="A", representative="是"),
    owner_row("2", "2-201", "70.05", "张强", ZHANG, group="A", representative="否"),
    owner_row("2", "2-202", "120", "上海某置业有限公司", DEVELOPER, developer="是"),
    owner_row("2", "2-203", "100", "上海某置业有限公司", DEVELOPER, developer="是"),
] + [owner_row("3", f"3-{300 + n}", "60", f"业主{n}", f"3101011970010{n:05d}") for n in range(1, 13)]


def owner_named(estate, name: str) -> Owner:
    return db.session.scalar(select(Owner).where(Owner.estate_id == estate.id, Owner.name == name))


def as_user(owner: Owner):
    """What the services read of an account: its owner (no account needed to count keys)."""
    return SimpleNamespace(owner=owner, owner_id=owner.id, id=None, display_name=owner.name,
                           is_authenticated=True)


@pytest.fixture
def estate(make_estate):
    estate = make_estate("梅园小区")
    report = estate_services.import_roll(estate, roll_csv(ROLL), "roll.csv")
    assert report.ok, report.problems
    db.session.commit()
    return estate


@pytest.fixture
def other_estate(make_estate):
    estate = make_estate("别的小区", "别的居民区", "别的街道")
    report = estate_services.import_roll(estate, roll_csv([owner_row("1", "1-101", "80", "钱进", "310101197001014444")]),
                                         "roll.csv")
    assert report.ok
    db.session.commit()
    return estate


@pytest.fixture
def committee(make_user, estate):
    return make_user(Role.COMMITTEE_MEMBER, estate, login="member", name="业委会委员")


@pytest.fixture
def owner_account(make_user, estate):
    def make(name: str, login: str):
        return make_user(owner=owner_named(estate, name), login=login, name=name)

    return make


@pytest.fixture
def clock(clock):
    clock.set(2026, 5, 10, hour=10)
    return clock


def local(day: dt.date, hour: int = 0) -> dt.datetime:
    from tests.support.clock import SHANGHAI

    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).astimezone(dt.timezone.utc)
