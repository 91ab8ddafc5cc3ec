"""Demo records of issue 19 in 梅园小区: a residents' convention with clauses, two owners on the red
board, and one black-board entry notified today, in its objection window. Idempotent."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ..core import clock
from ..disclosure import services as disclosure
from ..disclosure.models import DocumentKind, MemberRole
from ..estates.models import Owner, OwnerKind, Ownership, Unit
from ..extensions import db
from . import services
from .models import Deed, Severity

# Stand-ins for the scanned convention and a photo (files are checked by their first bytes).
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"
CLAUSES = ("爱护公共设施，不在楼道、消防通道堆放杂物。", "晚上十点至早上六点不在室内装修或制造噪音。",
           "文明养犬，出门牵绳，及时清理粪便。", "垃圾分类投放，不高空抛物。", "邻里互助，参与小区志愿服务。")


def _person_units(estate, skip_owner_ids: set[int], count: int) -> list[str]:
    """Units held by one person each (not a company, not the demo owner's), for the entries."""
    rows = db.session.execute(select(Unit.label, Owner.id).join(Ownership, Ownership.unit_id == Unit.id)
                              .join(Owner, Ownership.owner_id == Owner.id)
                              .where(Unit.estate_id == estate.id, Ownership.valid_to.is_(None),
                                     Owner.kind == OwnerKind.PERSON, Ownership.is_representative.is_(True))
                              .order_by(Unit.label)).all()
    return [label for label, owner_id in rows if owner_id not in skip_owner_ids][5:5 + count]


def load_pledges(estate, actor, demo_owner) -> None:
    if disclosure.conventions(estate):
        return
    today = clock.today()
    document = disclosure.add_version(estate, kind=DocumentKind.RESIDENTS_CONVENTION, title="梅园小区居民公约",
                                      content=PDF + "梅园小区居民公约".encode(), adopted_on=today - dt.timedelta(days=90),
                                      vote_id=None, item=None, note="业主大会通过", actor=actor).document
    clauses = [disclosure.add_clause(document, number=n, text=text, actor=actor)
               for n, text in enumerate(CLAUSES, start=1)]
    members = disclosure.current_members(estate) or [
        disclosure.add_member(estate, name=name, role=MemberRole.CHAIR if n == 0 else MemberRole.MEMBER,
                              term_start=today - dt.timedelta(days=200), term_end=today + dt.timedelta(days=900),
                              pledge=None, pledge_signed_on=None, actor=actor)
        for n, name in enumerate(("周某", "吴某", "郑某", "冯某", "陈某"))]
    meeting = disclosure.schedule_meeting(estate, title="业委会第 3 次会议", place="小区会所",
                                          scheduled_at=clock.now() + dt.timedelta(minutes=1),
                                          agenda="1. 红黑榜：楼道堆物的处理", actor=actor)
    disclosure.record_attendance(meeting, [m.id for m in members], today, "审议楼道堆物问题。", actor)
    decision = disclosure.record_decision(meeting, "同意将楼道长期堆物列入黑榜（轻微情节）。",
                                          [m.id for m in members[: len(members) // 2 + 1]], actor)
    disclosure.post_meeting(meeting, actor)
    red_one, red_two, black_unit = _person_units(estate, {demo_owner.owner_id} if demo_owner else set(), 3)
    services.nominate(estate, unit_label=red_one, deed=Deed.VOLUNTEERING, clause_id=clauses[4].id,
                      reason="连续半年组织周末楼道清洁志愿活动。", service_eligible=True, actor=actor)
    services.nominate(estate, unit_label=red_two, deed=Deed.MEDIATION, clause_id=None,
                      reason="调解 3 号楼漏水纠纷，邻里和好。", service_eligible=True, actor=actor)
    entry = services.record_warning(estate, unit_label=black_unit, clause_id=clauses[0].id, severity=Severity.MINOR,
                                    reason="楼道长期堆放纸箱和旧家具，占用消防通道。",
                                    warned_on=today - dt.timedelta(days=14), warned_by="业委会、物业",
                                    warned_how="当面劝阻两次并书面提醒，未清理。", subject_member_id=None,
                                    actor=actor)
    services.add_evidence(entry, content=JPEG, label="楼道照片", actor=actor)
    services.approve(entry, decision_id=decision.id, actor=actor)
    services.notify(entry, how="当面送达告知书", actor=actor)
