"""What the estate and the supervisors are told: statements due and overdue (R-50) and the
maintenance fund's top-up (R-52), on the estate's accounts page and on /funds/supervision."""
from __future__ import annotations

import datetime as dt

import pytest

from governance_app.core import clock as platform_clock
from governance_app.extensions import db
from governance_app.funds import services as funds
from governance_app.funds.models import Entry, EntryState
from tests.funds.support import FUND, INCOME, WORKING, cards, text

FIRST_PERIOD = 100_000_00  # 100,000.00 yuan; 30% is 30,000.00, 50% is 50,000.00


def card_of(cards_text: list[str], start: str) -> str:
    [card] = [card for card in cards_text if card.startswith(start)]
    return card


def supervision_card(world, user=None) -> str:
    response = world.pages(user or world.supervisor).get("/funds/supervision")
    assert response.status_code == 200
    return card_of(cards(response), world.estate.name)


def overview(world, user=None):
    response = world.pages(user or world.member).get(f"/estates/{world.estate.id}/funds")
    assert response.status_code == 200
    return response


# --- R-52 ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("balance, due, needed", [
    (30_000_01, False, None),  # one fen above 30%
    (30_000_00, False, None),  # exactly 30% does not trigger
    (29_999_99, True, "20,000.01"),  # one fen below: 50,000.00 - 29,999.99
    (0, True, "50,000.00"),
])
def test_r52_top_up_warning_on_the_overview_and_the_supervision_page(world, balance, due, needed):
    world.open_accounts(fund=balance, first_period=FIRST_PERIOD)
    assert funds.top_up(world.estate)[0] is due
    page = text(overview(world))
    row = supervision_card(world)
    if due:
        balance_text = f"{balance // 100:,}.{balance % 100:02d}"
        assert (f"The maintenance fund ({balance_text} yuan) is below 30% of its first-period amount "
                f"(100,000.00 yuan): a top-up is due (R-52). {needed} yuan bring it back to 50%.") in page
        assert f"Top-up due: {needed} yuan to reach 50%." in row
    else:
        assert "a top-up is due" not in page
        assert "Top-up due" not in row


def test_r52_owners_see_the_top_up_warning_too(world):
    world.open_accounts(fund=29_999_99, first_period=FIRST_PERIOD)
    assert "20,000.01 yuan bring it back to 50%." in text(overview(world, world.owner))


def test_r52_the_balance_that_counts_is_after_posted_entries_not_drafts(world):
    """30,000.00 at opening, then a posted expense of 0.01: the warning appears; a draft of
    10,000.00 money in (unchecked) does not lift it."""
    world.open_accounts(fund=30_000_00, first_period=FIRST_PERIOD)
    assert "a top-up is due" not in text(overview(world))
    world.entry(FUND, dt.date(2026, 3, 1), "out", 1, "bank_fee", authority=funds.Authority(
        emergency_case="serious_leak"))
    db.session.add(Entry(estate_id=world.estate.id, account_id=world.account(FUND).id, state=EntryState.DRAFT,
                         day=dt.date(2026, 3, 2), direction="in", amount=10_000_00, category="",
                         counterparty="住建局", description="", created_at=platform_clock.now()))
    db.session.commit()
    assert "20,000.01 yuan bring it back to 50%." in text(overview(world))
    assert "Top-up due: 20,000.01 yuan to reach 50%." in supervision_card(world)


def test_r52_no_warning_without_a_first_period_amount(world):
    world.open_accounts(fund=0, first_period=0)
    assert funds.top_up(world.estate) is None
    assert "a top-up is due" not in text(overview(world))


def test_r52_half_of_an_odd_first_period_amount_is_rounded_up(world):
    world.open_accounts(fund=0, first_period=1_01)  # 1.01 yuan: half is 0.505, so 0.51 is needed
    assert "Top-up due: 0.51 yuan to reach 50%." in supervision_card(world)


# --- R-50 ----------------------------------------------------------------------------------------------

@pytest.fixture
def on_day(monkeypatch):
    """Fix the platform's today (``core.clock.today``) to a given day; the instant stays."""
    def move(day: dt.date) -> None:
        monkeypatch.setattr(platform_clock, "today", lambda: day)

    return move


FUND_NEXT = "Maintenance fund 80,000.00 yuan Next statement: the period to 2026-06-30, due by 2026-07-30 (R-50)."
FUND_OVERDUE = "Maintenance fund 80,000.00 yuan Statement overdue: the period to 2026-06-30 was due by 2026-07-30 (R-50)."
INCOME_NEXT = "Common income 0.00 yuan Next statement: the period to 2026-03-31, due by 2026-04-30 (R-50)."
INCOME_OVERDUE = "Common income 0.00 yuan Statement overdue: the period to 2026-03-31 was due by 2026-04-30 (R-50)."


