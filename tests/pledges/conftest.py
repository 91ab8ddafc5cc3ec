"""梅园小区 (王伟 1-101, 李娜 1-102, 赵敏 2-101) with its committee, a convention with clauses and a
valid committee decision; 别的小区 elsewhere with its owner 钱进. Shared with the disclosure tests."""
from __future__ import annotations

import datetime as dt

import pytest

from governance_app.auth.models import Role
from governance_app.disclosure import services as disclosure
from governance_app.disclosure.models import DocumentKind
from governance_app.extensions import db
from tests.disclosure.conftest import (  # noqa: F401  fixtures re-used as they are
    browser_of, committee, estate, other_estate, other_owner, owner, second_owner,
)
from tests.disclosure.support import PDF, local_today, meeting, seat_members


@pytest.fixture
def staff(make_user, estate):
    return make_user(Role.COMMUNITY_STAFF, estate.community, login="staff", name="社区工作人员")


@pytest.fixture
def convention(estate, committee):
    """居民公约 with clauses 1 (noise) and 2 (corridors)."""
    version = disclosure.add_version(estate, kind=DocumentKind.RESIDENTS_CONVENTION, title="梅园居民公约",
                                     content=PDF + b"convention", adopted_on=local_today() - dt.timedelta(days=30),
                                     vote_id=None, item=None, note="", actor=committee)
    document = version.document
    disclosure.add_clause(document, number=1, text="晚上十点后不得制造噪音。", actor=committee)
    disclosure.add_clause(document, number=2, text="楼道内不得堆放杂物。", actor=committee)
    db.session.commit()
    return document


@pytest.fixture
def clause(convention):
    return disclosure.clauses(convention)[1]


@pytest.fixture
def members(estate, committee):
    """Three members 甲, 乙, 丙."""
    return seat_members(estate, committee, 3)


@pytest.fixture
def decision(estate, committee, members):
    """A valid decision (R-45: 2 of 3 signed) of a held meeting, signed by 甲 and 乙."""
    held = meeting(estate, committee, in_days=1)
    disclosure.record_attendance(held, [m.id for m in members], local_today(), "纪要", committee)
    found = disclosure.record_decision(held, "同意将 1-102 列入黑榜。", [members[0].id, members[1].id], committee)
    db.session.commit()
    assert found.valid
    return found


@pytest.fixture
def invalid_decision(estate, committee, members):
    held = meeting(estate, committee, in_days=1, title="另一次会议")
    disclosure.record_attendance(held, [m.id for m in members], local_today(), "纪要", committee)
    found = disclosure.record_decision(held, "只有一人签字。", [members[0].id], committee)
    db.session.commit()
    assert not found.valid
    return found
