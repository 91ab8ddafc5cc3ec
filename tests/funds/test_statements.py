"""Statements: the preview, publishing (the chair, with a fresh code, periods without gaps that have
ended and hold no draft) and R-54: once published, nothing can change the period; a correction is a
reversal dated later, and the published statement says a correction exists."""
from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from sqlalchemy import select

from governance_app.core import clock as platform_clock
from governance_app.extensions import db
from governance_app.funds import services as funds
from governance_app.funds.models import Entry, EntryEvidence, EntryState, FundError, Statement
from tests.auth.support import age_second_factor, wrong_code
from tests.funds.support import (
    FUND, INCOME, PDF, count, entries, errors, events, figures, flashes, fresh, hidden, location, text,
)

EMERGENCY = funds.Authority(emergency_case="elevator_stopped")
Q1 = {"start": "2026-01-01", "end": "2026-03-31"}
PUBLISHED_UNTIL_Q1 = ("That date lies in a published statement (up to 2026-03-31), which can no longer change "
                      "(R-54). Record a correction in a later period.")


@pytest.fixture
def ledger(world):
    """The fund (80,000.00 at opening on 1 January 2026) with an elevator repair and interest in the
    first quarter and interest in the second; today is 15 July 2026."""
    world.open_accounts()
    world.repair = world.entry(FUND, dt.date(2026, 3, 21), "out", 12_800_00, "repair_elevator",
                               counterparty="上海某电梯维修有限公司", authority=EMERGENCY)
    world.interest = world.entry(FUND, dt.date(2026, 3, 31), "in", 356_20, "interest", counterparty="银行")
    world.later = world.entry(FUND, dt.date(2026, 4, 15), "in", 100_00, "interest", counterparty="银行")
    return world


def statements_url(world, kind=FUND) -> str:
    return f"/estates/{world.estate.id}/funds/{kind}/statements"


def publish(world, user=None, pages=None, **period):
    pages = pages or world.pages(user or world.chair)
    return pages.post(statements_url(world), data={**Q1, **period, "publish": "y"})


def snapshot() -> tuple:
    """Everything a refused change must leave as it was."""
    fresh()
    rows = [(e.id, e.account_id, e.state, e.day, e.direction, e.amount, e.category, e.counterparty, e.description,
             e.reverses_id, e.transfer_group) for e in entries()]
    published = [(s.id, s.period_start, s.period_end, s.opening_balance, s.closing_balance, s.totals, s.entry_ids)
                 for s in db.session.scalars(select(Statement).order_by(Statement.id))]
    return rows, published, count(EntryEvidence), [e.action for e in events() if e.action.startswith("funds.")]


# --- preview -----------------------------------------------------------------------------------------

def test_the_preview_shows_the_figures_of_the_period(ledger):
    pages = ledger.pages(ledger.member)
    form = pages.get(statements_url(ledger) + "/new")
    assert 'value="2026-01-01"' in form.get_data(as_text=True)
    assert 'value="2026-06-30"' in form.get_data(as_text=True)  # the end of the fund's half year
    response = pages.post(statements_url(ledger) + "/new", data={**Q1, "preview": "y"})
    assert figures(response) == {"Opening balance": "80,000.00", "Total in": "356.20", "Total out": "12,800.00",
                                 "Closing balance": "67,556.20"}
    page = text(response)
    assert "Repairs: elevators 12,800.00" in page and "Interest 356.20" in page
    assert "2026-04-15" not in page  # after the period
    assert count(Statement) == 0  # a preview publishes nothing
    assert "Publish this statement" not in page  # a member previews; only the chair publishes


def test_the_chair_sees_the_publish_button_after_a_preview(ledger):
    response = ledger.pages(ledger.chair).post(statements_url(ledger) + "/new", data={**Q1, "preview": "y"})
    assert f'formaction="{statements_url(ledger)}"' in response.get_data(as_text=True)


