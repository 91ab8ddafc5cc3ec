"""Opening the estate's three accounts (once, never negative) and the R-51 policy switch."""
from __future__ import annotations

import datetime as dt

import pytest

from governance_app.extensions import db
from governance_app.funds import services as funds
from governance_app.funds.models import AccountKind, FundAccount, FundError, FundSettings
from tests.funds.support import OPENED, cards, count, errors, events, flashes, fresh, text

SETUP = {"opened_on": "2026-01-01", "fund_opening": "80,000.00", "fund_first_period": "100000",
         "income_opening": "1234.56", "working_opening": "0"}


def test_the_committee_opens_the_three_accounts_with_their_balances(world):
    pages = world.pages(world.member)
    assert "have not been opened" in text(pages.get(f"/estates/{world.estate.id}/funds"))
    response = pages.post(f"/estates/{world.estate.id}/funds/setup", data=SETUP, follow_redirects=True)
    assert ("success", "The accounts are open.") in flashes(response)
    fresh()
    found = funds.accounts(world.estate)
    assert {kind: (a.opened_on, a.opening_balance, a.first_period_amount) for kind, a in found.items()} == {
        AccountKind.MAINTENANCE_FUND: (OPENED, 80_000_00, 100_000_00),
        AccountKind.COMMON_INCOME: (OPENED, 1_234_56, 0),
        AccountKind.WORKING_FUND: (OPENED, 0, 0),
    }
    shown = cards(response)
    assert any(card.startswith("Maintenance fund 80,000.00 yuan") for card in shown)
    assert any(card.startswith("Common income 1,234.56 yuan") for card in shown)
    assert any(card.startswith("Committee working fund 0.00 yuan") for card in shown)


def test_the_accounts_are_opened_only_once(world):
    world.open_accounts()
    pages = world.pages(world.chair)
    response = pages.post(f"/estates/{world.estate.id}/funds/setup", data={**SETUP, "fund_opening": "1.00"},
                          follow_redirects=True)
    assert errors(response) == ["The accounts are already open."]
    assert count(FundAccount) == 3
    assert funds.get_account(world.estate, "maintenance_fund").opening_balance == 80_000_00
    assert len(events("funds.accounts_opened")) == 1


@pytest.mark.parametrize("field", ["fund_opening", "fund_first_period", "income_opening", "working_opening"])
def test_negative_opening_amounts_are_refused(world, field):
    pages = world.pages(world.chair)
    response = pages.post(f"/estates/{world.estate.id}/funds/setup", data={**SETUP, field: "-0.01"},
                          follow_redirects=True)
    assert errors(response) == ["Amounts cannot be negative."]
    assert count(FundAccount) == 0
    assert events("funds.accounts_opened") == []


@pytest.mark.parametrize("value", ["12.345", "十万", ""])
def test_opening_amounts_must_be_yuan_with_at_most_two_decimals(world, value):
    pages = world.pages(world.chair)
    response = pages.post(f"/estates/{world.estate.id}/funds/setup", data={**SETUP, "fund_opening": value},
                          follow_redirects=True)
    assert errors(response) == (["Fill in every amount and the start day."] if not value
                                else ["The amount is not a number with at most two decimals."])
    assert count(FundAccount) == 0


def test_opening_refused_by_the_service_as_well(world):
    with pytest.raises(FundError) as caught:
        funds.open_accounts(world.estate, opened_on=OPENED, first_period_amount=-1, balances={}, actor=world.chair)
    assert caught.value.reason == "negative_amount"
    db.session.rollback()
    world.open_accounts()
    with pytest.raises(FundError) as caught:
        funds.open_accounts(world.estate, opened_on=OPENED, first_period_amount=0, balances={}, actor=world.chair)
    assert caught.value.reason == "accounts_exist"


@pytest.mark.parametrize("user", ["owner", "staff", "supervisor", "other_member"])
def test_only_the_committee_opens_the_accounts(world, user):
    response = world.pages(getattr(world, user)).post(f"/estates/{world.estate.id}/funds/setup", data=SETUP)
    assert response.status_code == 404
    assert count(FundAccount) == 0


def test_only_the_committee_sees_the_forms_to_open_accounts_and_set_the_policy(world):
    assert "/funds/setup" not in world.pages(world.owner).get(f"/estates/{world.estate.id}/funds").get_data(
        as_text=True)
    world.open_accounts()
    for user, shown in ((world.owner, False), (world.staff, False), (world.member, True)):
        body = world.pages(user).get(f"/estates/{world.estate.id}/funds").get_data(as_text=True)
        assert ("/funds/policy" in body) is shown


# --- the estate's rules say common income mainly tops up the fund --------------------------

def test_r51_policy_switch_turns_the_quarter_checks_on_and_off(world):
    world.open_accounts()
    world.entry("common_income", dt.date(2026, 2, 1), "in", 1_000_00, "parking")
    pages = world.pages(world.member)
    overview = f"/estates/{world.estate.id}/funds"
    assert "Common income to the fund (R-51)" not in text(pages.get(overview))

    response = pages.post(f"/estates/{world.estate.id}/funds/policy", data={"income_tops_up_fund": "y"},
                          follow_redirects=True)
    assert ("success", "Saved.") in flashes(response)
    assert db.session.get(FundSettings, world.estate.id).income_tops_up_fund is True
    page = text(response)
    assert "Common income to the fund (R-51)" in page
    assert "2026-01-01 – 2026-03-31 1,000.00 0.00 no" in page
    assert 'checked' in response.get_data(as_text=True).split('name="income_tops_up_fund"')[0][-200:] + \
        response.get_data(as_text=True).split('name="income_tops_up_fund"')[1][:50]

    response = pages.post(f"/estates/{world.estate.id}/funds/policy", data={}, follow_redirects=True)
    fresh()
    assert db.session.get(FundSettings, world.estate.id).income_tops_up_fund is False
    assert "Common income to the fund (R-51)" not in text(response)
    assert [e.details for e in events("funds.policy_changed")] == [{"income_tops_up_fund": True},
                                                                   {"income_tops_up_fund": False}]


@pytest.mark.parametrize("user", ["owner", "staff", "auditor"])
def test_r51_only_the_committee_sets_the_policy(world, user):
    world.open_accounts()
    response = world.pages(getattr(world, user)).post(f"/estates/{world.estate.id}/funds/policy",
                                                      data={"income_tops_up_fund": "y"})
    assert response.status_code == 404
    assert count(FundSettings, FundSettings.income_tops_up_fund.is_(True)) == 0


@pytest.mark.parametrize("language, hint", [("en", "a top-up is due below 30% of it (R-52)"),
                                            ("zh_CN", "余额低于其 30% 时需要续筹（R-52）")])
def test_r52_the_setup_form_explains_the_top_up_threshold_in_both_languages(world, language, hint):
    """Regression: a bare "%" in the hint made the page fail for the committee before opening."""
    response = world.pages(world.member, language).get(f"/estates/{world.estate.id}/funds")
    assert response.status_code == 200
    assert hint in text(response)
