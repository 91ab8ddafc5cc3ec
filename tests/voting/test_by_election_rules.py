"""R-43: a by-election (增补) fills 1 up to the vacant seats, and the committee after it is valid."""
from __future__ import annotations

import pytest

from governance_app.voting.rules import SMALL_ESTATE_AREA, by_election_problem

LARGE = SMALL_ESTATE_AREA + 1


def test_r43_by_election_seats_zero_one_and_the_vacancies():
    # 7 elected, 2 have left: 5 sitting, 2 vacant.
    assert by_election_problem(0, 2, 5, LARGE) == "by_election_no_seats"
    assert by_election_problem(2, 2, 5, LARGE) is None  # 7 after
    assert by_election_problem(3, 2, 5, LARGE) == "by_election_more_than_vacancies"


def test_r43_one_seat_by_election_is_allowed_when_the_committee_after_it_is_valid():
    # 5 elected, one left: 4 sitting, one vacant; 5 after.
    assert by_election_problem(1, 1, 4, LARGE) is None


@pytest.mark.parametrize(("seats", "sitting", "problem"), [
    (1, 3, "by_election_after_even"),  # 4 after
    (2, 3, None),  # 5 after
    (3, 3, "by_election_after_even"),  # 6 after
])
def test_r43_the_committee_after_a_by_election_has_an_odd_size(seats, sitting, problem):
    assert by_election_problem(seats, 4, sitting, LARGE) == problem


def test_r43_at_most_11_and_at_least_5_after_it_in_a_large_estate():
    assert by_election_problem(1, 1, 10, LARGE) is None  # 11 after
    assert by_election_problem(3, 3, 10, LARGE) == "by_election_after_too_many"  # 13 after
    assert by_election_problem(1, 2, 2, LARGE) == "by_election_after_too_few"  # 3 after, large estate


def test_r43_three_after_a_by_election_in_a_small_estate_at_the_area_boundary():
    assert by_election_problem(1, 2, 2, SMALL_ESTATE_AREA - 1) is None
    assert by_election_problem(1, 2, 2, SMALL_ESTATE_AREA) is None
    assert by_election_problem(1, 2, 2, SMALL_ESTATE_AREA + 1) == "by_election_after_too_few"
