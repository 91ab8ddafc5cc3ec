"""Committee meetings: the agenda posted in advance, attendance with a quorum, decisions valid
only with the signatures of more than half of all members (R-45), and posting within 3 days
after which nothing changes (R-42)."""
from __future__ import annotations

import datetime as dt

import pytest

from governance_app.auth.models import Role
from governance_app.core import clock as platform_clock
from governance_app.disclosure import services
from governance_app.disclosure.models import Decision, Meeting
from governance_app.extensions import db
from tests.disclosure.support import (
    SHANGHAI, count, events, flashes, form_time, fresh, ids, local_today, location, page_forms, seat_members,
    text, utc_now,
)

DAY = dt.timedelta(days=1)
POSTED = "The minutes are posted and can no longer change."
NOT_MEMBERS = "Only members of the committee can attend or sign."


@pytest.fixture
def seven(estate, committee):
    """Seven members, 甲 (the chair) to 庚."""
    return seat_members(estate, committee, 7)


@pytest.fixture
def chair(committee, browser_of):
    return browser_of(committee)


def schedule(browser, estate, at: dt.datetime, **changes):
    form = {"title": "业委会第 5 次会议", "place": "会议室", "scheduled_at": form_time(at), "agenda": "1. 电梯维修方案"}
    form.update(changes)
    return browser.post(f"/estates/{estate.id}/meetings", data=form)


def scheduled(browser, estate, at: dt.datetime | None = None) -> int:
    response = schedule(browser, estate, at or utc_now() + 2 * DAY)
    assert response.status_code == 302
    return int(location(response).rsplit("/", 1)[1])


def attend(browser, estate, meeting_id: int, present, held_on: dt.date | None = None, minutes: str = "讨论了电梯维修。"):
    return browser.post(f"/estates/{estate.id}/meetings/{meeting_id}/attendance",
                        data={"present": ids(present),
                              "held_on": (held_on or local_today()).isoformat(), "minutes": minutes},
                        follow_redirects=True)


def decide(browser, estate, meeting_id: int, signers, decision: str = "同意电梯维修方案"):
    return browser.post(f"/estates/{estate.id}/meetings/{meeting_id}/decisions",
                        data={"text": decision, "signers": ids(signers)},
                        follow_redirects=True)


def post(browser, estate, meeting_id: int):
    return browser.post(f"/estates/{estate.id}/meetings/{meeting_id}/post", follow_redirects=True)


def stored(meeting_id: int) -> Meeting:
    fresh()
    return db.session.get(Meeting, meeting_id)


def held(browser, estate, members, present: int = 5, held_on: dt.date | None = None) -> int:
    meeting_id = scheduled(browser, estate)
    attend(browser, estate, meeting_id, members[:present], held_on)
    assert stored(meeting_id).present == sorted(m.id for m in members[:present])
    return meeting_id


# --- the agenda -----------------------------------------------------------------------------------------

def test_the_agenda_is_posted_for_a_meeting_in_the_future(estate, seven, chair, owner, browser_of):
    at = utc_now() + 2 * DAY
    response = schedule(chair, estate, at)
    meeting_id = int(location(response).rsplit("/", 1)[1])
    assert location(response) == f"/estates/{estate.id}/meetings/{meeting_id}"
    assert "The agenda is posted." in flashes(chair.get(location(response)), "success")
    meeting = stored(meeting_id)
    assert sorted(meeting.members) == [m.id for m in seven]
    assert (meeting.present, meeting.held_on, meeting.posted_at) == (None, None, None)
    assert platform_clock.aware(meeting.scheduled_at) == at.replace(second=0, microsecond=0)
    [event] = events("meeting.scheduled")
    assert (event.object_id, event.details["title"]) == (str(meeting_id), "业委会第 5 次会议")
    page = text(browser_of(owner).get(f"/estates/{estate.id}/meetings/{meeting_id}"))
    assert "1. 电梯维修方案" in page and form_time(at).replace("T", " ") in page


