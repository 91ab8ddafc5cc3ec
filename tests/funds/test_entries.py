"""Recording entries through the committee's form: every refusal changes nothing, and every
maintenance-fund expense cites its authority (R-53)."""
from __future__ import annotations

import datetime as dt

import pytest

from governance_app.core import clock as platform_clock
from governance_app.extensions import db
from governance_app.funds import services as funds
from governance_app.funds.models import Entry, EntryState, FundError
from governance_app.voting.models import VoteState
from tests.funds.support import FUND, INCOME, count, entries, errors, events, flashes, fund_resolution, location, text

AUTHORITY_MISSING = ("Every maintenance-fund expense needs its authority (R-53): a passed resolution to use the "
                     "fund, or the emergency procedure.")


@pytest.fixture
def opened(world):
    world.open_accounts()
    return world


def post_entry(world, kind: str = INCOME, user=None, **fields):
    data = {"day": "2026-02-01", "direction": "in", "amount": "100.00", "category": "parking",
            "counterparty": "停车公司", "description": "", "authority": ""}
    data.update(fields)
    return world.pages(user or world.member).post(f"/estates/{world.estate.id}/funds/{kind}/entries", data=data,
                                                  follow_redirects=True)


def assert_nothing_written() -> None:
    assert count(Entry) == 0
    assert events("funds.entry_posted") == []


def test_an_entry_is_recorded_and_counted(opened):
    response = post_entry(opened, amount="1,234.56", counterparty="停车公司", description="二月停车费")
    assert ("success", "Entry recorded.") in flashes(response)
    [entry] = entries()
    assert (entry.state, entry.day, entry.direction, entry.amount, entry.category, entry.counterparty,
            entry.description, entry.created_by_id) == (EntryState.POSTED, dt.date(2026, 2, 1), "in", 1_234_56,
                                                        "parking", "停车公司", "二月停车费", opened.member.id)
    assert response.request.path == f"/estates/{opened.estate.id}/funds/entries/{entry.id}"
    assert funds.balance(opened.account(INCOME)) == 1_234_56


# --- refusals ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, direction, category, message", [
    # a category of the account, in the other direction: refused by the service
    (FUND, "in", "repair_elevator", "That category does not belong to this account and direction."),
    (INCOME, "out", "parking", "That category does not belong to this account and direction."),
    # a category of another account is not even offered: refused by the form
    (INCOME, "in", "owner_contribution", "Check the entry: Category: Not a valid choice."),
    ("working_fund", "out", "repair_roof", "Check the entry: Category: Not a valid choice."),
])
def test_a_category_not_of_the_account_and_direction_is_refused(opened, kind, direction, category, message):
    response = post_entry(opened, kind, direction=direction, category=category,
                          authority="emergency:serious_leak" if kind == FUND else "")
    assert errors(response) == [message]
    assert response.request.path == f"/estates/{opened.estate.id}/funds/{kind}"
    assert_nothing_written()


@pytest.mark.parametrize("amount, message", [
    ("0", "The amount must be greater than zero."),
    ("0.00", "The amount must be greater than zero."),
    ("-5.00", "The amount must be greater than zero."),
    ("1.234", "The amount is not a number with at most two decimals."),
    ("一百", "The amount is not a number with at most two decimals."),
    ("12abc", "The amount is not a number with at most two decimals."),
    ("", "Check the entry: Amount (yuan): Enter the amount."),
])
def test_amounts_must_be_positive_yuan_with_at_most_two_decimals(opened, amount, message):
    response = post_entry(opened, amount=amount)
    assert errors(response) == [message]
    assert_nothing_written()


def test_three_decimals_that_are_zeros_are_exact_and_accepted(opened):
    response = post_entry(opened, amount="12.300")
    assert ("success", "Entry recorded.") in flashes(response)
    assert [e.amount for e in entries()] == [12_30]