def test_the_page_says_a_fresh_code_is_needed_only_when_publishing_will_ask_for_one(ledger):
    asks, fresh_enough = "Publishing asks you for a fresh code", "publishing asks for no other"
    chair = ledger.pages(ledger.chair)
    page = text(chair.get(statements_url(ledger) + "/new"))
    assert fresh_enough in page and asks not in page  # the code given at sign-in is still fresh
    age_second_factor(ledger.chair, 6)
    page = text(chair.get(statements_url(ledger) + "/new"))
    assert asks in page and fresh_enough not in page
    page = text(ledger.pages(ledger.member).get(statements_url(ledger) + "/new"))
    assert "The committee chair publishes it." in page and asks not in page and fresh_enough not in page


def test_the_preview_of_a_later_period_opens_with_the_previous_closing_balance(ledger):
    response = ledger.pages(ledger.member).post(statements_url(ledger) + "/new",
                                                data={"start": "2026-04-01", "end": "2026-06-30", "preview": "y"})
    assert figures(response) == {"Opening balance": "67,556.20", "Total in": "100.00", "Total out": "0.00",
                                 "Closing balance": "67,656.20"}


# --- publishing -----------------------------------------------------------------------------------------

def test_the_chair_publishes_and_the_statement_is_frozen_with_its_figures(ledger):
    response = publish(ledger)
    [statement] = db.session.scalars(select(Statement)).all()
    assert location(response) == f"/estates/{ledger.estate.id}/funds/statements/{statement.id}"
    assert (statement.period_start, statement.period_end, statement.opening_balance, statement.closing_balance,
            statement.totals, statement.entry_ids, statement.published_by_id) == (
        dt.date(2026, 1, 1), dt.date(2026, 3, 31), 80_000_00, 67_556_20,
        {"in": {"interest": 356_20}, "out": {"repair_elevator": 12_800_00}},
        [ledger.repair.id, ledger.interest.id], ledger.chair.id)
    page = ledger.pages(ledger.owner).get(response.headers["Location"])
    assert figures(page)["Closing balance"] == "67,556.20"
    assert "Statement 2026-01-01 – 2026-03-31" in text(page)


@pytest.mark.parametrize("user", ["member", "owner", "staff"])
def test_only_the_chair_publishes(ledger, user):
    assert publish(ledger, getattr(ledger, user)).status_code == 404
    assert count(Statement) == 0


def test_publishing_with_a_code_older_than_5_minutes_asks_for_a_fresh_one_and_keeps_the_period(ledger):
    pages = ledger.pages(ledger.chair)
    age_second_factor(ledger.chair, minutes=6)
    response = publish(ledger, pages=pages)
    assert response.status_code == 200
    assert "Confirm it is you" in text(response)
    assert (hidden(response, "start"), hidden(response, "end")) == ("2026-01-01", "2026-03-31")
    assert count(Statement) == 0
    response = pages.post(statements_url(ledger), data={**Q1, "publish": "y",
                                                        "step_up_code": wrong_code(ledger.chair.totp, int(time.time()))})
    assert "Confirm it is you" in text(response)
    assert count(Statement) == 0
    response = pages.post(statements_url(ledger), data={**Q1, "publish": "y",
                                                        "step_up_code": ledger.chair.totp.code_at(int(time.time()))})
    assert response.status_code == 302
    assert count(Statement) == 1
    assert len(events("funds.statement_published")) == 1


def test_publishing_with_a_code_4_minutes_old_needs_no_step_up(ledger):
    pages = ledger.pages(ledger.chair)
    age_second_factor(ledger.chair, minutes=4)
    assert location(publish(ledger, pages=pages)).startswith(f"/estates/{ledger.estate.id}/funds/statements/")
    assert count(Statement) == 1