@pytest.mark.parametrize("day, fund_card, income_card, supervision", [
    (dt.date(2026, 4, 30), FUND_NEXT, INCOME_NEXT,
     "Maintenance fund: next due 2026-07-30 Common income: next due 2026-04-30"),
    (dt.date(2026, 5, 1), FUND_NEXT, INCOME_OVERDUE,
     "Maintenance fund: next due 2026-07-30 Common income: overdue since 2026-04-30"),
    (dt.date(2026, 7, 30), FUND_NEXT, INCOME_OVERDUE,
     "Maintenance fund: next due 2026-07-30 Common income: overdue since 2026-04-30"),
    (dt.date(2026, 7, 31), FUND_OVERDUE, INCOME_OVERDUE,
     "Maintenance fund: overdue since 2026-07-30 Common income: overdue since 2026-04-30"),
])
def test_r50_fund_half_yearly_and_common_income_quarterly(world, on_day, day, fund_card, income_card,
                                                          supervision):
    """Opened on 1 January 2026 with nothing published: the fund's first period ends on 30 June and
    is due 30 days later; common income's ends on 31 March."""
    world.open_accounts()
    on_day(day)
    shown = cards(overview(world))
    assert card_of(shown, "Maintenance fund") == fund_card
    assert card_of(shown, "Common income") == income_card
    assert supervision in supervision_card(world)


def test_r50_overdue_statements_are_marked_for_the_committee_and_the_owners(world, on_day):
    world.open_accounts()
    on_day(dt.date(2026, 5, 1))
    for user in (world.member, world.owner):
        body = overview(world, user).get_data(as_text=True)
        assert body.count('<span class="overdue">') == 2  # common income and the working fund
        account = world.pages(user).get(f"/estates/{world.estate.id}/funds/{INCOME}").get_data(as_text=True)
        # Said in words, not only in the colour of the class (长辈版 issue: no state by colour alone).
        assert '<dd class="overdue">2026-04-30 (overdue)</dd>' in account
        account = world.pages(user).get(f"/estates/{world.estate.id}/funds/{FUND}").get_data(as_text=True)
        assert '<dd class="">2026-07-30</dd>' in account


def test_r50_publishing_moves_the_next_statement_on(world, on_day):
    world.open_accounts()
    on_day(dt.date(2026, 7, 31))
    world.publish(INCOME, dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    world.publish(FUND, dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    shown = cards(overview(world))
    assert card_of(shown, "Common income") == ("Common income 0.00 yuan Statement overdue: the period to "
                                               "2026-06-30 was due by 2026-07-30 (R-50).")
    assert card_of(shown, "Maintenance fund") == ("Maintenance fund 80,000.00 yuan Next statement: the period to "
                                                  "2026-12-31, due by 2027-01-30 (R-50).")
    world.publish(INCOME, dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    row = supervision_card(world, world.auditor)
    assert "Maintenance fund: next due 2027-01-30 Common income: next due 2026-10-30" in row
    assert "Committee working fund: overdue since 2026-04-30" in row


def test_r50_supervisors_see_every_estate_of_their_area_and_those_not_opened(world, make_estate, on_day):
    world.open_accounts()
    make_estate("空白小区")
    on_day(dt.date(2026, 5, 1))
    shown = cards(world.pages(world.staff).get("/funds/supervision"))
    assert card_of(shown, "空白小区") == "空白小区 Accounts not opened on the platform."
    assert "Common income: overdue since 2026-04-30" in card_of(shown, "梅园小区")
    assert not [card for card in shown if card.startswith("别的小区")]  # another sub-district


def test_r50_the_flag_reads_in_chinese_by_default(world, on_day):
    world.open_accounts()
    on_day(dt.date(2026, 5, 1))
    pages = world.pages(world.member)
    pages.delete_cookie("lang")
    assert "账目逾期：截至 2026-03-31 的账目应于 2026-04-30 前公布（R-50）。" in text(
        pages.get(f"/estates/{world.estate.id}/funds"))


def test_r50_working_fund_is_quarterly_like_common_income(world, on_day):
    world.open_accounts()
    on_day(dt.date(2026, 5, 1))
    due = funds.cadence(world.account(WORKING))
    assert (due.period_end, due.due_on, due.overdue) == (dt.date(2026, 3, 31), dt.date(2026, 4, 30), True)


def test_the_supervision_page_asks_a_bounded_number_of_queries_whatever_the_number_of_estates(world, make_estate):
    """Issue 13: the estates a supervisor may see come from one query (``visible_estates``), and
    their accounts, statements, balances and questions from one query each, for all of them."""
    from sqlalchemy import event

    world.open_accounts()
    pages = world.pages(world.supervisor)
    pages.get("/funds/supervision")  # warm: the session and the account of the supervisor

    def queries() -> int:
        seen = []

        def count(*_args):
            seen.append(1)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert pages.get("/funds/supervision").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    few = queries()
    for number in range(5):  # more estates in the supervisor's sub-district
        make_estate(f"新建小区{number}", community=world.estate.community.name,
                    sub_district=world.estate.community.sub_district.name)
    assert queries() == few
    assert text(pages.get("/funds/supervision")).count("Accounts not opened on the platform.") >= 5