@pytest.mark.parametrize("day, accepted", [(dt.date(2025, 12, 31), False), (dt.date(2026, 1, 1), True)])
def test_no_entry_before_the_accounts_opened(opened, day, accepted):
    response = post_entry(opened, day=day.isoformat())
    if accepted:
        assert ("success", "Entry recorded.") in flashes(response)
        assert count(Entry) == 1
    else:
        assert errors(response) == ["The accounts start on 2026-01-01: choose a later date."]
        assert_nothing_written()


def test_transfers_are_not_recorded_with_the_entry_form(opened):
    """The entry form does not offer the transfer category; the service refuses it too."""
    response = post_entry(opened, direction="out", category="transfer")
    assert errors(response) == ["Check the entry: Category: Not a valid choice."]
    body = opened.pages(opened.member).get(f"/estates/{opened.estate.id}/funds/{INCOME}").get_data(as_text=True)
    entry_form = body.split('/entries" novalidate>')[1].split("</form>")[0]
    assert 'value="transfer"' not in entry_form
    assert_nothing_written()
    with pytest.raises(FundError) as caught:
        funds.add_entry(opened.estate, opened.account(INCOME), day=dt.date(2026, 2, 1), direction="out",
                        amount=100, category="transfer", counterparty="", description="",
                        authority=funds.Authority(), actor=opened.chair)
    assert caught.value.reason == "use_transfer"


@pytest.mark.parametrize("user", ["owner", "staff", "supervisor", "auditor", "other_member"])
def test_only_the_committee_records_entries(opened, user):
    response = post_entry(opened, user=getattr(opened, user))
    assert response.status_code == 404
    assert_nothing_written()


# --- the authority of every maintenance-fund expense -----------------------------------------

def fund_expense(world, authority: str = "", user=None):
    return post_entry(world, FUND, user=user, direction="out", amount="12,800.00", category="repair_elevator",
                      counterparty="上海某电梯维修有限公司", authority=authority)


def test_r53_a_fund_expense_without_authority_is_refused(opened):
    response = fund_expense(opened)
    assert errors(response) == [AUTHORITY_MISSING]
    assert_nothing_written()


@pytest.mark.parametrize("case", ["pumps_tanks", "elevator_stopped", "fire_rectification", "facade_risk",
                                  "serious_leak"])
def test_r53_a_fund_expense_under_the_emergency_procedure_is_accepted(opened, case):
    response = fund_expense(opened, f"emergency:{case}")
    assert ("success", "Entry recorded.") in flashes(response)
    [entry] = entries()
    assert (entry.emergency_case, entry.authority_vote_id) == (case, None)
    page = text(response)
    assert "Authority (R-53) Emergency:" in page
    assert funds.balance(opened.account(FUND)) == 80_000_00 - 12_800_00


def test_r53_a_fund_expense_under_a_passed_and_published_matter_5_resolution_is_accepted(opened):
    vote = fund_resolution(opened.estate, opened.chair)
    response = fund_expense(opened, f"vote:{vote.id}:i1")
    assert ("success", "Entry recorded.") in flashes(response)
    [entry] = entries()
    assert (entry.authority_vote_id, entry.authority_item, entry.emergency_case) == (vote.id, "i1", None)
    body = response.get_data(as_text=True)
    assert "Resolution “使用维修资金大修1号楼电梯” of “1号楼电梯大修”" in body
    assert f'href="/votes/{vote.id}/result"' in body


@pytest.mark.parametrize("refused", ["failed", "not published", "another matter", "another estate"])
def test_r53_a_resolution_that_is_no_authority_is_refused(opened, refused):
    estate = opened.other if refused == "another estate" else opened.estate
    vote = fund_resolution(estate, opened.chair, outcome="failed" if refused == "failed" else "passed",
                           state=VoteState.COUNTED if refused == "not published" else VoteState.PUBLISHED,
                           matter=6 if refused == "another matter" else 5)
    # The form offers only the resolutions that are an authority ...
    body = opened.pages(opened.member).get(f"/estates/{opened.estate.id}/funds/{FUND}").get_data(as_text=True)
    assert f"vote:{vote.id}:i1" not in body
    # ... and refuses any other sent to it ...
    response = fund_expense(opened, f"vote:{vote.id}:i1")
    assert errors(response) == ["Check the entry: Authority for a maintenance-fund expense (R-53): "
                                "Not a valid choice."]
    assert_nothing_written()
    # ... and so does the service.
    with pytest.raises(FundError) as caught:
        funds.add_entry(opened.estate, opened.account(FUND), day=dt.date(2026, 2, 1), direction="out",
                        amount=12_800_00, category="repair_elevator", counterparty="", description="",
                        authority=funds.Authority(vote_id=vote.id, item="i1"), actor=opened.chair)
    assert caught.value.reason == "authority_not_passed"
    db.session.rollback()
    assert_nothing_written()


