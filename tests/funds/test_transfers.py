"""Transfers between the estate's accounts, and the R-51 quarter checks: where the estate's rules
say common income mainly tops up the fund, each quarter's transfer must exceed half that quarter's
common income (exactly half is not enough)."""
from __future__ import annotations

import datetime as dt

import pytest

from governance_app.extensions import db
from governance_app.funds import services as funds
from governance_app.funds.models import Entry, FundError
from tests.funds.support import FUND, INCOME, WORKING, cards, count, entries, errors, events, flashes, text

Q1 = "2026-01-01 – 2026-03-31"


@pytest.fixture
def opened(world):
    world.open_accounts(income=10_000_00)
    return world


def transfer(world, source=INCOME, target=FUND, amount="500.00", day="2026-02-15", user=None):
    return world.pages(user or world.member).post(
        f"/estates/{world.estate.id}/funds/transfer",
        data={"source": source, "target": target, "day": day, "amount": amount, "description": "一季度转入"},
        follow_redirects=True)


def test_a_transfer_is_one_pair_of_entries_sharing_a_group_and_moves_both_balances(opened):
    response = transfer(opened, amount="1,234.56")
    assert ("success", "Transfer recorded.") in flashes(response)
    out, into = entries()
    assert (out.account_id, out.direction, into.account_id, into.direction) == (
        opened.account(INCOME).id, "out", opened.account(FUND).id, "in")
    assert out.transfer_group and out.transfer_group == into.transfer_group
    assert (out.amount, into.amount, out.category, into.category, out.day, into.day) == (
        1_234_56, 1_234_56, "transfer", "transfer", dt.date(2026, 2, 15), dt.date(2026, 2, 15))
    assert (out.counterparty, into.counterparty) == (FUND, INCOME)
    assert funds.balance(opened.account(INCOME)) == 10_000_00 - 1_234_56
    assert funds.balance(opened.account(FUND)) == 80_000_00 + 1_234_56
    assert funds.balance(opened.account(WORKING)) == 0
    assert response.request.path == f"/estates/{opened.estate.id}/funds/{INCOME}"
    page = text(response)
    assert "Balance 8,765.44" in page
    [event] = events("funds.transfer")
    assert event.details == {"from": INCOME, "to": FUND, "amount": 1_234_56, "day": "2026-02-15"}


def test_two_transfers_have_two_groups(opened):
    transfer(opened)
    transfer(opened, source=FUND, target=WORKING)
    groups = [e.transfer_group for e in entries()]
    assert groups[0] == groups[1] != groups[2] == groups[3]


def test_a_transfer_to_the_same_account_is_refused(opened):
    response = transfer(opened, source=FUND, target=FUND)
    assert errors(response) == ["Choose two different accounts."]
    assert count(Entry) == 0
    assert events("funds.transfer") == []


@pytest.mark.parametrize("amount, message", [("0", "The amount must be greater than zero."),
                                             ("-1", "The amount must be greater than zero."),
                                             ("1.001", "The amount is not a number with at most two decimals.")])
def test_a_transfer_amount_must_be_positive_yuan(opened, amount, message):
    assert errors(transfer(opened, amount=amount)) == [message]
    assert count(Entry) == 0


def test_a_transfer_before_the_accounts_opened_is_refused(opened):
    assert errors(transfer(opened, day="2025-12-31")) == ["The accounts start on 2026-01-01: choose a later date."]
    assert count(Entry) == 0


@pytest.mark.parametrize("user", ["owner", "staff", "auditor", "other_member"])
def test_only_the_committee_transfers(opened, user):
    assert transfer(opened, user=getattr(opened, user)).status_code == 404
    assert count(Entry) == 0


def test_transfers_are_refused_by_the_service_between_the_same_account(opened):
    with pytest.raises(FundError) as caught:
        funds.transfer(opened.estate, opened.account(FUND), opened.account(FUND), day=dt.date(2026, 2, 1),
                       amount=100, description="", actor=opened.chair)
    assert caught.value.reason == "same_account"


# --- R-51 ------------------------------------------------------------------------------------------------

def quarter_one(world, transferred: str, policy: bool = True):
    """1,000.00 yuan of common income in the first quarter (plus a cost, which is not income), and a
    transfer of ``transferred`` yuan to the fund; the accounts are read on 15 July 2026."""
    funds.set_policy(world.estate, policy, world.chair)
    db.session.commit()
    world.entry(INCOME, dt.date(2026, 1, 10), "in", 600_00, "parking")
    world.entry(INCOME, dt.date(2026, 3, 31), "in", 400_00, "advertising")
    world.entry(INCOME, dt.date(2026, 2, 1), "out", 300_00, "management_cost")
    transfer(world, amount=transferred, day="2026-03-31")


