"""Every use of the accounts leaves an audit event in the estate's chain, with its actor: accounts
opened, entries posted, transfers, reversals, evidence, bank imports, statements published,
questions and answers."""
from __future__ import annotations

import io

from governance_app.audit import services as audit
from governance_app.extensions import db
from governance_app.funds.models import Entry, Question, Statement
from tests.funds.support import FUND, INCOME, PDF, entries, events, fresh, funds_events, hidden

BANK_CSV = ("交易日期,收入金额,支出金额,对方户名,摘要,交易流水号\n"
            "2026-04-03,1200.00,,停车公司,停车费,BK0001\n").encode("gbk")


def test_every_use_of_the_accounts_is_audited_with_its_actor(world):
    estate = world.estate.id
    member, chair, owner = world.pages(world.member), world.pages(world.chair), world.pages(world.owner)
    member.post(f"/estates/{estate}/funds/setup", data={
        "opened_on": "2026-01-01", "fund_opening": "80000", "fund_first_period": "100000", "income_opening": "0",
        "working_opening": "0"})
    member.post(f"/estates/{estate}/funds/{INCOME}/entries", data={
        "day": "2026-02-01", "direction": "in", "amount": "1000.00", "category": "parking"})
    [entry] = entries()
    member.post(f"/estates/{estate}/funds/transfer", data={"source": INCOME, "target": FUND, "day": "2026-02-02",
                                                           "amount": "600.00"})
    member.post(f"/estates/{estate}/funds/entries/{entry.id}/reverse", data={"day": "2026-02-03", "reason": "错记"})
    [reversal] = entries(Entry.reverses_id == entry.id)
    member.post(f"/estates/{estate}/funds/entries/{entry.id}/evidence",
                data={"file": (io.BytesIO(PDF), "停车合同.pdf")}, content_type="multipart/form-data")
    checked = member.post(f"/estates/{estate}/funds/{INCOME}/bank", data={"file": (io.BytesIO(BANK_CSV), "b.csv")},
                          content_type="multipart/form-data")
    member.post(f"/estates/{estate}/funds/{INCOME}/bank", data={
        "upload_id": hidden(checked, "upload_id"), "date": "交易日期", "amount_in": "收入金额", "amount_out": "支出金额",
        "counterparty": "对方户名", "description": "摘要", "reference": "交易流水号", "confirm": "y"})
    chair.post(f"/estates/{estate}/funds/{INCOME}/statements", data={"start": "2026-01-01", "end": "2026-03-31",
                                                                      "publish": "y"})
    owner.post(f"/estates/{estate}/funds/entries/{entry.id}/questions", data={"text": "为什么冲销？"})
    fresh()
    question = db.session.scalar(db.select(Question))
    member.post(f"/estates/{estate}/funds/questions/{question.id}/answer", data={"text": "金额记错了。"})

    assert funds_events() == ["funds.accounts_opened", "funds.entry_posted", "funds.transfer",
                              "funds.entry_reversed", "funds.evidence_attached", "funds.bank_imported",
                              "funds.statement_published", "funds.question_asked", "funds.question_answered"]
    by_action = {event.action: event for event in events() if event.action.startswith("funds.")}
    actors = {action: event.actor_id for action, event in by_action.items()}
    assert actors == {**{action: world.member.id for action in by_action}, "funds.statement_published": world.chair.id,
                      "funds.question_asked": world.owner.id}
    assert {event.estate_id for event in by_action.values()} == {estate}
    assert {event.chain for event in by_action.values()} == {audit.chain_for(estate)}
    statement = db.session.scalar(db.select(Statement))
    assert by_action["funds.accounts_opened"].details == {
        "opened_on": "2026-01-01", "first_period_amount": 100_000_00,
        "balances": {"maintenance_fund": 80_000_00, "common_income": 0, "working_fund": 0}}
    assert (by_action["funds.entry_posted"].object_id, by_action["funds.entry_posted"].details["amount"]) == (
        str(entry.id), 1_000_00)
    assert by_action["funds.transfer"].details == {"from": INCOME, "to": FUND, "amount": 600_00, "day": "2026-02-02"}
    assert (by_action["funds.entry_reversed"].object_id, by_action["funds.entry_reversed"].details["reverses"]) == (
        str(reversal.id), entry.id)
    assert by_action["funds.evidence_attached"].details["label"] == "停车合同.pdf"
    assert by_action["funds.bank_imported"].details == {"created": 1, "skipped": 0}
    assert (by_action["funds.statement_published"].object_id,
            by_action["funds.statement_published"].details) == (str(statement.id), {
                "account": INCOME, "start": "2026-01-01", "end": "2026-03-31", "opening": 0, "closing": -600_00})
    assert by_action["funds.question_asked"].object_id == by_action["funds.question_answered"].object_id == \
        str(question.id)
    assert audit.verify(audit.chain_for(estate)) == []


def test_refused_actions_leave_no_event(world):
    world.open_accounts()
    before = funds_events()
    member = world.pages(world.member)
    member.post(f"/estates/{world.estate.id}/funds/{FUND}/entries", data={
        "day": "2026-02-01", "direction": "out", "amount": "10.00", "category": "repair_roof"})  # no authority
    member.post(f"/estates/{world.estate.id}/funds/transfer", data={"source": FUND, "target": FUND,
                                                                    "day": "2026-02-01", "amount": "1"})
    world.pages(world.chair).post(f"/estates/{world.estate.id}/funds/{FUND}/statements",
                                  data={"start": "2026-01-02", "end": "2026-03-31", "publish": "y"})
    assert funds_events() == before
