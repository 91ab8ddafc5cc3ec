"""Demo proposals in 梅园小区, in several states: a draft, one collecting co-signatures, one the
committee must answer (5% of the heads co-signed, R-70), one declined, one accepted with an
approved funding plan of owners' contributions, a subsidy and common income (R-71), and a project
in delivery, whose vote passed four months ago, with its milestones (one reached, one late), two
progress updates and a payment from the common income. Idempotent."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select

from ..auth import services as auth_services
from ..core import clock
from ..extensions import db
from ..voting import demo as voting_demo
from ..voting import services as voting
from . import rules, services
from .models import AnswerKind, Proposal

DEMO_COSIGNERS = 12  # demo owners' accounts made to co-sign (they are not printed: nobody signs in as them)


def ensure_demo_proposals(estate, owner_user, chair, staff, password: str) -> None:
    if db.session.scalar(select(func.count()).select_from(Proposal).where(Proposal.estate_id == estate.id)):
        return
    signers = _cosigners(estate, owner_user, password)
    own_building = services.buildings_of(estate, owner_user)

    _raise(estate, owner_user, "单元门口加装扶手", "accessibility", None, 3_600_00,
                   "老人进出单元门台阶没有扶手，雨天容易滑倒。", "在各单元门口台阶两侧加装不锈钢扶手。", submit=False)
    _raise(estate, owner_user, "小区绿地补种树木", "greening", None, 12_000_00,
           "中心绿地有多处树木枯死，夏天没有树荫。", "补种香樟 10 棵，并修复喷灌。")
    lights = _raise(estate, signers[0], "楼道照明更换为感应 LED 灯", "lighting", None, 28_000_00,
                    "楼道灯经常损坏，晚上回家看不清台阶。", "全部楼道更换为声光感应 LED 灯。")
    heads = services.support(lights).total_heads
    for signer in signers[1:1 + rules.needed_for(heads, rules.DEFAULT_ANSWER_PERCENT)]:
        services.cosign(lights, signer)
    parking = _raise(estate, signers[1], "中心绿地改建停车位", "parking", None, 150_000_00,
                     "晚上停车难。", "把中心绿地改为 20 个停车位。", changes_use=True)
    services.coordinate(parking, staff, "居委会已听取两方意见：不少老人希望保留绿地。")
    services.answer(parking, chair, kind=AnswerKind.DECLINED,
                    text="绿地是小区仅有的活动场地，占用绿地须经业主大会决定；建议先做停车需求调查。")
    charging = _raise(estate, owner_user, "加装非机动车充电棚", "ebike_charging", own_building, 60_000_00,
                      "电动车在楼道里充电，有火灾隐患。", "在楼栋之间建带充电桩的充电棚，按次收费。", changes_use=True)
    for signer in signers[2:5]:
        try:
            services.cosign(charging, signer)
        except services.ProposalError:
            continue  # not all demo signers live in these buildings
    services.answer(charging, chair, kind=AnswerKind.ACCEPTED, text="同意，筹备表决。")
    services.save_plan(charging, chair, total_cost=60_000_00, apportion_by="area", owners_amount=30_000_00,
                       subsidy_amount=20_000_00, subsidy_programme="区非机动车充电设施补贴", subsidy_status="applied",
                       common_income_amount=10_000_00, fund_amount=0)
    if services.common_income_available(estate) is not None:
        services.approve_plan(charging, chair)
        _project_in_delivery(estate, signers[5], chair)


def _project_in_delivery(estate, author, chair) -> None:
    """Raised, accepted and put to the vote 130 days ago, passed, and built since; each step through
    the services at the time it happened (the platform's clock moved there, as for last year's vote)."""
    today = clock.today()  # read before the clock is moved
    raised_on = today - dt.timedelta(days=130)
    opening, at = raised_on + dt.timedelta(days=17), voting_demo.local_time
    with voting_demo.clock_at(at(raised_on, 9)):
        lights = _raise(estate, author, "地下车库照明改造", "lighting", None, 24_000_00,
                        "地下车库灯光昏暗，有几处完全不亮，老人和孩子走路不安全。",
                        "更换为 LED 灯并加装感应开关，由公共收益支付。")
        services.answer(lights, chair, kind=AnswerKind.ACCEPTED, text="同意，提交业主大会表决。")
        services.save_plan(lights, chair, total_cost=24_000_00, apportion_by="area", owners_amount=0,
                           subsidy_amount=0, subsidy_programme="", subsidy_status="to_apply",
                           common_income_amount=24_000_00, fund_amount=0)
        services.approve_plan(lights, chair)
        vote = services.to_vote(lights, chair, opening_date=opening, last_day=opening + dt.timedelta(days=6),
                                description="")
    with voting_demo.clock_at(at(raised_on, 10)):
        voting.publish_notice(vote, chair)
    voting_demo.paper_ballots(vote, chair, opening, random.Random(2026), lambda rng: {
        "i1": rng.choices(("approve", "oppose", "abstain"), (9, 1, 1))[0]})
    counted_on = opening + dt.timedelta(days=7)
    with voting_demo.clock_at(at(counted_on, 10)):
        voting.advance(vote)
        voting.count(vote, chair)
    with voting_demo.clock_at(at(counted_on, 16)):
        voting.publish_result(vote, chair)  # the proposal learns it passed (core.events)
    started_on = counted_on + dt.timedelta(days=14)
    with voting_demo.clock_at(at(started_on, 9)):
        lights = services.get(lights.id)
        services.start_delivery(lights, chair, contractor="上海某照明工程有限公司", contract=None)
        for title, due_on in (("材料进场", started_on + dt.timedelta(days=10)),
                              ("一层车库完工", today - dt.timedelta(days=12)),
                              ("竣工验收", today + dt.timedelta(days=30))):
            services.add_milestone(lights, chair, title=title, due_on=due_on)
    with voting_demo.clock_at(at(started_on + dt.timedelta(days=9), 17)):
        services.reach_milestone(lights, chair, lights.milestones[0].id)
        services.add_update(lights, chair, text="灯具和感应开关已进场，开始拆除旧灯。", percent_complete=20)
    with voting_demo.clock_at(at(today - dt.timedelta(days=5), 17)):
        services.add_update(lights, chair, text="一层车库已换完，二层进行中；一层完工比计划晚了约两周（灯具补货）。",
                            percent_complete=55)
        services.record_payment(lights, chair, account_kind="common_income", day=today - dt.timedelta(days=5),
                                amount=9_600_00, category="other_expense", counterparty="上海某照明工程有限公司",
                                description="首期款（40%）")


def _raise(estate, author, title, category, buildings, cost, problem, remedy, *, submit=True, changes_use=False):
    made = services.create(estate, author, title=title, problem=problem, remedy=remedy, category=category,
                           buildings=buildings, changes_use=changes_use, estimated_cost=cost)
    if submit:
        services.submit(made, author)
    return made


def _cosigners(estate, owner_user, password: str) -> list:
    """Accounts for a few owners of the estate (each the only owner of their units), not those
    holding a demo activation letter: an account would use their letter up."""
    found = []
    for status in auth_services.voter_statuses(estate):
        if len(found) == DEMO_COSIGNERS:
            break
        owner = status.owner
        if owner is None or owner.id == owner_user.owner_id or status.voter.key == "developer" \
                or status.active_code is not None:
            continue
        login = f"demo-owner-{owner.id}"
        user = auth_services.find_user(login) or auth_services.create_user(login, owner.name, password, actor=None,
                                                                            owner=owner)
        found.append(user)
    return found
