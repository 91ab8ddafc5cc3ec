"""The voting world many packages' tests share: an estate with a small roll, its committee and owners, a draft and an open vote, on the platform's one clock (the ``clock`` fixture)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from governance_app.core import clock as platform_clock
from governance_app.auth.models import Role
from governance_app.estates import services as estate_services
from governance_app.extensions import db
from governance_app.voting import services
from governance_app.voting.models import ItemKind, NominationSource
from tests.conftest import owner_row, roll_csv

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 9 voters over 10 units: 1-101 and 1-102 belong to one buyer; 2-101 is co-owned;
# 3-101 and 3-102 are the developer's.
ROLL = [
    owner_row("1", "1-101", "100.00", "王伟", "310101199001011234"),
    owner_row("1", "1-102", "50.00", "王伟", "310101199001011234"),
    owner_row("1", "1-103", "80.00", "李娜", "310101198001012222"),
    owner_row("1", "1-104", "90.00", "赵敏", "310101198001014444"),
    owner_row("2", "2-101", "120.00", "张强", "310101198001013333", group="A", representative="是"),
    owner_row("2", "2-101", "120.00", "刘芳", "310101198001015555", group="A", representative="否"),
    owner_row("2", "2-102", "70.00", "陈杰", "310101198001016666"),
    owner_row("2", "2-103", "60.00", "杨洋", "310101198001017777"),
    owner_row("2", "2-104", "75.00", "黄磊", "310101198001018888"),
    owner_row("3", "3-101", "200.00", "真景置业有限公司", "91310000DEMO00001X", developer="是"),
    owner_row("3", "3-102", "150.00", "真景置业有限公司", "91310000DEMO00001X", developer="是"),
    owner_row("3", "3-103", "65.00", "周涛", "310101198001019999"),
]


@pytest.fixture
def estate(make_estate):
    estate = make_estate("梅园小区")
    report = estate_services.import_roll(estate, roll_csv(ROLL), "roll.csv")
    assert report.ok
    db.session.commit()
    return estate


@pytest.fixture
def committee(make_user, estate):
    return make_user(Role.COMMITTEE_CHAIR, estate, login="chair", name="业委会主任")


@pytest.fixture
def owner_of(make_user, estate):
    """``owner_of("1-103")`` makes the account of that unit's representative."""
    from sqlalchemy import select

    from governance_app.estates.models import Owner, Ownership, Unit

    def make(unit: str, login: str | None = None):
        owner = db.session.scalars(
            select(Owner).join(Ownership, Ownership.owner_id == Owner.id).join(Unit, Unit.id == Ownership.unit_id)
            .where(Unit.label == unit, Unit.estate_id == estate.id, Ownership.valid_to.is_(None))
            .order_by(Ownership.is_representative.desc())).first()
        return make_user(owner=owner, login=login or f"owner-{unit}", name=owner.name)

    return make


@pytest.fixture
def draft_vote(estate, committee, clock):
    """A draft opening 15 days after today (the earliest R-40 allows) for 7 days."""
    today = clock().astimezone(SHANGHAI).date()
    vote = services.create_vote(estate, title="加装电梯与选举", description="", opening_date=today + dt.timedelta(days=15),
                                last_day=today + dt.timedelta(days=21), buildings=None,
                                actor=committee)
    services.add_item(vote, kind=ItemKind.RESOLUTION, matter=5, title="使用维修资金加装电梯")
    services.add_item(vote, kind=ItemKind.RESOLUTION, matter=6, title="续筹维修资金")
    election = services.add_item(vote, kind=ItemKind.ELECTION, matter=3, title="选举业委会委员", seats=3, alternates=1)
    for name in ("甲", "乙", "丙", "丁"):
        services.add_candidate(election, name=name, nomination=NominationSource.SELF, statement="", pledge_signed=True)
    services.add_item(vote, kind=ItemKind.CHOICE, matter=4, title="物业管理方式", options=["专业物业公司", "自行管理"])
    db.session.commit()
    return vote


@pytest.fixture
def open_vote(draft_vote, committee, clock):
    services.publish_notice(draft_vote, committee)
    db.session.commit()
    clock.move_to(dt.datetime.combine(platform_clock.aware(draft_vote.opens_at).astimezone(SHANGHAI).date(), dt.time(9)))
    services.advance(draft_vote)
    assert draft_vote.state.value == "open"
    return draft_vote


def close(vote, clock) -> None:
    clock.move_to(platform_clock.aware(vote.closes_at).astimezone(SHANGHAI).replace(tzinfo=None) + dt.timedelta(minutes=1))
    services.advance(vote)
