"""Committee-meeting minutes drawn from a plain MeetingMinutesView, as the package that keeps the
meetings will call it; with no way registered to rebuild a meeting, the check says only "genuine"."""
from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from governance_app.documents import services
from governance_app.documents.models import DocumentKind
from governance_app.documents.values import MeetingMinutesView, MinutesDecision
from governance_app.extensions import db
from tests.documents.support import (
    CURRENT, GENUINE, SUPERSEDED, assert_cjk_font_embedded, check_status, flat, numbers, pdf_text,
)

MEMBERS = ("甲", "乙", "丙", "丁", "戊", "己", "庚")


def _view(**changes) -> MeetingMinutesView:
    view = MeetingMinutesView(
        estate="梅园小区", title="第三次业委会会议", place="小区会所二楼",
        held_at=dt.datetime(2026, 9, 3, 19, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
        members_present=MEMBERS[:5], members_absent=MEMBERS[5:],
        agenda=("审议电梯维修方案", "审议停车费收支"),
        decisions=(MinutesDecision("同意电梯维修方案，报业主大会表决", ("甲", "乙", "丙", "丁"), True),
                   MinutesDecision("调整停车费标准", ("甲", "乙", "丙"), False)))
    return dataclasses.replace(view, **changes)


def test_r45_figures_of_the_view():
    view = _view()
    assert view.member_count == 7 and view.quorate and view.signatures_needed == 4
    assert not _view(members_present=MEMBERS[:3], members_absent=MEMBERS[3:]).quorate
    assert _view(members_present=MEMBERS[:4], members_absent=MEMBERS[4:]).quorate  # 4 of 7: more than half
    assert _view(members_present=MEMBERS[:3], members_absent=MEMBERS[3:6]).signatures_needed == 4  # 6 members
    assert view.data()["signature_blocks"] == list(MEMBERS[:5])  # by default those present sign


@pytest.fixture
def minutes(app, estate, committee):
    """Minutes with no way registered to rebuild a meeting (disclosure registers one at import:
    it is set aside for the test and put back after)."""
    kept = services._SOURCES.pop(DocumentKind.MEETING_MINUTES, None)
    with app.test_request_context():
        content = services.meeting_minutes_pdf(_view(), estate_id=estate.id, meeting_id=41, actor=committee)
        db.session.commit()
    yield content
    services._SOURCES.pop(DocumentKind.MEETING_MINUTES, None)
    if kept is not None:
        services.register_current_source(DocumentKind.MEETING_MINUTES, kept)


def test_the_minutes_show_attendance_agenda_decisions_and_signatures(minutes):
    assert_cjk_font_embedded(minutes)
    text = flat(pdf_text(minutes))
    assert "梅园小区业主委员会会议纪要" in text and "第三次业委会会议" in text
    assert "2026-09-03 19:30" in text and "小区会所二楼" in text
    assert "甲、乙、丙、丁、戊" in text and "7 人中 5 人出席" in text and "己、庚" in text
    assert "过半数委员出席：达到" in text
    assert "审议电梯维修方案" in text and "审议停车费收支" in text
    assert "R-45：决定须经全体委员过半数签字，即 7 名委员中至少 4 人签字。" in text
    assert "同意电梯维修方案，报业主大会表决" in text and "调整停车费标准" in text
    assert "无效：签字人数不足" in text
    assert "第 1 页 共" in text and numbers(minutes)


def test_minutes_check_as_genuine_and_as_current_once_a_source_is_registered(minutes, client):
    number = numbers(minutes)[0]
    assert check_status(client, number) == GENUINE
    meetings = {41: _view()}
    services.register_current_source(DocumentKind.MEETING_MINUTES, meetings.get)
    assert check_status(client, number) == CURRENT
    meetings[41] = _view(decisions=_view().decisions[:1])  # a decision removed afterwards
    assert check_status(client, number) == SUPERSEDED
    del meetings[41]  # the meeting is gone
    assert check_status(client, number) == SUPERSEDED