@pytest.mark.parametrize("ago", [dt.timedelta(hours=1), dt.timedelta(days=3)])
def test_an_agenda_for_a_time_already_past_is_refused(estate, seven, chair, ago):
    response = schedule(chair, estate, utc_now() - ago)
    assert location(response) == f"/estates/{estate.id}/committee"
    assert flashes(chair.get(location(response)), "error") == [
        "The agenda is posted in advance: choose a time in the future."]
    assert count(Meeting) == 0
    assert events("meeting.scheduled") == []


def test_no_meeting_without_members(estate, chair):
    response = schedule(chair, estate, utc_now() + 2 * DAY)
    assert flashes(chair.get(location(response)), "error") == ["Add the committee's members first."]
    assert count(Meeting) == 0


def test_an_incomplete_meeting_form_is_refused(estate, seven, chair):
    response = schedule(chair, estate, utc_now() + 2 * DAY, agenda="")
    assert flashes(chair.get(location(response)), "error") == ["Give the meeting a title, a time and an agenda."]
    assert count(Meeting) == 0


def test_the_members_of_a_meeting_are_those_serving_on_its_day_in_shanghai(estate, committee, chair):
    """A meeting at 07:30 in Shanghai is on the previous day in UTC: the members are those of the
    Shanghai day, which is the day the term dates are written in."""
    first_day = local_today() + 10 * DAY
    members = seat_members(estate, committee, 5, start=first_day)
    at = dt.datetime.combine(first_day, dt.time(7, 30), SHANGHAI)
    meeting_id = scheduled(chair, estate, at)
    assert sorted(stored(meeting_id).members) == [m.id for m in members]


# --- attendance: the quorum (R-45) ------------------------------------------------------------------------

@pytest.mark.parametrize("language, message", [
    ("en", "Not a valid meeting: 3 of 7 members present; more than half (4) must be present (R-45)."),
    ("zh_CN", "会议无效：7 名委员中 3 名出席；须过半数（4 名）出席（R-45）。"),
])
def test_r45_attendance_without_quorum_is_refused_naming_the_numbers(estate, seven, committee, browser_of,
                                                                     language, message):
    browser = browser_of(committee, language)
    meeting_id = scheduled(browser, estate)
    response = attend(browser, estate, meeting_id, seven[:3])
    assert flashes(response, "error") == [message]
    meeting = stored(meeting_id)
    assert (meeting.present, meeting.held_on, meeting.minutes) == (None, None, "")
    assert events("meeting.held") == []


def test_r45_attendance_of_more_than_half_is_recorded(estate, seven, chair):
    meeting_id = scheduled(chair, estate)
    response = attend(chair, estate, meeting_id, reversed(seven[:4]), held_on=local_today())
    assert "Attendance recorded." in flashes(response, "success")
    meeting = stored(meeting_id)
    assert meeting.present == sorted(m.id for m in seven[:4])
    assert (meeting.held_on, meeting.minutes) == (local_today(), "讨论了电梯维修。")
    assert events("meeting.held")[0].details == {"present": 4, "members": 7}
    assert "Present 4: 甲, 乙, 丙, 丁" in text(response)


def test_r45_a_member_ticked_twice_counts_once_for_the_quorum(estate, seven, chair):
    meeting_id = scheduled(chair, estate)
    response = attend(chair, estate, meeting_id, [*seven[:3], seven[0], seven[1]])
    assert flashes(response, "error") == [
        "Not a valid meeting: 3 of 7 members present; more than half (4) must be present (R-45)."]
    assert stored(meeting_id).present is None


def test_r45_half_of_six_members_is_no_quorum(estate, committee, chair):
    six = seat_members(estate, committee, 6)
    meeting_id = scheduled(chair, estate)
    assert flashes(attend(chair, estate, meeting_id, six[:3]), "error") == [
        "Not a valid meeting: 3 of 6 members present; more than half (4) must be present (R-45)."]
    assert "Attendance recorded." in flashes(attend(chair, estate, meeting_id, six[:4]), "success")