def test_r53_the_service_refuses_an_unknown_emergency_and_a_missing_item(opened):
    vote = fund_resolution(opened.estate, opened.chair)
    for authority, reason in ((funds.Authority(emergency_case="broken_window"), "unknown_emergency"),
                              (funds.Authority(vote_id=vote.id, item="i2"), "authority_not_passed"),
                              (funds.Authority(), "authority_missing")):
        with pytest.raises(FundError) as caught:
            funds.add_entry(opened.estate, opened.account(FUND), day=dt.date(2026, 2, 1), direction="out",
                            amount=100, category="repair_other", counterparty="", description="",
                            authority=authority, actor=opened.chair)
        assert caught.value.reason == reason
        db.session.rollback()
    assert_nothing_written()


def test_r53_fund_income_needs_no_authority(opened):
    response = post_entry(opened, FUND, direction="in", category="interest", amount="356.20")
    assert ("success", "Entry recorded.") in flashes(response)
    assert [(e.category, e.authority_vote_id, e.emergency_case) for e in entries()] == [("interest", None, None)]


def test_r53_expenses_of_the_other_accounts_need_no_authority(opened):
    response = post_entry(opened, INCOME, direction="out", category="management_cost", amount="50.00")
    assert ("success", "Entry recorded.") in flashes(response)


def test_r53_a_transfer_out_of_the_fund_needs_no_authority(opened):
    response = opened.pages(opened.member).post(
        f"/estates/{opened.estate.id}/funds/transfer", data={"source": FUND, "target": INCOME, "day": "2026-02-01",
                                                             "amount": "100.00", "description": "退回"})
    assert location(response) == f"/estates/{opened.estate.id}/funds/{FUND}"
    assert [(e.direction, e.category, e.authority_vote_id, e.emergency_case) for e in entries()] == [
        ("out", "transfer", None, None), ("in", "transfer", None, None)]


def test_r53_an_authority_given_to_an_entry_that_needs_none_is_not_kept(opened):
    """Income cites no resolution: the choice is dropped rather than shown as if it mattered."""
    post_entry(opened, FUND, direction="in", category="interest", authority="emergency:serious_leak")
    assert [(e.emergency_case, e.authority_vote_id) for e in entries()] == [(None, None)]


def test_r53_a_draft_fund_expense_is_posted_only_with_its_authority(opened):
    draft = Entry(estate_id=opened.estate.id, account_id=opened.account(FUND).id, state=EntryState.DRAFT,
                  day=dt.date(2026, 3, 21), direction="out", amount=12_800_00, category="",
                  counterparty="上海某电梯维修有限公司", description="", created_at=platform_clock.now())
    db.session.add(draft)
    db.session.commit()
    pages = opened.pages(opened.member)
    url = f"/estates/{opened.estate.id}/funds/entries/{draft.id}/post"
    response = pages.post(url, data={"category": "repair_elevator", "authority": ""}, follow_redirects=True)
    assert errors(response) == [AUTHORITY_MISSING]
    assert [e.state for e in entries()] == [EntryState.DRAFT]
    vote = fund_resolution(opened.estate, opened.chair)
    response = pages.post(url, data={"category": "repair_elevator", "authority": f"vote:{vote.id}:i1"},
                          follow_redirects=True)
    assert ("success", "Entry posted.") in flashes(response)
    assert [(e.state, e.authority_vote_id) for e in entries()] == [(EntryState.POSTED, vote.id)]
    assert funds.balance(opened.account(FUND)) == 80_000_00 - 12_800_00
