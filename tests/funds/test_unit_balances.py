"""Importing each unit's own fund balance from the housing authority's statement: owners then see
their recorded balance instead of the share by area; a bad file writes nothing."""
import io

from governance_app.funds.models import UnitBalance
from tests.funds.support import count, events, fresh
from tests.funds.test_shares import share_lines


def _import(world, content: bytes, user=None, as_of: str = "2026-06-30"):
    return world.pages(user or world.member).post(
        f"/estates/{world.estate.id}/funds/unit-balances",
        data={"file": (io.BytesIO(content), "balances.csv"), "as_of": as_of}, content_type="multipart/form-data")


def test_recorded_unit_balances_replace_the_share_by_area(world):
    world.open_accounts(fund=100_000_01)
    response = _import(world, "房号,余额\n1-101,12000.50\n1-102,8000\n".encode("gbk"))
    assert response.status_code == 302
    fresh()
    assert count(UnitBalance) == 2
    assert share_lines(world, world.owner) == ["1-101: 12,000.50 yuan (recorded by the housing authority)",
                                               "1-102: 8,000.00 yuan (recorded by the housing authority)"]
    assert share_lines(world, world.owner2) == ["1-103: 40,000.00 yuan (by area)"]
    assert [e.details["units"] for e in events("funds.unit_balances_imported")] == [2]


def test_a_file_with_one_bad_row_writes_nothing(world):
    world.open_accounts()
    for content in ("1-101,12000.50\n9-999,100\n", "1-101,12000.501\n", "1-101,1\n1-101,2\n", "1-101\n", ""):
        _import(world, content.encode())
        fresh()
        assert count(UnitBalance) == 0, content


def test_only_the_committee_imports_unit_balances(world):
    world.open_accounts()
    for user in (world.owner, world.staff, world.supervisor, world.other_member):
        assert _import(world, b"1-101,1\n", user=user).status_code == 404
    fresh()
    assert count(UnitBalance) == 0