def r51_rows(response) -> list[str]:
    page = text(response)
    if "Common income to the fund (R-51)" not in page:
        return []
    table = page.split("Common income to the fund (R-51)")[1].split("More than half?")[1]
    return [row for row in (Q1, "2026-04-01 – 2026-06-30", "2026-07-01 – 2026-09-30") if row in table]


@pytest.mark.parametrize("transferred, met", [("499.99", False), ("500.00", False), ("500.01", True)])
def test_r51_the_quarter_transfer_must_exceed_half_of_the_quarter_common_income(opened, transferred, met):
    quarter_one(opened, transferred)
    checks = funds.transfer_checks(opened.estate)
    assert [(c.start, c.end) for c in checks] == [
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31)), (dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        (dt.date(2026, 7, 1), dt.date(2026, 9, 30))]  # to the current quarter
    first = checks[0]
    amount = int(transferred.replace(".", ""))
    assert (first.income, first.transferred, first.met) == (1_000_00, amount, met)

    overview = opened.pages(opened.member).get(f"/estates/{opened.estate.id}/funds")
    assert f"{Q1} 1,000.00 {transferred} {'yes' if met else 'no'}" in text(overview)
    supervision = text(opened.pages(opened.supervisor).get("/funds/supervision"))
    assert (f"R-51 not met in {Q1}." in supervision) is not met


def test_r51_the_owners_see_the_quarter_checks_too(opened):
    quarter_one(opened, "500.00")
    assert f"{Q1} 1,000.00 500.00 no" in text(opened.pages(opened.owner).get(f"/estates/{opened.estate.id}/funds"))


def test_r51_supervisors_are_told_only_of_quarters_that_have_ended(opened):
    """The second quarter (no income, nothing transferred) is not met either, but the current one
    is still running."""
    quarter_one(opened, "500.00")
    [row] = [card for card in cards(opened.pages(opened.supervisor).get("/funds/supervision"))
             if card.startswith("梅园小区")]
    assert f"R-51 not met in {Q1}." in row
    assert "R-51 not met in 2026-04-01 – 2026-06-30." in row
    assert "2026-07-01" not in row


def test_r51_with_the_policy_off_nothing_is_checked(opened):
    quarter_one(opened, "1.00", policy=False)
    assert funds.transfer_checks(opened.estate) == []
    assert r51_rows(opened.pages(opened.member).get(f"/estates/{opened.estate.id}/funds")) == []
    assert "R-51" not in text(opened.pages(opened.supervisor).get("/funds/supervision")).split(
        "owners’ questions unanswered for more than 14 days.")[1]


def test_r51_transfers_to_other_accounts_do_not_count(opened):
    quarter_one(opened, "500.01")
    transfer(opened, target=WORKING, amount="400.00", day="2026-03-01")
    first = funds.transfer_checks(opened.estate)[0]
    assert (first.transferred, first.met) == (500_01, True)


def test_r51_money_sent_back_from_the_fund_in_the_quarter_is_taken_off_the_transfer(opened):
    """600.00 in, then 100.00 back to common income: 500.00 net is exactly half, not more."""
    quarter_one(opened, "600.00")
    transfer(opened, source=FUND, target=INCOME, amount="100.00", day="2026-03-31")
    first = funds.transfer_checks(opened.estate)[0]
    assert (first.income, first.transferred, first.met) == (1_000_00, 500_00, False)


def test_one_side_of_a_transfer_is_not_reversed_alone(opened):
    """Reversing one leg would leave the other standing: money would appear from nowhere. A wrong
    transfer is corrected with a transfer back, which R-51 takes off the quarter's transfer."""
    transfer(opened, amount="600.00")
    out, into = entries()
    total = sum(funds.balance(opened.account(kind)) for kind in (FUND, INCOME, WORKING))
    pages = opened.pages(opened.member)
    page = pages.get(f"/estates/{opened.estate.id}/funds/entries/{out.id}").get_data(as_text=True)
    assert "/reverse" not in page
    for leg in (out, into):
        response = pages.post(f"/estates/{opened.estate.id}/funds/entries/{leg.id}/reverse",
                              data={"day": "2026-03-01", "reason": "转错了"}, follow_redirects=True)
        assert errors(response) == ["A transfer is corrected with a transfer back between the same two accounts, "
                                    "not by reversing one side."]
    assert count(Entry) == 2
    assert sum(funds.balance(opened.account(kind)) for kind in (FUND, INCOME, WORKING)) == total


def test_a_transfer_names_the_other_account_in_the_reader_s_language_not_its_code(opened):
    transfer(opened, amount="100.00")
    page = text(opened.pages(opened.owner, "zh_CN").get(f"/estates/{opened.estate.id}/funds/{FUND}"))
    assert "公共收益" in page and INCOME not in page
    out, _into = entries()
    entry_page = text(opened.pages(opened.owner, "zh_CN").get(f"/estates/{opened.estate.id}/funds/entries/{out.id}"))
    assert "维修资金" in entry_page and FUND not in entry_page
