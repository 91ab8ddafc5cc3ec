"""The proposals' rules as pure functions (R-41, R-70, R-71): numbers in, answers out, no app."""
import random
from fractions import Fraction

import pytest

from governance_app.proposals import rules
from governance_app.proposals.rules import PlanLine


# --- the committee must answer at 5% of the heads ----------------------------------------------

@pytest.mark.parametrize("signed, total, due", [
    (4, 100, False), (5, 100, True), (6, 100, True),  # n-1, n, n+1
    (1, 40, False), (2, 40, True), (2, 41, False), (3, 41, True),  # 5% of 41 is 2.05: 3 needed
    (0, 0, False), (1, 20, True), (0, 20, False),
])
def test_r70_answer_is_due_at_five_percent_of_the_heads(signed, total, due):
    assert rules.answer_due(signed, total) is due


def test_r70_the_percent_is_the_estates_setting():
    assert rules.answer_due(9, 100, percent=10) is False
    assert rules.answer_due(10, 100, percent=10) is True


@pytest.mark.parametrize("total, percent, needed", [(100, 5, 5), (41, 5, 3), (40, 5, 2), (1, 5, 1), (0, 5, 0),
                                                    (7, 20, 2), (10, 20, 2)])
def test_the_target_shown_is_the_smallest_number_that_reaches_it(total, percent, needed):
    assert rules.needed_for(total, percent) == needed
    assert rules.share_reached(needed, total, percent) == (total > 0)
    assert not rules.share_reached(needed - 1, total, percent)


# --- 20% of the area AND 20% of the heads may require the assembly -----------------------------

@pytest.mark.parametrize("area, heads, required", [
    (1999, 20, False), (2000, 20, True), (2001, 20, True),  # area at n-1, n, n+1 (total 10000)
    (2000, 19, False), (2000, 21, True),  # heads at n-1 and n+1 (total 100)
    (10000, 19, False), (1999, 100, False),  # both are needed
])
def test_r41_assembly_needs_a_fifth_of_the_area_and_of_the_heads(area, heads, required):
    assert rules.assembly_may_be_required(area, 10000, heads, 100) is required


def test_r41_nothing_is_required_in_an_empty_scope():
    assert rules.assembly_may_be_required(0, 0, 0, 0) is False


# --- apportionment by the largest remainder -------------------------------------------------------

def test_apportion_splits_evenly_when_it_can():
    assert rules.apportion(300, [1, 1, 1]) == [100, 100, 100]


def test_apportion_gives_the_extra_fen_to_the_largest_remainders():
    # 100 fen over 88.50, 90.00 and 120.00 m²: exactly 29.648.., 30.150.., 40.201..; the floors
    # make 99, and the one fen left goes to the largest remainder, the first unit's.
    assert rules.apportion(100, [8850, 9000, 12000]) == [30, 30, 40]
    # 200 fen: 59.296.., 60.301.., 80.402..: floors 199, the fen goes to the third (0.402).
    assert rules.apportion(200, [8850, 9000, 12000]) == [59, 60, 81]


def test_apportion_ties_go_to_the_earlier_position():
    assert rules.apportion(1, [1, 1, 1]) == [1, 0, 0]
    assert rules.apportion(2, [1, 1, 1]) == [1, 1, 0]
    assert rules.apportion(5, [2, 1, 1]) == [3, 1, 1]  # 2.5, 1.25, 1.25: the half goes first
    assert rules.apportion(4, [1, 1, 1]) == [2, 1, 1]


def test_apportion_with_zero_weights_and_a_zero_total():
    assert rules.apportion(10, [0, 1, 0]) == [0, 10, 0]
    assert rules.apportion(0, [3, 4]) == [0, 0]


@pytest.mark.parametrize("total, weights", [(-1, [1]), (10, []), (10, [1, -1]), (10, [0, 0])])
def test_apportion_refuses_what_cannot_be_split(total, weights):
    with pytest.raises(ValueError):
        rules.apportion(total, weights)


