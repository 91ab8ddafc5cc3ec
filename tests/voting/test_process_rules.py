"""Deadlines and sizes as pure functions (R-31, R-33, R-40, R-42, R-43)."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from governance_app.voting import rules


def test_r40_notice_on_1_july_allows_opening_on_16_july_but_2_july_does_not():
    assert rules.notice_period_ok(dt.date(2026, 7, 1), dt.date(2026, 7, 16))
    assert not rules.notice_period_ok(dt.date(2026, 7, 2), dt.date(2026, 7, 16))
    assert rules.earliest_opening(dt.date(2026, 7, 2)) == dt.date(2026, 7, 17)


def test_r31_a_period_ends_at_24_00_of_its_last_day_in_shanghai():
    zone = ZoneInfo("Asia/Shanghai")
    end = rules.end_of_day(dt.date(2026, 7, 31), zone)
    assert end == dt.datetime(2026, 8, 1, 0, 0, tzinfo=zone)
    assert end.astimezone(dt.timezone.utc) == dt.datetime(2026, 7, 31, 16, 0, tzinfo=dt.timezone.utc)


def test_r42_results_are_due_three_days_after_counting():
    assert rules.result_posting_due(dt.date(2026, 7, 31)) == dt.date(2026, 8, 3)


@pytest.mark.parametrize("seats, area, problem", [
    (4, 20_000_00, "even"), (6, 20_000_00, "even"),
    (5, 20_000_00, None), (7, 20_000_00, None), (11, 20_000_00, None),
    (13, 20_000_00, "too_many"),
    (3, 10_000_00, None), (3, 10_000_01, "too_few"), (1, 5_000_00, "too_few"),
])
def test_r43_committee_size(seats, area, problem):
    assert rules.committee_size_problem(seats, area) == problem


@pytest.mark.parametrize("held, reached", [(0, False), (2, False), (3, True), (4, True)])
def test_r33_at_most_three_proxies_per_person(held, reached):
    assert rules.proxy_limit_reached(held) is reached


# --- who holds a frozen key's ballot right during the vote (issue 12, point 10) -----------------

SELLER, BUYER, OTHER_BUYER = 1, 2, 3


@pytest.mark.parametrize("casters_now, holders", [
    ((SELLER, SELLER), {SELLER}),  # nothing sold
    ((SELLER, BUYER), {SELLER}),  # one of two units sold: stays with the holder at the notice
    ((BUYER, SELLER), {SELLER}),
    ((BUYER, BUYER), {BUYER}),  # every unit passed to the same new holder
    ((BUYER, OTHER_BUYER), {SELLER}),  # sold to different buyers
    ((BUYER,), {BUYER}),  # a one-unit key passes with its unit (a co-owned unit: to its representative)
    ((BUYER, None), {SELLER}),  # a unit nobody casts for today (no representative): not passed
    ((None,), {SELLER}),
])
def test_r05_ballot_right_holders_at_the_boundaries(casters_now, holders):
    assert rules.ballot_right_holders(casters_now, [SELLER, SELLER]) == holders


def test_r05_never_seller_and_buyer_together():
    for casters in [(SELLER, BUYER), (SELLER, BUYER, BUYER), (BUYER, BUYER, SELLER)]:
        assert len(rules.ballot_right_holders(casters, [SELLER] * len(casters))) == 1


def test_r05_unknown_holder_at_the_notice_gives_nobody_rather_than_the_buyer():
    assert rules.ballot_right_holders((SELLER, BUYER), [None, None]) == frozenset()
