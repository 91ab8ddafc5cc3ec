"""An owner's units' share of the maintenance fund on the overview: by area, rounded down to the fen,
or the unit's own balance where the housing authority's figure was recorded (UnitBalance)."""
from __future__ import annotations

import datetime as dt

from governance_app.extensions import db
from governance_app.funds.models import UnitBalance
from tests.funds.support import FUND, text

# 1-101 100.00 m² and 1-102 80.00 m² (王伟), 1-103 120.00 m² (李娜): 300.00 m² in all.
# 100,000.01 yuan: 1-101 gets 33,333.33(67) -> 33,333.33; 1-102 26,666.66(93) -> 26,666.66;
# 1-103 40,000.00(4) -> 40,000.00.


def share_lines(world, user) -> list[str]:
    page = text(world.pages(user).get(f"/estates/{world.estate.id}/funds"))
    heading = "Your units’ share of the maintenance fund "
    if heading not in page:
        return []
    lines, rest = [], page.split(heading, 1)[1]
    while rest.startswith("1-"):
        line, rest = rest.split(")", 1)
        lines.append(line + ")")
        rest = rest.lstrip()
    return lines


def test_an_owner_sees_the_share_of_each_of_their_units_by_area_rounded_down(world):
    world.open_accounts(fund=100_000_01)
    assert share_lines(world, world.owner) == ["1-101: 33,333.33 yuan (by area)", "1-102: 26,666.66 yuan (by area)"]
    assert share_lines(world, world.owner2) == ["1-103: 40,000.00 yuan (by area)"]


def test_the_share_follows_the_posted_balance(world):
    world.open_accounts(fund=100_000_01)
    world.entry(FUND, dt.date(2026, 2, 1), "in", 29_999_99, "owner_contribution")  # 130,000.00 in all
    assert share_lines(world, world.owner2) == ["1-103: 52,000.00 yuan (by area)"]


def test_a_recorded_unit_balance_is_shown_instead_of_the_share_by_area(world):
    world.open_accounts(fund=100_000_01)
    db.session.add(UnitBalance(estate_id=world.estate.id, unit="1-102", balance=12_345_67, as_of=dt.date(2026, 6, 30)))
    # The same unit label in another estate is another unit.
    db.session.add(UnitBalance(estate_id=world.other.id, unit="1-101", balance=1, as_of=dt.date(2026, 6, 30)))
    db.session.commit()
    assert share_lines(world, world.owner) == ["1-101: 33,333.33 yuan (by area)",
                                               "1-102: 12,345.67 yuan (recorded by the housing authority)"]


def test_only_owners_see_their_shares(world):
    world.open_accounts(fund=100_000_01)
    for user in (world.member, world.staff, world.supervisor):
        assert share_lines(world, user) == []