@pytest.mark.parametrize("start, end, message", [
    ("2026-01-02", "2026-03-31", "The next statement must start on 2026-01-01, the day after the last published one."),
    ("2025-12-31", "2026-03-31", "The next statement must start on 2026-01-01, the day after the last published one."),
    ("2026-01-01", "2026-07-16", "A period can be published only after it has ended."),
    ("2026-01-01", "2025-12-31", "The period ends before it starts."),
])
def test_a_first_statement_starts_on_the_opening_day_and_has_ended(ledger, start, end, message):
    response = ledger.pages(ledger.chair).post(statements_url(ledger), data={"start": start, "end": end,
                                                                             "publish": "y"}, follow_redirects=True)
    assert errors(response) == [message]
    assert count(Statement) == 0


def test_a_period_ending_today_can_be_published(ledger):
    response = publish(ledger, end="2026-07-15")
    assert response.status_code == 302
    assert count(Statement) == 1


@pytest.mark.parametrize("start, accepted", [("2026-03-31", False), ("2026-04-01", True), ("2026-04-02", False)])
def test_the_next_statement_starts_the_day_after_the_previous_one(ledger, start, accepted):
    ledger.publish(FUND, dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    response = ledger.pages(ledger.chair).post(statements_url(ledger), data={"start": start, "end": "2026-06-30",
                                                                             "publish": "y"}, follow_redirects=True)
    if accepted:
        assert ("success", "The statement is published; it can no longer change.") in flashes(response)
        assert count(Statement) == 2
    else:
        assert errors(response) == ["The next statement must start on 2026-04-01, the day after the last "
                                    "published one."]
        assert count(Statement) == 1


def test_a_period_with_drafts_is_not_published(ledger):
    def draft(day):
        db.session.add(Entry(estate_id=ledger.estate.id, account_id=ledger.account(FUND).id, state=EntryState.DRAFT,
                             day=day, direction="in", amount=1_00, category="", counterparty="银行", description="",
                             created_at=platform_clock.now()))
        db.session.commit()

    draft(dt.date(2026, 4, 1))  # after the period: no matter
    draft(dt.date(2026, 3, 31))
    response = ledger.pages(ledger.chair).post(statements_url(ledger), data={**Q1, "publish": "y"},
                                               follow_redirects=True)
    assert response.request.path == statements_url(ledger) + "/new"
    assert errors(response) == [
        "1 imported entries of this period are still drafts: post or discard them first."]
    assert count(Statement) == 0


# --- after publishing, nothing changes the period ---------------------------------------------------

@pytest.fixture
def published(ledger):
    ledger.statement = ledger.publish(FUND, dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    ledger.statement_page = text(ledger.pages(ledger.owner).get(
        f"/estates/{ledger.estate.id}/funds/statements/{ledger.statement.id}"))
    return ledger


def assert_statement_unchanged(world) -> None:
    page = world.pages(world.owner).get(f"/estates/{world.estate.id}/funds/statements/{world.statement.id}")
    assert text(page) == world.statement_page


@pytest.mark.parametrize("day, accepted", [("2026-03-31", False), ("2026-01-01", False), ("2026-04-01", True)])
def test_r54_no_entry_is_added_inside_a_published_period(published, day, accepted):
    before = snapshot()
    response = published.pages(published.member).post(
        f"/estates/{published.estate.id}/funds/{FUND}/entries",
        data={"day": day, "direction": "in", "amount": "1.00", "category": "interest"}, follow_redirects=True)
    if accepted:
        assert ("success", "Entry recorded.") in flashes(response)
    else:
        assert errors(response) == [PUBLISHED_UNTIL_Q1]
        assert snapshot() == before
    assert_statement_unchanged(published)


def draft_inside(world) -> Entry:
    """A draft dated inside the published period (slipped in behind the services' back)."""
    draft = Entry(estate_id=world.estate.id, account_id=world.account(FUND).id, state=EntryState.DRAFT,
                  day=dt.date(2026, 3, 30), direction="in", amount=5_00, category="", counterparty="银行",
                  description="", created_at=platform_clock.now())
    db.session.add(draft)
    db.session.commit()
    return draft


def test_r54_a_draft_inside_a_published_period_is_neither_posted_nor_discarded(published):
    draft = draft_inside(published)
    before = snapshot()
    pages = published.pages(published.member)
    url = f"/estates/{published.estate.id}/funds/entries/{draft.id}"
    response = pages.post(url + "/post", data={"category": "interest"}, follow_redirects=True)
    assert errors(response) == [PUBLISHED_UNTIL_Q1]
    response = pages.post(url + "/discard", follow_redirects=True)
    assert errors(response) == [PUBLISHED_UNTIL_Q1]
    assert snapshot() == before
    assert_statement_unchanged(published)


def test_r54_no_reversal_is_dated_inside_a_published_period(published):
    before = snapshot()
    response = published.pages(published.member).post(
        f"/estates/{published.estate.id}/funds/entries/{published.repair.id}/reverse",
        data={"day": "2026-03-31", "reason": "金额有误"}, follow_redirects=True)
    assert errors(response) == [PUBLISHED_UNTIL_Q1]
    assert snapshot() == before


def test_r54_no_evidence_is_attached_to_an_entry_of_a_published_period(published):
    before = snapshot()
    response = published.pages(published.member).post(
        f"/estates/{published.estate.id}/funds/entries/{published.repair.id}/evidence",
        data={"file": (io.BytesIO(PDF), "invoice.pdf"), "label": "发票"}, follow_redirects=True)
    assert errors(response) == [PUBLISHED_UNTIL_Q1]
    assert snapshot() == before
    assert count(Entry) == 3


def test_r54_no_transfer_is_dated_inside_a_published_period(published):
    before = snapshot()
    for source, target in ((FUND, INCOME), (INCOME, FUND)):
        response = published.pages(published.member).post(
            f"/estates/{published.estate.id}/funds/transfer",
            data={"source": source, "target": target, "day": "2026-03-31", "amount": "1.00"}, follow_redirects=True)
        assert errors(response) == [PUBLISHED_UNTIL_Q1]
    assert snapshot() == before


def test_r54_no_bank_line_is_imported_inside_a_published_period(published):
    from governance_app.funds.bank_file import BankRow

    before = snapshot()
    with pytest.raises(FundError) as caught:
        funds.create_drafts(published.estate, published.account(FUND),
                            [BankRow(2, dt.date(2026, 4, 2), "in", 1_00, "银行", "", "A"),
                             BankRow(3, dt.date(2026, 3, 31), "in", 2_00, "银行", "", "B")], published.chair)
    assert caught.value.reason == "period_published"
    assert snapshot() == before


@pytest.mark.parametrize("change", [
    lambda entry: setattr(entry, "amount", 1),
    lambda entry: setattr(entry, "description", "改过"),
    lambda entry: setattr(entry, "day", dt.date(2026, 4, 2)),  # moved out of the period
    lambda entry: (db.session.expire(entry), setattr(entry, "day", dt.date(2026, 4, 2))),
    lambda entry: setattr(entry, "account_id", entry.account_id + 1),  # moved to common income
    lambda entry: setattr(entry, "state", EntryState.DRAFT),
    lambda entry: db.session.delete(entry),
], ids=["amount", "description", "day moved out", "day of an expired entry", "account", "state", "delete"])
def test_r54_the_orm_refuses_to_change_an_entry_of_a_published_period(published, change):
    before = snapshot()
    entry = db.session.get(Entry, published.repair.id)
    change(entry)
    with pytest.raises(FundError) as caught:
        db.session.commit()
    assert caught.value.reason == "period_published"
    db.session.rollback()
    assert snapshot() == before
    assert_statement_unchanged(published)


def test_r54_the_orm_refuses_to_move_an_entry_into_a_published_period(published):
    before = snapshot()
    entry = db.session.get(Entry, published.later.id)
    entry.day = dt.date(2026, 3, 31)
    with pytest.raises(FundError):
        db.session.commit()
    db.session.rollback()
    assert snapshot() == before


def test_r54_entries_after_the_period_can_still_change(published):
    entry = db.session.get(Entry, published.later.id)
    entry.description = "四月利息"
    db.session.commit()
    fresh()
    assert db.session.get(Entry, published.later.id).description == "四月利息"


@pytest.mark.parametrize("change", [
    lambda statement: setattr(statement, "closing_balance", 0),
    lambda statement: setattr(statement, "period_end", dt.date(2026, 2, 28)),
    lambda statement: setattr(statement, "entry_ids", []),
    lambda statement: db.session.delete(statement),
], ids=["closing balance", "period end", "entries", "delete"])
def test_r54_the_orm_refuses_to_change_a_published_statement(published, change):
    before = snapshot()
    statement = db.session.get(Statement, published.statement.id)
    change(statement)
    with pytest.raises(FundError) as caught:
        db.session.commit()
    assert caught.value.reason == "statement_frozen"
    db.session.rollback()
    assert snapshot() == before


def test_r54_a_correction_is_a_later_reversal_shown_on_the_unchanged_statement(published):
    pages = published.pages(published.member)
    response = pages.post(f"/estates/{published.estate.id}/funds/entries/{published.repair.id}/reverse",
                          data={"day": "2026-04-10", "reason": "重复付款，已退回"}, follow_redirects=True)
    assert ("success", "The entry is reversed. Record the correct entry if there is one.") in flashes(response)
    correction = entries(Entry.reverses_id == published.repair.id)[0]
    assert (correction.day, correction.direction, correction.amount, correction.category,
            correction.emergency_case) == (dt.date(2026, 4, 10), "in", 12_800_00, "repair_elevator",
                                           "elevator_stopped")
    assert response.request.path == f"/estates/{published.estate.id}/funds/entries/{correction.id}"
    assert f"Corrects entry {published.repair.id}" in text(response)

    page = published.pages(published.owner).get(f"/estates/{published.estate.id}/funds/statements/"
                                                f"{published.statement.id}")
    assert "A later correction exists for 1 entry of this statement: 2026-04-10" in text(page)
    assert f'/funds/entries/{correction.id}"' in page.get_data(as_text=True)
    assert figures(page) == {"Opening balance": "80,000.00", "Total in": "356.20", "Total out": "12,800.00",
                             "Closing balance": "67,556.20"}
    fresh()
    statement = db.session.get(Statement, published.statement.id)
    assert (statement.closing_balance, statement.entry_ids) == (67_556_20, [published.repair.id,
                                                                            published.interest.id])
    # The correction counts in the next period.
    preview = published.pages(published.member).post(statements_url(published) + "/new",
                                                      data={"start": "2026-04-01", "end": "2026-06-30",
                                                            "preview": "y"})
    assert figures(preview) == {"Opening balance": "67,556.20", "Total in": "12,900.00", "Total out": "0.00",
                                "Closing balance": "80,456.20"}
    # The original entry's page links its correction; it cannot be reversed twice.
    original = pages.get(f"/estates/{published.estate.id}/funds/entries/{published.repair.id}")
    assert f"Corrected by entry {correction.id} on 2026-04-10" in text(original)
    assert "/reverse" not in original.get_data(as_text=True)
    with pytest.raises(FundError) as caught:
        funds.reverse(published.estate, db.session.get(Entry, published.repair.id), day=dt.date(2026, 5, 1),
                      reason="", actor=published.chair)
    assert caught.value.reason == "already_reversed"


def test_a_reversal_cannot_be_dated_before_the_entry_it_corrects(ledger):
    response = ledger.pages(ledger.member).post(
        f"/estates/{ledger.estate.id}/funds/entries/{ledger.later.id}/reverse",
        data={"day": "2026-04-14", "reason": "错记"}, follow_redirects=True)
    assert errors(response) == ["A correction cannot be dated before the entry it corrects."]
    assert entries(Entry.reverses_id.is_not(None)) == []