def test_attendance_of_someone_who_is_not_a_member_of_the_meeting_is_refused(estate, other_estate, seven,
                                                                             committee, chair):
    meeting_id = scheduled(chair, estate)
    stranger = seat_members(other_estate, committee, 1)[0]
    late = seat_members(estate, committee, 1)[0]  # joined after the agenda was posted
    for outsider in (stranger, late, 999999):
        response = attend(chair, estate, meeting_id, [*seven[:5], outsider])
        assert flashes(response, "error") == [NOT_MEMBERS]
        assert stored(meeting_id).present is None
    assert events("meeting.held") == []


# --- decisions (R-45) -------------------------------------------------------------------------------------

@pytest.mark.parametrize("language, message, shown", [
    ("en", "Recorded as NOT valid: only 3 of 7 members signed; a decision needs the signatures of more than half "
           "of all members, 4 (R-45).", "Not valid: 3 of 7 members signed; 4 are needed (R-45)."),
    ("zh_CN", "已登记为不生效：7 名委员中只有 3 名委员签名；决定须经全体委员过半数签字，即 4 名（R-45）。",
     "不生效：7 名委员中 3 名签名，需要 4 名（R-45）。"),
])
def test_r45_seven_members_five_present_three_sign_is_recorded_not_valid(estate, seven, committee, browser_of,
                                                                         language, message, shown):
    browser = browser_of(committee, language)
    meeting_id = held(browser, estate, seven, present=5)
    response = decide(browser, estate, meeting_id, seven[:3])
    assert flashes(response, "error") == [message]
    fresh()
    [decision] = db.session.query(Decision).all()
    assert (decision.meeting_id, decision.signers, decision.valid) == (meeting_id, [m.id for m in seven[:3]], False)
    assert 'class="outcome outcome-failed"' in response.get_data(as_text=True)
    assert shown in text(response)
    assert events("meeting.decision")[0].details == {"decision": decision.id, "signers": 3, "members": 7,
                                                     "valid": False}


def test_r45_four_of_seven_signatures_make_a_valid_decision(estate, seven, chair):
    meeting_id = held(chair, estate, seven, present=5)
    response = decide(chair, estate, meeting_id, seven[:4])
    assert flashes(response, "success") == ["Decision recorded: signed by 4 of 7 members, valid (R-45)."]
    fresh()
    [decision] = db.session.query(Decision).all()
    assert decision.valid
    assert "Valid: 4 of 7 members signed (R-45)." in text(response)
    assert "Signed by 甲, 乙, 丙, 丁" in text(response)


def test_r45_the_signatures_of_all_members_count_not_only_of_those_present(estate, seven, chair):
    meeting_id = held(chair, estate, seven, present=4)
    decide(chair, estate, meeting_id, [*seven[:3], seven[6]])  # 庚 was absent and signed later
    fresh()
    assert db.session.query(Decision).one().valid


def test_r45_a_signature_given_twice_counts_once(estate, seven, chair):
    meeting_id = held(chair, estate, seven)
    response = decide(chair, estate, meeting_id, [*seven[:3], seven[0], seven[2]])
    assert flashes(response, "error")[0].startswith("Recorded as NOT valid: only 3 of 7 members signed")
    fresh()
    assert db.session.query(Decision).one().signers == sorted(m.id for m in seven[:3])


def test_signers_who_are_not_members_of_the_meeting_are_refused(estate, other_estate, seven, committee, chair):
    meeting_id = held(chair, estate, seven)
    stranger = seat_members(other_estate, committee, 1)[0]
    late = seat_members(estate, committee, 1)[0]
    for outsider in (stranger, late, 999999):
        response = decide(chair, estate, meeting_id, [*seven[:4], outsider])
        assert flashes(response, "error") == [NOT_MEMBERS]
    assert count(Decision) == 0
    assert events("meeting.decision") == []


def test_a_decision_needs_the_attendance_first(estate, seven, chair):
    meeting_id = scheduled(chair, estate)
    assert flashes(decide(chair, estate, meeting_id, seven[:4]), "error") == ["Record the attendance first."]
    assert flashes(post(chair, estate, meeting_id), "error") == ["Record the attendance first."]
    assert count(Decision) == 0
    assert stored(meeting_id).posted_at is None


# --- posting and what it freezes -------------------------------------------------------------------------

