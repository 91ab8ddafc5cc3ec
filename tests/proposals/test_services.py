"""Every state change of a proposal and its refusals, through the services (R-70, R-71, R-41, R-53,
who counts: R-02, R-03, R-15)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from governance_app.audit.models import AuditEvent
from governance_app.core import duties
from governance_app.extensions import db
from governance_app.funds import services as funds
from governance_app.proposals import services
from governance_app.proposals.models import AnswerKind, ProposalError, ProposalState
from governance_app.voting.models import ItemKind, VoteState
from tests.proposals.support import JPEG, PDF


def refused(reason: str):
    class Check:
        def __enter__(self):
            self.raised = pytest.raises(ProposalError)
            self.info = self.raised.__enter__()

        def __exit__(self, *exc):
            result = self.raised.__exit__(*exc)
            assert self.info.value.reason == reason, self.info.value.reason
            db.session.rollback()
            return result
    return Check()


def actions(name: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == name)))


# --- raising -------------------------------------------------------------------------------------

def test_an_owner_raises_a_draft_with_photos_and_submits_it(world):
    made = services.create(world.estate, world.wang, title="充电棚", problem="问题", remedy="办法",
                           category="ebike_charging", buildings=["2", "1"], changes_use=True, estimated_cost=5_000_00,
                           uploads=[(JPEG, "现场照片"), (PDF, "报价单")])
    db.session.commit()
    assert made.state == ProposalState.DRAFT and made.buildings == ["1", "2"] and len(made.files) == 2
    services.submit(made, world.wang)
    db.session.commit()
    assert made.state == ProposalState.SUPPORT and made.submitted_at is not None
    assert actions("proposals.drafted") and actions("proposals.submitted")


@pytest.mark.parametrize("change, reason", [
    ({"title": " "}, "no_title"), ({"category": "spaceport"}, "bad_category"),
    ({"estimated_cost": -1}, "negative_cost"), ({"buildings": ["9"]}, "unknown_building"),
])
def test_a_proposal_with_bad_fields_is_refused(world, change, reason):
    fields = {"title": "充电棚", "problem": "p", "remedy": "r", "category": "greening", "buildings": None,
              "changes_use": False, "estimated_cost": 100} | change
    with refused(reason):
        services.create(world.estate, world.wang, **fields)


@pytest.mark.parametrize("content, reason", [(b"", "file_empty"), (b"<html>", "file_wrong_type"),
                                             (JPEG + b"\x00" * (10 * 1024 * 1024), "file_too_large")])
def test_files_are_checked_by_content_and_size(world, content, reason):
    with refused(reason):
        services.create(world.estate, world.wang, title="t", problem="p", remedy="r", category="other",
                        buildings=None, changes_use=False, estimated_cost=0, uploads=[(content, "x")])


def test_only_owners_of_the_estate_raise_and_only_the_author_submits(world):
    with refused("owners_only"):
        services.create(world.estate, world.chair, title="t", problem="p", remedy="r", category="other",
                        buildings=None, changes_use=False, estimated_cost=0)
    with refused("owners_only"):
        services.create(world.estate, world.other_owner, title="t", problem="p", remedy="r", category="other",
                        buildings=None, changes_use=False, estimated_cost=0)
    draft = world.proposal(submit=False)
    with refused("author_only"):
        services.submit(draft, world.li)
    services.submit(draft, world.wang)
    with refused("wrong_state"):
        services.submit(draft, world.wang)


def test_the_markdown_is_sanitised():
    assert "<script" not in services.markdown("<script>alert(1)</script>**粗**")
    assert "<strong>粗</strong>" in services.markdown("**粗**")


# --- co-signing (R-70, R-15) ------------------------------------------------------------------------

def test_a_multi_unit_owner_cosigns_once_with_the_summed_area_in_scope(world):
    made = world.proposal()
    assert services.cosign(made, world.wang) == 1
    db.session.commit()
    found = services.support(made)
    assert (found.signed_heads, found.signed_area, found.total_heads, found.total_area) == (1, 180_00, 4, 610_00)
    with refused("already_signed"):
        services.cosign(made, world.wang)


def test_a_co_owned_unit_signs_through_its_representative_only(world):
    made = world.proposal()
    with refused("not_in_scope"):
        services.cosign(made, world.qian)
    services.cosign(made, world.zhao)
    db.session.commit()
    assert services.support(made).signed_area == 90_00 and services.support(made).signed_heads == 1


def test_the_developer_is_one_head_for_all_its_units(world):
    made = world.proposal()
    services.cosign(made, world.developer)
    db.session.commit()
    found = services.support(made)
    assert (found.signed_heads, found.signed_area) == (1, 220_00)


def test_owners_outside_the_scope_do_not_cosign(world):
    made = world.proposal(buildings=("1", "2"))
    with refused("not_in_scope"):
        services.cosign(made, world.sun)
    whole = world.proposal(buildings=None)
    services.cosign(whole, world.sun)
    db.session.commit()
    assert services.support(whole).total_heads == 6


def test_a_draft_cannot_be_cosigned(world):
    draft = world.proposal(submit=False)
    with refused("wrong_state"):
        services.cosign(draft, world.li)


def test_withdrawal_is_allowed_until_the_answer(world):
    made = world.proposal()
    services.cosign(made, world.li)
    services.withdraw_signature(made, world.li)
    db.session.commit()
    assert services.support(made).signed_heads == 0
    with refused("not_signed"):
        services.withdraw_signature(made, world.li)
    services.cosign(made, world.li)
    services.answer(made, world.chair, kind=AnswerKind.DECLINED, text="预算不足")
    db.session.commit()
    with refused("wrong_state"):
        services.withdraw_signature(made, world.li)


def test_r70_the_answer_threshold_at_its_boundary_moves_the_proposal(world):
    services.change_settings(world.estate, answer_percent=20, answer_days=30, vote_days=30, actor=world.chair)
    made = world.proposal(buildings=None)  # 6 heads in scope: 20% (the highest allowed) is 2 heads
    services.cosign(made, world.li)
    db.session.commit()
    assert made.state == ProposalState.SUPPORT and made.answer_threshold_on is None  # n-1
    services.cosign(made, world.zhao)
    db.session.commit()
    assert made.state == ProposalState.AWAITING_ANSWER  # n
    assert made.answer_threshold_on == dt.date(2026, 7, 15)
    services.cosign(made, world.wang)  # n+1: still awaiting, the day does not move
    db.session.commit()
    assert made.answer_threshold_on == dt.date(2026, 7, 15)


def test_r41_the_assembly_threshold_needs_area_and_heads(world):
    made = world.proposal(buildings=None)  # 6 heads, 810.00 m²: 20% is 2 heads (1.2) and 162.00 m²
    services.cosign(made, world.wang)  # 1 head, 180.00 m²: the area alone is not enough
    db.session.commit()
    assert made.assembly_threshold_on is None
    services.cosign(made, world.sun)  # 2 heads
    db.session.commit()
    assert made.assembly_threshold_on == dt.date(2026, 7, 15)


def test_duties_the_answer_and_the_required_assembly_are_due_in_30_days(world):
    made = world.proposal(buildings=None)
    services.cosign(made, world.wang)
    services.cosign(made, world.sun)
    db.session.commit()
    today = dt.date(2026, 7, 15)
    found = {duty.kind: duty for duty in duties.gather([world.estate.id], today)}
    assert found["proposals.answer"].due == dt.date(2026, 8, 14) and found["proposals.answer"].rule == "R-70"
    assert found["proposals.assembly"].due == dt.date(2026, 8, 14) and found["proposals.assembly"].rule == "R-41"
    assert found["proposals.answer"].overdue(dt.date(2026, 8, 15)) and not found["proposals.answer"].overdue(
        dt.date(2026, 8, 14))
    services.answer(made, world.chair, kind=AnswerKind.ACCEPTED, text="")
    db.session.commit()
    assert {d.kind for d in duties.gather([world.estate.id], today)} == {"proposals.assembly"}
    assert duties.gather([world.other.id], today) == []


# --- review ---------------------------------------------------------------------------------------

def test_the_committee_accepts_declines_returns_or_merges(world):
    accepted = world.proposal()
    services.answer(accepted, world.chair, kind=AnswerKind.ACCEPTED, text="")
    assert accepted.state == ProposalState.PREPARATION
    declined = world.proposal()
    with refused("reasons_needed"):
        services.answer(declined, world.chair, kind=AnswerKind.DECLINED, text=" ")
    declined = services.get(declined.id)
    services.answer(declined, world.chair, kind=AnswerKind.DECLINED, text="重复")
    assert declined.state == ProposalState.DECLINED
    returned = world.proposal()
    services.answer(returned, world.chair, kind=AnswerKind.RETURNED, text="请补充报价")
    assert returned.state == ProposalState.DRAFT
    merged = world.proposal()
    with refused("bad_merge"):
        services.answer(merged, world.chair, kind=AnswerKind.MERGED, text="合并", merged_into=merged)
    merged = services.get(merged.id)
    services.answer(merged, world.chair, kind=AnswerKind.MERGED, text="合并", merged_into=services.get(accepted.id))
    db.session.commit()
    assert merged.state == ProposalState.MERGED and merged.merged_into_id == accepted.id
    with refused("wrong_state"):
        services.answer(services.get(declined.id), world.chair, kind=AnswerKind.ACCEPTED, text="")
    assert [a.author_role for a in services.get(returned.id).answers] == ["committee"]


def test_community_staff_add_a_coordination_opinion(world):
    made = world.proposal()
    services.coordinate(made, world.staff, "居委会协调供电部门。")
    db.session.commit()
    assert made.answers[0].kind == AnswerKind.COORDINATION and made.answers[0].author_role == "community_staff"
    assert made.state == ProposalState.SUPPORT
    with refused("reasons_needed"):
        services.coordinate(services.get(made.id), world.staff, "")


# --- the funding plan (R-71, R-53) --------------------------------------------------------------

def test_the_plan_is_versioned_and_must_add_up(world):
    made = world.accepted()
    with refused("lines_do_not_add_up"):
        services.save_plan(made, world.chair, total_cost=100_00, apportion_by="area", owners_amount=50_00,
                           subsidy_amount=0, subsidy_programme="", subsidy_status="to_apply",
                           common_income_amount=49_99, fund_amount=0)
    made = services.get(made.id)
    for version in (1, 2):
        plan = services.save_plan(made, world.chair, total_cost=100_00, apportion_by="unit", owners_amount=100_00,
                                  subsidy_amount=0, subsidy_programme="", subsidy_status="to_apply",
                                  common_income_amount=0, fund_amount=0)
        assert plan.version == version
    db.session.commit()
    assert [p.version for p in made.plans] == [1, 2]


def test_owners_shares_add_up_to_the_line_by_area_sorted_by_label(world):
    made = world.accepted()
    services.save_plan(made, world.chair, total_cost=1_000_00, apportion_by="area", owners_amount=1_000_00,
                       subsidy_amount=0, subsidy_programme="", subsidy_status="to_apply", common_income_amount=0,
                       fund_amount=0)
    db.session.commit()
    found = services.shares(made)
    assert [s.unit for s in found] == ["1-101", "1-102", "1-103", "2-201", "2-202", "2-203"]
    assert sum(s.amount for s in found) == 1_000_00
    # Exactly 16393.44, 13114.75, 19672.13, 14754.09, 18032.78, 18032.78: the floors make 99,997 and
    # the three fen left go to the largest remainders (.78, .78, .75).
    assert [s.amount for s in found] == [16393, 13115, 19672, 14754, 18033, 18033]
    assert [s.unit for s in services.my_shares(made, world.wang)] == ["1-101", "1-102"]


def test_common_income_is_capped_by_the_available_balance_and_reserved_on_approval(world):
    world.open_accounts(income=10_000_00)
    first = world.planned(owners=30_000_00, subsidy=20_000_00, income=10_000_00)  # takes all of it
    account = funds.get_account(world.estate, "common_income")
    assert funds.available(account) == 0 and funds.reserved(account) == 10_000_00
    second = world.accepted()
    services.save_plan(second, world.chair, total_cost=1_00, apportion_by="area", owners_amount=0,
                       subsidy_amount=0, subsidy_programme="", subsidy_status="to_apply", common_income_amount=1_00,
                       fund_amount=0)
    db.session.commit()
    with refused("common_income_exceeds"):
        services.approve_plan(second, world.chair)
    assert first.plan.approved_at is not None


@pytest.mark.parametrize("income, approved", [(10_000_01, False), (10_000_00, True), (9_999_99, True)])
def test_the_common_income_ceiling_at_its_boundary(world, income, approved):
    world.open_accounts(income=10_000_00)
    made = world.accepted()
    services.save_plan(made, world.chair, total_cost=income, apportion_by="area", owners_amount=0, subsidy_amount=0,
                       subsidy_programme="", subsidy_status="to_apply", common_income_amount=income, fund_amount=0)
    db.session.commit()
    if approved:
        services.approve_plan(made, world.chair)
    else:
        with refused("common_income_exceeds"):
            services.approve_plan(made, world.chair)


def test_a_new_version_releases_what_the_approved_one_reserved(world):
    world.open_accounts(income=10_000_00)
    made = world.planned(owners=0, subsidy=0, income=10_000_00)
    services.save_plan(made, world.chair, total_cost=5_000_00, apportion_by="area", owners_amount=0,
                       subsidy_amount=0, subsidy_programme="", subsidy_status="to_apply",
                       common_income_amount=5_000_00, fund_amount=0)
    db.session.commit()
    assert funds.available(funds.get_account(world.estate, "common_income")) == 10_000_00
    with refused("plan_not_approved"):
        services.to_vote(services.get(made.id), world.chair, opening_date=dt.date(2026, 8, 1),
                         last_day=dt.date(2026, 8, 5), description="")


def test_a_plan_needs_open_accounts_to_use_common_income(world):
    made = world.accepted()
    services.save_plan(made, world.chair, total_cost=1_00, apportion_by="area", owners_amount=0, subsidy_amount=0,
                       subsidy_programme="", subsidy_status="to_apply", common_income_amount=1_00, fund_amount=0)
    with refused("no_accounts"):
        services.approve_plan(made, world.chair)


# --- to a vote ------------------------------------------------------------------------------------------

def test_the_vote_created_from_a_proposal(world):
    world.open_accounts()
    made = world.planned()
    vote = services.to_vote(made, world.chair, opening_date=dt.date(2026, 8, 1), last_day=dt.date(2026, 8, 7),
                            description="请业主表决。")
    db.session.commit()
    assert made.state == ProposalState.VOTING and made.vote_id == vote.id and made.vote_plan_version == 1
    assert vote.state == VoteState.DRAFT and vote.buildings == ["1", "2"]
    assert [(i.kind, i.matter) for i in vote.items] == [(ItemKind.RESOLUTION, 8)]  # changes the use of common parts
    assert "资金方案第 1 版" in vote.description


@pytest.mark.parametrize("category, fund, matter", [("lift", 0, 7), ("lift", 1_000_00, 5), ("lighting", 0, 9)])
def test_the_matter_of_the_vote(world, category, fund, matter):
    world.open_accounts()
    made = world.accepted(category=category)
    made.changes_use = False
    services.save_plan(made, world.chair, total_cost=2_000_00, apportion_by="area", owners_amount=1_000_00 - fund,
                       subsidy_amount=1_000_00, subsidy_programme="", subsidy_status="granted", common_income_amount=0,
                       fund_amount=fund)
    services.approve_plan(made, world.chair)
    vote = services.to_vote(made, world.chair, opening_date=dt.date(2026, 8, 1), last_day=dt.date(2026, 8, 7),
                            description="")
    assert vote.items[0].matter == matter


def test_passed_vote_makes_a_project_that_records_payments_and_is_rated(world):
    world.open_accounts()
    made, vote = world.voted()
    made = services.get(made.id)
    assert vote.state == VoteState.PUBLISHED and made.state == ProposalState.PASSED
    with refused("no_contractor"):
        services.start_delivery(made, world.chair, contractor=" ", contract=None)
    made = services.get(made.id)
    services.start_delivery(made, world.chair, contractor="上海某建设公司", contract=PDF)
    services.add_milestone(made, world.chair, title="开工", due_on=dt.date(2026, 9, 1))
    services.add_update(made, world.chair, text="基础完成", percent_complete=40, photos=[(JPEG, "基础")])
    db.session.commit()
    assert made.percent_complete == 40 and len(made.updates[0].photos) == 1
    with refused("bad_percent"):
        services.add_update(made, world.chair, text="x", percent_complete=101)
    made = services.get(made.id)
    entry = services.record_payment(made, world.chair, account_kind="common_income", day=dt.date(2026, 8, 10),
                                    amount=4_000_00, category="other_expense", counterparty="上海某建设公司",
                                    description="首期款")
    db.session.commit()
    assert entry.project_id == made.id
    found, entries = services.money(made)
    assert (found.budget, found.spent, found.remaining) == (60_000_00, 4_000_00, 56_000_00)
    assert [e.id for e in entries] == [entry.id]
    # What is paid for the project from the reserved common income is no longer counted twice.
    account = funds.get_account(world.estate, "common_income")
    assert funds.reserved(account) == 6_000_00 and funds.available(account) == 10_000_00
    with refused("payment_authority_not_passed"):  # the vote was of matter 8, not 5
        services.record_payment(made, world.chair, account_kind="maintenance_fund", day=dt.date(2026, 8, 10),
                                amount=1_00, category="repair_other", counterparty="", description="")
    made = services.get(made.id)
    with refused("rating_closed"):
        services.rate(made, world.li, stars=5, comment="")
    services.complete(services.get(made.id), world.chair)
    db.session.commit()
    made = services.get(made.id)
    services.rate(made, world.li, stars=5, comment="很好")
    services.rate(made, world.developer, stars=4, comment="")
    db.session.commit()
    with refused("already_rated"):
        services.rate(made, world.li, stars=1, comment="")
    with refused("not_in_scope"):
        services.rate(services.get(made.id), world.sun, stars=1, comment="")
    with refused("bad_stars"):
        services.rate(services.get(made.id), world.wang, stars=6, comment="")
    summary, comments = services.ratings(services.get(made.id))
    assert (summary.raters, summary.average_tenths, summary.distribution) == (2, 45, (0, 0, 0, 1, 1))
    assert comments == ["很好"]
    world.clock.advance(days=31)
    with refused("rating_closed"):
        services.rate(services.get(made.id), world.wang, stars=3, comment="")


def test_a_failed_vote_fails_the_proposal_and_releases_the_common_income(world):
    world.open_accounts()
    made, vote = world.voted(approvers=("王伟",), opposers=("李娜", "赵敏", "上海某置业有限公司"))
    assert services.get(made.id).state == ProposalState.FAILED
    assert funds.available(funds.get_account(world.estate, "common_income")) == 20_000_00
    with refused("wrong_state"):
        services.start_delivery(services.get(made.id), world.chair, contractor="x", contract=None)


def test_delivery_steps_need_a_project(world):
    made = world.accepted()
    with refused("wrong_state"):
        services.add_milestone(made, world.chair, title="x", due_on=dt.date(2026, 9, 1))
    with refused("wrong_state"):
        services.complete(services.get(made.id), world.chair)
    with refused("wrong_state"):
        services.record_payment(services.get(made.id), world.chair, account_kind="common_income",
                                day=dt.date(2026, 8, 1), amount=1, category="other_expense", counterparty="",
                                description="")


def test_a_milestone_is_marked_reached_once_and_shown_late_until_then(world):
    """Owners follow a project by its milestones: each shows its due day and, once the committee
    marks it, the day it was reached; one past its day and not reached reads "late"."""
    from governance_app.core import clock as platform

    world.open_accounts()
    made, _vote = world.voted()
    made = services.get(made.id)
    services.start_delivery(made, world.chair, contractor="上海某建设公司", contract=None)
    today = platform.today()
    early = services.add_milestone(made, world.chair, title="开工", due_on=today - dt.timedelta(days=3))
    later = services.add_milestone(made, world.chair, title="竣工", due_on=today + dt.timedelta(days=30))
    db.session.commit()
    assert early.late(today) and not later.late(today)
    page = world.pages(world.li).get(f"/proposals/{made.id}").get_data(as_text=True)
    assert "late" in page and "Mark “开工” reached" not in page  # owners see, only the committee marks
    chair = world.pages(world.chair)
    assert "Mark “开工” reached" in chair.get(f"/proposals/{made.id}").get_data(as_text=True)
    assert chair.post(f"/proposals/{made.id}/milestones/{early.id}/reached").status_code == 302
    assert world.pages(world.li).post(f"/proposals/{made.id}/milestones/{later.id}/reached").status_code == 404
    db.session.rollback()
    made = services.get(made.id)
    assert [(m.title, m.done_on) for m in made.milestones] == [("开工", today), ("竣工", None)]
    assert not made.milestones[0].late(today)
    assert f"reached on {today.isoformat()}" in world.pages(world.li).get(f"/proposals/{made.id}").get_data(as_text=True)
    with refused("milestone_reached"):
        services.reach_milestone(made, world.chair, made.milestones[0].id)
    with refused("no_milestone"):
        services.reach_milestone(made, world.chair, 999_999)
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "proposals.milestone_reached"))
    assert event.actor_id == world.chair.id and event.details["done_on"] == today.isoformat()
    assert chair.post(f"/proposals/{made.id}/milestones/999999/reached").status_code == 404