def test_apportion_over_ten_thousand_units_to_the_fen():
    generator = random.Random(71)
    weights = [generator.randint(3000, 18000) for _ in range(10_000)]  # 30 to 180 m², in hundredths
    total = 123_456_789
    shares = rules.apportion(total, weights)
    whole = sum(weights)
    assert len(shares) == 10_000 and sum(shares) == total
    floors = [total * w // whole for w in weights]
    extra = [share - floor for share, floor in zip(shares, floors)]
    assert set(extra) <= {0, 1} and sum(extra) == total - sum(floors)
    # Every unit that got the extra fen has a remainder at least as large as any that did not.
    remainders = [total * w % whole for w in weights]
    given = [r for r, e in zip(remainders, extra) if e]
    refused = [r for r, e in zip(remainders, extra) if not e]
    assert min(given) >= max(refused)


def test_apportion_per_unit_is_equal_weights():
    shares = rules.apportion(1_000_00, [1] * 7)
    assert shares == [14286, 14286, 14286, 14286, 14286, 14285, 14285]


# --- the plan's lines ---------------------------------------------------------------------------

def lines(owners=0, subsidy=0, income=0, fund=0, status="applied"):
    return [PlanLine("owners", owners), PlanLine("subsidy", subsidy, status), PlanLine("common_income", income),
            PlanLine("maintenance_fund", fund)]


def test_r71_lines_add_up_to_the_cost_exactly():
    assert rules.plan_problem(100_00, lines(50_00, 30_00, 20_00)) is None
    assert rules.plan_problem(100_00, lines(50_00, 30_00, 19_99))[0] == "lines_do_not_add_up"
    assert rules.plan_problem(100_00, lines(50_00, 30_00, 20_01))[0] == "lines_do_not_add_up"


@pytest.mark.parametrize("available, problem", [(19_99, "common_income_exceeds"), (20_00, None), (20_01, None)])
def test_r71_common_income_ceiling_is_the_available_balance(available, problem):
    found = rules.plan_problem(100_00, lines(50_00, 30_00, 20_00), common_income_available=available)
    assert (found[0] if found else None) == problem


def test_r53_maintenance_fund_only_through_a_fund_resolution():
    assert rules.plan_problem(100_00, lines(owners=60_00, fund=40_00))[0] == "fund_needs_resolution"
    assert rules.plan_problem(100_00, lines(owners=60_00, fund=40_00), fund_resolution=True) is None


def test_r71_a_plan_refuses_negative_lines_unknown_kinds_and_a_bad_subsidy_status():
    assert rules.plan_problem(100, [PlanLine("owners", 200), PlanLine("subsidy", -100, "applied")])[0] == \
        "negative_line"
    assert rules.plan_problem(100, [PlanLine("loan", 100)])[0] == "unknown_line"
    assert rules.plan_problem(100, [PlanLine("subsidy", 100, "maybe")])[0] == "subsidy_status"
    assert rules.plan_problem(0, [])[0] == "cost_not_positive"
    assert rules.plan_problem(100, [PlanLine("owners", 50), PlanLine("owners", 50)])[0] == "line_twice"


# --- the vote's matter -------------------------------------------------------------------------------------

@pytest.mark.parametrize("category, uses_fund, changes_use, matter", [
    ("lift", True, False, 5), ("greening", True, True, 5),  # fund money decides first
    ("lift", False, False, 7), ("parking", False, True, 8), ("ebike_charging", False, True, 8),
    ("lighting", False, False, 9), ("other", False, False, 9),
])
def test_the_matter_follows_from_the_proposal(category, uses_fund, changes_use, matter):
    assert rules.matter_for(category, uses_fund=uses_fund, changes_use=changes_use) == matter


# --- the rating ------------------------------------------------------------------------------------------

def test_the_rating_is_averaged_by_heads_with_its_distribution():
    summary = rules.summarise_ratings([5, 4, 4, 3])
    assert summary.raters == 4 and summary.average_tenths == 40 and summary.distribution == (0, 0, 1, 2, 1)
    assert rules.summarise_ratings([5, 4]).average_tenths == 45
    assert rules.summarise_ratings([5, 4, 4]).average_tenths == 43  # 4.333..
    assert rules.summarise_ratings([5, 5, 4, 4, 4, 4, 4, 4]).average_tenths == 43  # 4.25 rounds up
    assert rules.summarise_ratings([]).raters == 0
    with pytest.raises(ValueError):
        rules.summarise_ratings([6])


def test_rating_is_open_for_thirty_days_after_completion():
    import datetime as dt

    done = dt.date(2026, 5, 1)
    assert rules.rating_open(done, dt.date(2026, 5, 31))
    assert not rules.rating_open(done, dt.date(2026, 6, 1))
    assert not rules.rating_open(done, dt.date(2026, 4, 30))
