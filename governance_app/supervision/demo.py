"""Demo records of supervision: 桂苑 in the middle of its re-election (report, group and plan
recorded, nominations open) and 兰庭花园 whose committee's written report is overdue (R-47).
Idempotent: nothing is added once 桂苑 has a process."""
from __future__ import annotations

import datetime as dt

from ..auth import services as auth_services
from ..core import clock
from ..disclosure import services as disclosure_services
from ..disclosure.models import MemberRole
from ..estates import services as estate_services
from . import rules, services
from .models import GroupRole, Nomination, ProcessKind

COMMITTEE = ("陈某", "刘某", "杨某", "黄某", "孙某")


def _committee(estate, term_end: dt.date, actor) -> None:
    start = rules.add_months(term_end, -60) + dt.timedelta(days=1)
    for number, name in enumerate(COMMITTEE):
        disclosure_services.add_member(estate, name=name, role=MemberRole.CHAIR if number == 0 else MemberRole.MEMBER,
                                       term_start=start, term_end=term_end, pledge=None, pledge_signed_on=None,
                                       actor=actor)


def ensure_demo() -> None:
    guiyuan, lanting = estate_services.find_estate("桂苑"), estate_services.find_estate("兰庭花园")
    supervisor, staff = auth_services.find_user("supervisor"), auth_services.find_user("staff")
    if guiyuan is None or lanting is None or supervisor is None or services.processes_of(guiyuan):
        return
    today = clock.today()
    _committee(guiyuan, today + dt.timedelta(days=150), supervisor)
    process = services.start(guiyuan, ProcessKind.REELECTION, supervisor)
    services.record_report(process, today - dt.timedelta(days=40), None, "业委会换届书面报告", supervisor)
    for name, role in (("居委会 周某", GroupRole.COMMUNITY), ("党总支 吴某", GroupRole.PARTY),
                       ("业主代表 郑某", GroupRole.OWNER)):
        services.add_member(process, name, role, supervisor)
    services.record_group(process, today - dt.timedelta(days=20), None, "", supervisor)
    services.record_plan(process, seats=5, structure="楼组长 2 名，党员 2 名，青年业主 1 名", structure_by_community=True,
                         posting_days=rules.POSTING_DAYS, happened_on=today - dt.timedelta(days=10), actor=staff)
    for name, unit, source, by in (("王某", "3-201", Nomination.SELF, "本人"),
                                   ("李某", "5-502", Nomination.JOINT, "12 名业主联名"),
                                   ("张某", "1-101", Nomination.COMMUNITY, "居民委员会"),
                                   ("赵某", "8-302", Nomination.PARTY, "居民区党总支")):
        services.nominate(process, name=name, unit=unit, source=source, nominated_by=by, actor=staff)
    # 兰庭花园: the term ends in 4 months and no report came: overdue since a month.
    _committee(lanting, today + dt.timedelta(days=120), supervisor)