def test_r42_posting_publishes_the_minutes_and_then_nothing_can_change(estate, seven, chair, owner, browser_of):
    meeting_id = held(chair, estate, seven, present=5)
    decide(chair, estate, meeting_id, seven[:4])
    response = post(chair, estate, meeting_id)
    assert flashes(response, "success") == ["The minutes and decisions are posted to the estate."]
    before = stored(meeting_id)
    posted_at, present, held_on = before.posted_at, list(before.present), before.held_on
    assert posted_at is not None
    assert events("meeting.posted")[0].details == {"overdue": False}
    assert page_forms(response) == []  # the committee's forms are gone too

    assert flashes(attend(chair, estate, meeting_id, seven, held_on=local_today() - DAY), "error") == [POSTED]
    assert flashes(decide(chair, estate, meeting_id, seven), "error") == [POSTED]
    assert flashes(post(chair, estate, meeting_id), "error") == [POSTED]
    after = stored(meeting_id)
    assert (after.posted_at, after.present, after.held_on) == (posted_at, present, held_on)
    assert count(Decision) == 1
    assert [len(events(action)) for action in ("meeting.held", "meeting.decision", "meeting.posted")] == [1, 1, 1]

    page = text(browser_of(owner).get(f"/estates/{estate.id}/meetings/{meeting_id}"))
    assert "讨论了电梯维修。" in page and "同意电梯维修方案" in page
    assert "Valid: 4 of 7 members signed (R-45)." in page


@pytest.fixture
def three_meetings(estate, seven, chair):
    """An agenda only, a meeting held but not posted, and a posted one."""
    agenda = scheduled(chair, estate, utc_now() + 3 * DAY)
    unposted = held(chair, estate, seven)
    posted = held(chair, estate, seven)
    post(chair, estate, posted)
    return {"agenda": agenda, "unposted": unposted, "posted": posted}


@pytest.mark.parametrize("reader", ["owner", "staff"])
def test_r55_held_meetings_are_hidden_from_readers_until_posted(estate, three_meetings, owner, make_user, browser_of,
                                                           reader):
    user = owner if reader == "owner" else make_user(Role.COMMUNITY_STAFF, estate.community, login="staff")
    browser = browser_of(user)
    for key, wanted in (("agenda", 200), ("unposted", 404), ("posted", 200)):
        assert browser.get(f"/estates/{estate.id}/meetings/{three_meetings[key]}").status_code == wanted, key
    page = browser.get(f"/estates/{estate.id}/committee").get_data(as_text=True)
    listed = {key for key, meeting_id in three_meetings.items() if f"/meetings/{meeting_id}\"" in page}
    assert listed == {"agenda", "posted"}
    assert "held, minutes not yet posted" not in page


def test_the_committee_sees_every_meeting_with_its_stage(estate, three_meetings, chair):
    for meeting_id in three_meetings.values():
        assert chair.get(f"/estates/{estate.id}/meetings/{meeting_id}").status_code == 200
    page = text(chair.get(f"/estates/{estate.id}/committee"))
    assert page.count("agenda posted") == 1
    assert page.count("held, minutes not yet posted") == 1
    assert page.count("· minutes posted") == 1


@pytest.mark.parametrize("days_later, overdue", [(0, False), (3, False), (4, True), (10, True)])
def test_r42_posting_is_flagged_overdue_after_three_days(estate, seven, chair, monkeypatch, days_later, overdue):
    held_on = local_today() - 20 * DAY
    meeting_id = held(chair, estate, seven, held_on=held_on)
    monkeypatch.setattr(platform_clock, "today", lambda: held_on + days_later * DAY)
    page = text(chair.get(f"/estates/{estate.id}/meetings/{meeting_id}"))
    flag = f"Posting is overdue: decisions are posted within 3 days (R-42), by {held_on + 3 * DAY}."
    assert (flag in page) is overdue
    post(chair, estate, meeting_id)
    assert events("meeting.posted")[0].details == {"overdue": overdue}
    assert "Posting is overdue" not in text(chair.get(f"/estates/{estate.id}/meetings/{meeting_id}"))
