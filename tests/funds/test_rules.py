"""Money rules as pure functions (RULES.md R-50 to R-53), at their boundaries, in integer fen."""
import datetime as dt

import pytest

from governance_app.funds import rules


@pytest.mark.parametrize("text, fen", [("0.01", 1), ("1", 100), ("1.5", 150), ("1,234.56", 123456),
                                       ("¥88.00", 8800), ("12.300", 1230), ("-5.00", -500)])
def test_yuan_are_read_exactly_into_fen(text, fen):
    assert rules.parse_yuan(text) == fen


@pytest.mark.parametrize("text, reason", [("", "empty"), ("abc", "not_a_number"), ("1.234", "too_many_decimals"),
                                          ("1.2.3", "not_a_number"), ("１２", "not_a_number"), ("1e3", "not_a_number")])
def test_bad_amounts_are_refused_with_the_reason(text, reason):
    with pytest.raises(rules.MoneyError) as caught:
        rules.parse_yuan(text)
    assert caught.value.reason == reason


def test_format_yuan():
    assert rules.format_yuan(123456789) == "1,234,567.89"
    assert rules.format_yuan(-5) == "-0.05"
    assert rules.plain_yuan(123456) == "1234.56"


# top-up below 30% of the first-period amount; exactly 30% does not trigger.
@pytest.mark.parametrize("balance, due", [(29_999, True), (30_000, False), (30_001, False), (0, True)])
def test_r52_top_up_is_due_strictly_below_30_percent(balance, due):
    assert rules.top_up_due(balance, 100_000) is due


def test_r52_top_up_with_a_first_period_amount_not_divisible_by_ten():
    # 30% of 101 fen is 30.3 fen: 30 is below it, 31 is not.
    assert rules.top_up_due(30, 101) is True
    assert rules.top_up_due(31, 101) is False


@pytest.mark.parametrize("balance, needed", [(20_000, 30_000), (50_000, 0), (60_000, 0), (0, 50_000)])
def test_r52_amount_needed_to_reach_half(balance, needed):
    assert rules.top_up_amount(balance, 100_000) == needed


def test_r52_half_of_an_odd_amount_is_rounded_up_to_the_fen():
    assert rules.top_up_amount(0, 101) == 51


# each quarter's transfer must exceed 50% of that quarter's common income.
@pytest.mark.parametrize("transferred, met", [(49_999, False), (50_000, False), (50_001, True)])
def test_r51_transfer_must_exceed_half_of_the_quarter_income(transferred, met):
    assert rules.transfer_share_met(transferred, 100_000) is met


def test_r51_quarters():
    assert rules.quarter_of(dt.date(2026, 5, 17)) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert rules.quarter_of(dt.date(2026, 12, 31)) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))


# the fund at least every half year, common income every quarter; 30 days to publish.
def test_r50_fund_statement_is_due_half_a_year_after_the_last_one_plus_grace():
    due = rules.next_statement_due(rules.MAINTENANCE_FUND, dt.date(2026, 6, 30), dt.date(2026, 12, 1))
    assert (due.period_end, due.due_on, due.overdue) == (dt.date(2026, 12, 31), dt.date(2027, 1, 30), False)
    assert rules.next_statement_due(rules.MAINTENANCE_FUND, dt.date(2026, 6, 30), dt.date(2027, 1, 30)).overdue is False
    assert rules.next_statement_due(rules.MAINTENANCE_FUND, dt.date(2026, 6, 30), dt.date(2027, 1, 31)).overdue is True


def test_r50_common_income_statement_is_quarterly():
    due = rules.next_statement_due(rules.COMMON_INCOME, dt.date(2026, 3, 31), dt.date(2026, 4, 1))
    assert (due.period_end, due.due_on) == (dt.date(2026, 6, 30), dt.date(2026, 7, 30))


def test_r53_fund_expenses_need_authority_but_transfers_and_income_do_not():
    assert rules.needs_authority(rules.MAINTENANCE_FUND, "out", "repair_elevator")
    assert not rules.needs_authority(rules.MAINTENANCE_FUND, "out", "transfer")
    assert not rules.needs_authority(rules.MAINTENANCE_FUND, "in", "interest")
    assert not rules.needs_authority(rules.COMMON_INCOME, "out", "management_cost")


def test_questions_unanswered_for_more_than_14_days_are_flagged():
    asked = dt.date(2026, 7, 1)
    assert not rules.question_overdue(asked, dt.date(2026, 7, 15), answered=False)
    assert rules.question_overdue(asked, dt.date(2026, 7, 16), answered=False)
    assert not rules.question_overdue(asked, dt.date(2026, 8, 1), answered=True)


def test_unit_shares_by_area_never_add_up_to_more_than_the_balance():
    shares = [rules.unit_share(100_00, area, 300_00) for area in (100_00, 100_00, 100_00)]
    assert shares == [3333, 3333, 3333] and sum(shares) <= 100_00

