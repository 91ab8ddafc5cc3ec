"""The packages' duty sources at their boundaries (core.duties): owners' questions after 14 days,
committee decisions posted within 3 days (R-42), statements (R-50) and the top-up (R-52), the
report (R-47) seen from 6 months before the term ends."""
from __future__ import annotations

import datetime as dt

import pytest

from governance_app.core import clock as platform_clock
from governance_app.core.duties import gather
from governance_app.disclosure import services as disclosure_services
from governance_app.extensions import db
from governance_app.funds import services as funds_services
from governance_app.funds.models import AccountKind

from .conftest import TERM_END


def _kinds(estate, today, kind):
    return [d for d in gather([estate.id], today) if d.kind == kind]


@pytest.fixture
def accounts(estate, people, clock):
    funds_services.open_accounts(estate, opened_on=dt.date(2026, 1, 1), first_period_amount=100_000_00, balances={
        AccountKind.MAINTENANCE_FUND: 30_000_00, AccountKind.COMMON_INCOME: 0, AccountKind.WORKING_FUND: 0},
        actor=people["chair"])
    db.session.commit()
    return estate


def test_questions_unanswered_after_14_days(app, accounts, people, clock, make_user):
    from tests.supervision.support import owner_account

    fund = funds_services.get_account(accounts, "maintenance_fund")
    entry = funds_services.add_entry(accounts, fund, day=dt.date(2026, 11, 1), direction="in", amount=100_00,
                                     category="interest", counterparty="银行", description="利息",
                                     authority=funds_services.Authority(), actor=people["chair"])
    funds_services.ask(entry, owner_account(make_user, accounts, "1-103"), "这笔是什么？")
    db.session.commit()
    with app.test_request_context():
        duty, = _kinds(accounts, dt.date(2026, 12, 1), "funds.question")
        assert duty.due == dt.date(2026, 12, 15)
        assert not duty.overdue(dt.date(2026, 12, 15)) and duty.overdue(dt.date(2026, 12, 16))


@pytest.mark.parametrize(("balance", "due"), [(29_999_99, True), (30_000_00, False), (30_000_01, False)])
def test_r52_top_up_below_30_percent(app, estate, people, clock, balance, due):
    funds_services.open_accounts(estate, opened_on=dt.date(2026, 1, 1), first_period_amount=100_000_00, balances={
        AccountKind.MAINTENANCE_FUND: balance, AccountKind.COMMON_INCOME: 0, AccountKind.WORKING_FUND: 0},
        actor=people["chair"])
    db.session.commit()
    with app.test_request_context():
        assert bool(_kinds(estate, dt.date(2026, 12, 1), "funds.top_up")) is due


def test_r50_statements_of_the_fund_and_common_income(app, accounts, clock):
    with app.test_request_context():
        due = {d.link.rsplit("/", 3)[-3]: d.due for d in _kinds(accounts, dt.date(2026, 12, 1), "funds.statement")}
    # Opened 1 January: the fund's first half year ends 30 June, common income's quarter 31 March; 30 days more.
    assert due == {"maintenance_fund": dt.date(2026, 7, 30), "common_income": dt.date(2026, 4, 30)}


def test_r42_decisions_posted_within_3_days(app, committee, people, clock):
    estate = committee
    members = [m.id for m in disclosure_services.current_members(estate)]
    meeting = disclosure_services.schedule_meeting(estate, title="第一次会议", place="会议室",
                                                   scheduled_at=platform_clock.now() + dt.timedelta(hours=1),
                                                   agenda="议程", actor=people["chair"])
    disclosure_services.record_attendance(meeting, members, dt.date(2026, 12, 1), "纪要", people["chair"])
    db.session.commit()
    with app.test_request_context():
        duty, = _kinds(estate, dt.date(2026, 12, 1), "disclosure.post_decisions")
    assert duty.due == dt.date(2026, 12, 4)
    assert not duty.overdue(dt.date(2026, 12, 4)) and duty.overdue(dt.date(2026, 12, 5))


@pytest.mark.parametrize(("today", "shown"), [(dt.date(2026, 12, 29), False), (dt.date(2026, 12, 30), True),
                                              (dt.date(2026, 12, 31), True)])
def test_r47_report_shown_from_6_months_before_the_term_ends(app, committee, clock, today, shown):
    with app.test_request_context():
        found = _kinds(committee, today, "supervision.report")
    assert bool(found) is shown
    assert all(d.due == dt.date(2027, 1, 30) and TERM_END == dt.date(2027, 6, 30) for d in found)
