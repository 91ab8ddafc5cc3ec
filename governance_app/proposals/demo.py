"""Demo proposals in 梅园小区, in several states: a draft, one collecting co-signatures, one the
committee must answer (5% of the heads co-signed, R-70), one declined, and one accepted with an
approved funding plan of owners' contributions, a subsidy and common income (R-71). Idempotent."""
from __future__ import annotations

from sqlalchemy import func, select

from ..auth import services as auth_services
from ..extensions import db
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
