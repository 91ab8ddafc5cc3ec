"""梅园小区 with three owners, its committee's account, and 别的小区 in another community and
sub-district with an owner of its own."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from governance_app.auth.models import Role
from governance_app.estates import services as estate_services
from governance_app.estates.models import Owner
from governance_app.extensions import db
from tests.conftest import owner_row, roll_csv
from tests.disclosure.support import pages

ROLL = [
    owner_row("1", "1-101", "100.00", "王伟", "310101199001011234"),
    owner_row("1", "1-102", "80.00", "李娜", "310101198001012222"),
    owner_row("2", "2-101", "90.00", "赵敏", "310101198001014444"),
]


def _estate_with_roll(make_estate, name: str, rows, **where):
    estate = make_estate(name, **where)
    report = estate_services.import_roll(estate, roll_csv(rows), "roll.csv")
    assert report.ok, report.problems
    db.session.commit()
    return estate


def _owner_account(make_user, estate, name: str, login: str):
    owner = db.session.scalar(select(Owner).where(Owner.estate_id == estate.id, Owner.name == name))
    return make_user(owner=owner, login=login, name=name)


@pytest.fixture
def estate(make_estate):
    return _estate_with_roll(make_estate, "梅园小区", ROLL)


@pytest.fixture
def other_estate(make_estate):
    return _estate_with_roll(make_estate, "别的小区", [owner_row("1", "1-101", "80.00", "钱进", "310101197001014444")],
                             community="别的居民区", sub_district="别的街道")


@pytest.fixture
def committee(make_user, estate):
    return make_user(Role.COMMITTEE_MEMBER, estate, login="member", name="业委会委员")


@pytest.fixture
def owner(make_user, estate):
    return _owner_account(make_user, estate, "王伟", "owner")


@pytest.fixture
def second_owner(make_user, estate):
    return _owner_account(make_user, estate, "李娜", "second-owner")


@pytest.fixture
def other_owner(make_user, other_estate):
    return _owner_account(make_user, other_estate, "钱进", "other-owner")


@pytest.fixture
def browser_of(app, login):
    """``browser_of(user)``: a separate browser signed in as ``user`` (English unless told)."""

    def open_as(user, language: str = "en"):
        client = pages(app, language)
        if user is not None:
            login(user, client=client)
        return client

    return open_as
