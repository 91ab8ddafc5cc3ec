"""The proposals' pages as owners, the committee and staff use them, and who may do what (the
permission truth table of every new action)."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from governance_app.auth.permissions import can
from governance_app.extensions import db
from governance_app.proposals import services
from governance_app.proposals.models import Proposal, ProposalState
from tests.auth.support import fresh, text
from tests.proposals.support import JPEG

ACTIONS = ("proposals.view", "proposals.raise", "proposals.cosign", "proposals.rate", "proposals.answer",
           "proposals.manage", "proposals.coordinate")
# Who may do each action on a proposal of 梅园小区 (the other estate's people: nothing).
TRUTH = {
    "owner": {"proposals.view", "proposals.raise", "proposals.cosign", "proposals.rate"},
    "chair": {"proposals.view", "proposals.answer", "proposals.manage"},
    "member": {"proposals.view", "proposals.answer", "proposals.manage"},
    "staff": {"proposals.view", "proposals.coordinate"},
    "supervisor": {"proposals.view"},
    "auditor": {"proposals.view"},
    "other_owner": set(),
    "other_member": set(),
}


@pytest.mark.parametrize("who", list(TRUTH))
def test_permission_truth_table(world, who):
    user = world.wang if who == "owner" else getattr(world, who)
    proposal = world.proposal()
    for action in ACTIONS:
        assert can(user, action, proposal) == (action in TRUTH[who]), (who, action)
        assert can(user, action, world.estate) == (action in TRUTH[who]), (who, action)


def test_a_draft_is_its_authors_only(world):
    draft = world.proposal(submit=False)
    assert world.pages(world.wang).get(f"/proposals/{draft.id}").status_code == 200
    for user in (world.li, world.chair, world.staff, world.supervisor):
        assert world.pages(user).get(f"/proposals/{draft.id}").status_code == 404
    listed = text(world.pages(world.li).get(f"/estates/{world.estate.id}/proposals"))
    assert "非机动车充电棚" not in listed


def test_out_of_scope_people_get_404(world):
    made = world.proposal()
    for user in (world.other_owner, world.other_member):
        pages = world.pages(user)
        assert pages.get(f"/proposals/{made.id}").status_code == 404
        assert pages.get(f"/estates/{world.estate.id}/proposals").status_code == 404
        assert pages.post(f"/proposals/{made.id}/cosign").status_code == 404


def test_an_owner_proposes_with_a_photo_and_what_was_typed_is_kept_when_refused(world):
    pages = world.pages(world.wang)
    url = f"/estates/{world.estate.id}/proposals/new"
    assert pages.get(url).status_code == 200
    form = {"title": "充电棚", "problem": "楼道充电危险", "remedy": "建棚", "category": "ebike_charging",
            "buildings": ["1", "2"], "changes_use": "y", "estimated_cost": "1,2.3.4"}
    refused = pages.post(url, data=form)
    assert refused.status_code == 400 and "楼道充电危险" in text(refused) and "1,2.3.4" in text(refused)
    fresh()
    assert db.session.query(Proposal).count() == 0
    answer = pages.post(url, data=form | {"estimated_cost": "60000", "photos": (io.BytesIO(JPEG), "photo.jpg")},
                        content_type="multipart/form-data")
    assert answer.status_code == 302
    fresh()
    made = db.session.query(Proposal).one()
    assert (made.estimated_cost, made.buildings, len(made.files)) == (60_000_00, ["1", "2"], 1)
    assert pages.post(f"/proposals/{made.id}/submit").status_code == 302
    fresh()
    assert services.get(made.id).state == ProposalState.SUPPORT
    page = text(pages.get(f"/proposals/{made.id}"))
    assert "Owners: 0 of 4" in page
    assert pages.get(f"/proposals/{made.id}/files/{made.files[0].file_id}").status_code == 200


def test_owners_cosign_and_the_committee_answers_on_the_page(world):
    made = world.proposal()
    assert world.pages(world.li).post(f"/proposals/{made.id}/cosign").status_code == 302
    fresh()
    assert services.support(services.get(made.id)).signed_heads == 1
    page = text(world.pages(world.li).get(f"/proposals/{made.id}", headers={}))
    assert "You co-signed this proposal." in page and "Owners: 1 of 4" in page
    refused = world.pages(world.chair).post(f"/proposals/{made.id}/answer", data={"kind": "declined", "text": ""})
    assert refused.status_code == 400
    answer = world.pages(world.chair).post(f"/proposals/{made.id}/answer", data={"kind": "accepted", "text": "同意"})
    assert answer.status_code == 302
    fresh()
    assert services.get(made.id).state == ProposalState.PREPARATION
    shown = text(world.pages(world.li).get(f"/proposals/{made.id}"))
    assert "Accepted: a vote is being prepared" in shown and "Owners' committee" in shown


def test_the_plan_form_keeps_what_was_typed_when_the_lines_do_not_add_up(world):
    made = world.accepted()
    pages = world.pages(world.chair)
    form = {"total_cost": "1000", "owners_amount": "600", "apportion_by": "area", "subsidy_amount": "300",
            "subsidy_programme": "补贴", "subsidy_status": "applied", "common_income_amount": "", "fund_amount": ""}
    refused = pages.post(f"/proposals/{made.id}/plan", data=form)
    assert refused.status_code == 400
    assert "must be equal" in text(refused) and 'value="600"' in text(refused)
    assert pages.post(f"/proposals/{made.id}/plan", data=form | {"owners_amount": "700"}).status_code == 302
    assert pages.post(f"/proposals/{made.id}/plan/approve").status_code == 302
    today = dt.date(2026, 7, 15)
    answer = pages.post(f"/proposals/{made.id}/vote", data={"opening_date": (today + dt.timedelta(days=16)).isoformat(),
                                                           "last_day": (today + dt.timedelta(days=20)).isoformat()})
    assert answer.status_code == 302
    fresh()
    made = services.get(made.id)
    assert made.state == ProposalState.VOTING
    owner_page = text(world.pages(world.wang).get(f"/proposals/{made.id}"))
    assert "Your share of the owners’ contributions" in owner_page and "decided on version 1" in owner_page


def test_the_list_filters_by_state_and_category(world):
    world.proposal(category="greening")
    world.accepted(category="lighting")
    pages = world.pages(world.li)
    shown = text(pages.get(f"/estates/{world.estate.id}/proposals?state=preparation"))
    assert shown.count("非机动车充电棚") == 1
    shown = text(pages.get(f"/estates/{world.estate.id}/proposals?category=greening"))
    assert shown.count("非机动车充电棚") == 1
    assert text(pages.get(f"/estates/{world.estate.id}/proposals?category=lift")).count("非机动车充电棚") == 0


def test_a_project_page_shows_budget_spent_and_remaining(world):
    world.open_accounts()
    made, _vote = world.voted()
    pages = world.pages(world.chair)
    assert pages.post(f"/proposals/{made.id}/delivery", data={"contractor": "上海某建设公司"}).status_code == 302
    answer = pages.post(f"/proposals/{made.id}/payments", data={
        "account": "common_income", "category": "other_expense", "day": "2026-08-10", "amount": "4000",
        "counterparty": "上海某建设公司", "description": "首期款"})
    assert answer.status_code == 302
    assert pages.post(f"/proposals/{made.id}/updates", data={"text": "完成", "percent_complete": "60"}).status_code == 302
    assert pages.post(f"/proposals/{made.id}/complete").status_code == 302
    page = text(world.pages(world.li).get(f"/proposals/{made.id}"))
    assert "56,000.00" in page and "4,000.00" in page and "Complete: 100%" in page
    assert world.pages(world.li).post(f"/proposals/{made.id}/rating", data={"stars": "4"}).status_code == 302
    assert "Average 4.0 of 5 from 1 owners" in text(world.pages(world.li).get(f"/proposals/{made.id}"))


def test_the_chinese_page_reads(world):
    made = world.proposal()
    page = text(world.pages(world.li, language="zh_Hans_CN").get(f"/proposals/{made.id}"))
    assert "附议" in page


def test_the_demo_estate_has_proposals_in_several_states(app_context):
    from sqlalchemy import select

    from governance_app.demo import _first_estate, load_demo

    load_demo()
    db.session.commit()
    estate = _first_estate()
    states = set(db.session.scalars(select(Proposal.state).where(Proposal.estate_id == estate.id)))
    assert {ProposalState.DRAFT, ProposalState.SUPPORT, ProposalState.AWAITING_ANSWER, ProposalState.DECLINED,
            ProposalState.PREPARATION, ProposalState.DELIVERY} <= states
    load_demo()  # loading again changes nothing
    db.session.commit()
    assert db.session.query(Proposal).filter(Proposal.estate_id == estate.id).count() == 6


def test_the_demo_project_in_delivery_passed_a_vote_that_verifies(app_context):
    """The demo's project: its vote was noticed, cast on paper, counted and published at the times
    it happened, so its bundle verifies; one milestone reached, one late, one ahead; money spent."""
    import json

    from sqlalchemy import select

    from governance_app.core import clock
    from governance_app.demo import load_demo
    from governance_app.proposals import services
    from governance_app.voting import bundle
    from governance_app.voting import services as voting

    load_demo()
    db.session.commit()
    project = db.session.scalar(select(Proposal).where(Proposal.state == ProposalState.DELIVERY))
    vote = services.vote_of(project)
    data = bundle.load(json.dumps(voting.audit_bundle(vote), ensure_ascii=False))
    assert bundle.verify(data) is None
    today = clock.today()
    assert [(m.done_on is not None, m.late(today)) for m in project.milestones] == \
        [(True, False), (False, True), (False, False)]
    money, entries = services.money(project)
    assert money.spent == 9_600_00 and len(entries) == 1 and project.percent_complete == 55
