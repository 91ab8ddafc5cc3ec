"""Pure rules of issue 14: participation so far against 2/3 (R-10) and what stops a notice (R-40, R-21)."""
from __future__ import annotations

import datetime as dt

import pytest

from governance_app.voting.rules import (
    Ballot, DraftItem, RollEntry, latest_notice, notice_problems, participation_so_far, two_thirds_of,
)

CLOSES = dt.datetime(2026, 7, 20, tzinfo=dt.timezone.utc)
BEFORE = CLOSES - dt.timedelta(days=1)


@pytest.mark.parametrize(("total", "needed"), [(0, 0), (1, 1), (2, 2), (3, 2), (4, 3), (5, 4), (6, 4), (300, 200),
                                               (301, 201)])
def test_r10_two_thirds_is_the_least_whole_number_reaching_it(total, needed):
    assert 3 * needed >= 2 * total
    assert needed == 0 or 3 * (needed - 1) < 2 * total


def _roll(count: int, area: int = 100_00) -> list[RollEntry]:
    return [RollEntry(unit=f"1-{i:03d}", building="1", area=area, voter=f"o{i}") for i in range(count)]


def _ballots(voters, status="valid", at=BEFORE) -> list[Ballot]:
    return [Ballot(voter=f"o{i}", received_at=at, status=status) for i in voters]


@pytest.mark.parametrize(("voted", "met"), [(5, False), (6, True), (7, True)])  # 2/3 of 9 is 6: n-1, n, n+1
def test_r10_participation_so_far_at_the_threshold(voted, met):
    so_far = participation_so_far(_roll(9), _ballots(range(voted)), CLOSES)
    assert (so_far.heads, so_far.area, so_far.heads_needed, so_far.area_needed) == (voted, voted * 100_00, 6, 600_00)
    assert so_far.met is met and so_far.heads_met is met and so_far.area_met is met


def test_participation_so_far_counts_one_valid_ballot_per_voter_in_time_only():
    ballots = [*_ballots([0, 1]), *_ballots([1]), *_ballots([2], status="invalid"),
               *_ballots([3], at=CLOSES), Ballot(voter="stranger", received_at=BEFORE, status="valid")]
    so_far = participation_so_far(_roll(9), ballots, CLOSES)
    assert (so_far.heads, so_far.area) == (2, 200_00)


def test_participation_by_area_and_by_headcount_are_separate():
    roll = [RollEntry("1-1", "1", 700_00, "big"), *(_roll(3, area=100_00))]
    so_far = participation_so_far(roll, [Ballot("big", BEFORE, "valid")], CLOSES)
    assert so_far.area_met and not so_far.heads_met and not so_far.met
    assert so_far.percent(so_far.area, so_far.total_area) == 70


def test_percent_is_rounded_down_never_showing_two_thirds_too_early():
    so_far = participation_so_far(_roll(3), _ballots([0]), CLOSES)
    assert so_far.percent(2, 3) == 66


def test_r40_latest_notice_is_the_inverse_of_the_earliest_opening():
    assert latest_notice(dt.date(2026, 7, 16)) == dt.date(2026, 7, 1)


NOTICE_DAY = dt.date(2026, 7, 1)


def test_a_ready_draft_has_no_problem():
    items = [DraftItem("resolution", "加装电梯"), DraftItem("election", "选举", seats=3, candidates=3),
             DraftItem("choice", "方式", options=2)]
    assert notice_problems(items, NOTICE_DAY, dt.date(2026, 7, 16), units_in_scope=10) == []


def test_every_problem_of_a_draft_is_listed_in_order():
    items = [DraftItem("election", "选举", seats=5, candidates=4), DraftItem("election", "补选", seats=3),
             DraftItem("choice", "方式", options=1)]
    problems = notice_problems(items, NOTICE_DAY, dt.date(2026, 7, 15), units_in_scope=0)
    assert [reason for reason, _ in problems] == ["notice_too_late", "too_few_candidates", "no_candidates",
                                                  "too_few_options_in", "empty_roll"]
    assert problems[0][1] == {"earliest": dt.date(2026, 7, 16)}
    assert problems[1][1] == {"item": "选举", "seats": 5, "candidates": 4}


@pytest.mark.parametrize(("candidates", "refused"), [(2, True), (3, False), (4, False)])
def test_r21_an_election_needs_as_many_candidates_as_seats(candidates, refused):
    items = [DraftItem("election", "选举", seats=3, candidates=candidates)]
    problems = notice_problems(items, NOTICE_DAY, dt.date(2026, 7, 16), units_in_scope=10)
    assert bool(problems) is refused


def test_a_draft_without_items_cannot_be_noticed():
    assert notice_problems([], NOTICE_DAY, dt.date(2026, 7, 16), 10) == [("no_items", {})]
