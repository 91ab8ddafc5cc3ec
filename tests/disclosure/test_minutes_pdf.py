"""A committee meeting's minutes as a numbered PDF (R-45 validity printed), checkable as genuine
and current, shown to owners only once posted."""

import datetime as dt

from governance_app.disclosure import services
from governance_app.extensions import db
from tests.disclosure.support import SHANGHAI, local_today, meeting, seat_members
from tests.documents.support import assert_cjk_font_embedded, check_status, flat, numbers, pdf_text


def _held_meeting(estate, committee, *, post: bool):
    members = seat_members(estate, committee, 7)
    found = meeting(estate, committee, title="业委会第 5 次会议")
    services.record_attendance(found, [m.id for m in members[:5]], local_today(), "讨论电梯维修。", committee)
    services.record_decision(found, "同意电梯维修方案", [m.id for m in members[:3]], committee)
    if post:
        services.post_meeting(found, committee)
    db.session.commit()
    return found


def test_r45_posted_minutes_pdf_prints_the_invalid_decision_and_checks_as_current(estate, committee, owner,
                                                                                   browser_of):
    found = _held_meeting(estate, committee, post=True)
    reader = browser_of(owner, "zh_CN")
    response = reader.get(f"/estates/{estate.id}/meetings/{found.id}/minutes.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert_cjk_font_embedded(response.data)
    text = flat(pdf_text(response.data))
    assert "业委会第 5 次会议" in text and "同意电梯维修方案" in text
    assert "同意电梯维修方案 甲、乙、丙（3） 无效：签字人数不足" in text  # 3 of 7 is not enough
    number = numbers(response.data)[0]
    assert check_status(reader, number) == "真实有效，且为最新版本"


def test_held_but_unposted_minutes_are_not_for_owners(estate, committee, owner, browser_of):
    found = _held_meeting(estate, committee, post=False)
    assert browser_of(owner).get(f"/estates/{estate.id}/meetings/{found.id}/minutes.pdf").status_code == 404
    assert browser_of(committee).get(f"/estates/{estate.id}/meetings/{found.id}/minutes.pdf").status_code == 200


def test_minutes_of_a_meeting_not_yet_held_do_not_exist(estate, committee, browser_of):
    seat_members(estate, committee, 7)
    found = meeting(estate, committee)
    assert browser_of(committee).get(f"/estates/{estate.id}/meetings/{found.id}/minutes.pdf").status_code == 404


def test_minutes_of_another_estate_are_404(estate, committee, other_owner, browser_of):
    found = _held_meeting(estate, committee, post=True)
    assert browser_of(other_owner).get(f"/estates/{estate.id}/meetings/{found.id}/minutes.pdf").status_code == 404


def test_r45_minutes_pdf_prints_the_discussion_the_real_hour_and_numbers_the_agenda_once(estate, committee, owner,
                                                                                        browser_of):
    members = seat_members(estate, committee, 7)
    day = local_today() + dt.timedelta(days=2)
    found = services.schedule_meeting(estate, title="业委会第 6 次会议", place="会议室",
                                      scheduled_at=dt.datetime.combine(day, dt.time(19, 30), SHANGHAI).astimezone(dt.UTC),
                                      agenda="1. 电梯维修方案\n2、停车费标准", actor=committee)
    services.record_attendance(found, [m.id for m in members[:5]], day,
                               "主任介绍了电梯维修的三家报价。\n委员们同意选择最低价。", committee)
    services.post_meeting(found, committee)
    db.session.commit()
    response = browser_of(owner, "zh_CN").get(f"/estates/{estate.id}/meetings/{found.id}/minutes.pdf")
    text = flat(pdf_text(response.data))
    assert f"{day.isoformat()} 19:30" in text and "00:00" not in text
    assert "主任介绍了电梯维修的三家报价。" in text and "委员们同意选择最低价。" in text
    assert "1. 电梯维修方案" in text and "2. 停车费标准" in text
    assert "1. 1." not in text and "2. 2、" not in text
