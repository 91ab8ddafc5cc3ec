"""The committee as owners see it: members with terms of 3 to 5 years (R-43), their signed
pledges of duty (R-44), who is current, and the candidates of an election under way with their
pledge and nomination source (R-44, R-48)."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from flask_babel import force_locale

from governance_app.core import clock as platform_clock
from governance_app.disclosure import services
from governance_app.core.refusals import message
from governance_app.disclosure.models import CommitteeMember, DisclosureError, MemberRole
from governance_app.extensions import db
from governance_app.files.models import StoredFile
from governance_app.voting import services as voting
from governance_app.voting.models import ItemKind, NominationSource, VoteState
from tests.disclosure.support import (
    PDF, count, events, flashes, fresh, local_today, location, text, years_after,
)

DAY = dt.timedelta(days=1)
TERM_START = dt.date(2026, 1, 1)
TERM_MESSAGE = "A committee term lasts 3 to 5 years (R-43)."


def member_form(pledge: bytes | None = PDF, **changes) -> dict:
    start = local_today() - 30 * DAY
    form = {"name": "周涛", "role": "member", "term_start": start.isoformat(),
            "term_end": years_after(start, 5).isoformat(), "pledge_signed_on": ""}
    if pledge is not None:
        form["pledge"] = (io.BytesIO(pledge), "承诺书.pdf")
    form.update(changes)
    return form


def add(estate, actor, name: str = "周涛", *, start: dt.date = TERM_START, end: dt.date | None = None,
        pledge: bytes | None = PDF, role: MemberRole = MemberRole.MEMBER) -> CommitteeMember:
    member = services.add_member(estate, name=name, role=role, term_start=start,
                                 term_end=end or years_after(start, 4), pledge=pledge,
                                 pledge_signed_on=start if pledge else None, actor=actor)
    db.session.commit()
    return member


# --- the term --------------------------------------------------------------------------------------
# The service measures a term in years of 365.25 days and accepts 2.9 to 5.1 of them, so that
# the usual ways of writing a term's end (the anniversary, or the day before it) both pass.

@pytest.mark.parametrize("term_end, accepted", [
    (dt.date(2028, 1, 1), False),  # 2 years
    (dt.date(2028, 6, 30), False),  # 2½ years
    (dt.date(2028, 12, 31), True),  # 3 years, ending the day before the anniversary
    (dt.date(2029, 1, 1), True),  # 3 years
    (dt.date(2030, 1, 1), True),  # 4 years
    (dt.date(2030, 12, 31), True),  # 5 years, ending the day before the anniversary
    (dt.date(2031, 1, 1), True),  # 5 years (1826 days: 2028 is a leap year)
    (dt.date(2031, 7, 1), False),  # 5½ years
    (dt.date(2032, 1, 1), False),  # 6 years
    (TERM_START, False),  # no term at all
    (dt.date(2025, 12, 31), False),  # ends before it starts
])
def test_r43_a_term_lasts_3_to_5_years(estate, committee, term_end, accepted):
    if accepted:
        assert add(estate, committee, end=term_end).term_end == term_end
        return
    with pytest.raises(DisclosureError) as refused:
        add(estate, committee, end=term_end)
    assert refused.value.reason == "term_length"


def test_r43_five_years_from_a_leap_day_is_accepted(estate, committee):
    assert add(estate, committee, start=dt.date(2028, 2, 29), end=dt.date(2033, 2, 28)).term_end.year == 2033


@pytest.mark.parametrize("years, accepted", [(2, False), (3, True), (5, True), (6, False)])
def test_r43_the_page_refuses_a_term_of_2_or_6_years_with_the_message(estate, committee, browser_of, years,
                                                                       accepted):
    start = local_today() - 30 * DAY
    response = browser_of(committee).post(f"/estates/{estate.id}/committee", data=member_form(
        term_start=start.isoformat(), term_end=years_after(start, years).isoformat()))
    if accepted:
        assert location(response) == f"/estates/{estate.id}/committee"
        assert count(CommitteeMember) == 1
        return
    assert flashes(response, "error") == [TERM_MESSAGE]
    assert (count(CommitteeMember), count(StoredFile)) == (0, 0)
    assert events("committee.member_added") == []


def test_r43_the_term_message_in_chinese(app, estate, committee):
    with pytest.raises(DisclosureError) as refused:
        add(estate, committee, end=dt.date(2028, 1, 1))
    with app.test_request_context(), force_locale("zh_CN"):
        assert message(refused.value) == "业委会任期为 3 至 5 年（R-43）。"


# --- the pledge of duty ---------------------------------------------------------------------------

def test_r44_a_members_signed_pledge_is_kept_and_downloadable_by_owners(estate, committee, owner, browser_of):
    start = local_today() - 30 * DAY
    browser = browser_of(committee)
    response = browser.post(f"/estates/{estate.id}/committee", data=member_form())
    assert "Member added." in flashes(browser.get(location(response)), "success")
    fresh()
    [member] = services.current_members(estate)
    assert member.pledge_signed_on == start  # the start of the term when no day is given
    [added] = events("committee.member_added")
    assert added.details["pledge"] is True
    browser = browser_of(owner)
    page = browser.get(f"/estates/{estate.id}/committee")
    url = f"/estates/{estate.id}/committee/{member.id}/pledge"
    assert f'href="{url}"' in page.get_data(as_text=True)
    assert f"Signed pledge of duty ({start})" in text(page)
    download = browser.get(url)
    assert (download.status_code, download.mimetype, download.data) == (200, "application/pdf", PDF)


def test_r44_a_member_without_a_pledge_is_flagged_and_has_no_pledge_file(estate, committee, owner, browser_of):
    add(estate, committee, "周涛", start=local_today() - 30 * DAY)
    without = add(estate, committee, "吴昊", start=local_today() - 30 * DAY, pledge=None)
    browser = browser_of(owner)
    page = text(browser.get(f"/estates/{estate.id}/committee"))
    assert page.count("No signed pledge of duty on file (R-44).") == 1
    assert page.index("吴昊") < page.index("No signed pledge of duty on file (R-44).") < page.index("周涛")
    assert without.pledge_file_id is None and without.pledge_signed_on is None
    assert browser.get(f"/estates/{estate.id}/committee/{without.id}/pledge").status_code == 404


def test_r44_a_pledge_that_is_no_pdf_jpeg_or_png_is_refused(estate, committee, browser_of):
    response = browser_of(committee).post(f"/estates/{estate.id}/committee", data=member_form(b"signed, honest"))
    assert flashes(response, "error") == ["Only JPEG, PNG or PDF files are accepted."]
    assert (count(CommitteeMember), count(StoredFile)) == (0, 0)


def test_r60_the_pledge_of_a_member_is_not_found_from_another_estate(estate, other_estate, committee, owner,
                                                               other_owner, browser_of):
    member = add(estate, committee, start=local_today() - 30 * DAY)
    assert browser_of(owner).get(f"/estates/{estate.id}/committee/{member.id}/pledge").status_code == 200
    theirs = browser_of(other_owner)
    assert theirs.get(f"/estates/{estate.id}/committee/{member.id}/pledge").status_code == 404
    assert theirs.get(f"/estates/{other_estate.id}/committee/{member.id}/pledge").status_code == 404


# --- who is current ----------------------------------------------------------------------------------------

def test_r43_members_whose_term_ended_or_who_left_are_not_current(estate, committee, owner, browser_of):
    today = local_today()
    add(estate, committee, "现任", start=today - 100 * DAY)
    add(estate, committee, "今天届满", start=years_after(today, -4), end=today)
    add(estate, committee, "昨天届满", start=years_after(today, -4) - DAY, end=today - DAY)
    add(estate, committee, "明天上任", start=today + DAY)
    gone = add(estate, committee, "已辞任", start=today - 100 * DAY)
    services.member_left(gone, today - 10 * DAY, committee)
    db.session.commit()
    assert sorted(m.name for m in services.current_members(estate)) == ["今天届满", "现任"]
    assert [m.name for m in services.current_members(estate, today + DAY)] == ["明天上任", "现任"]
    page = text(browser_of(owner).get(f"/estates/{estate.id}/committee"))
    assert "现任" in page and "今天届满" in page
    for name in ("昨天届满", "明天上任", "已辞任"):
        assert name not in page
    assert f"The current term ends on {today}." in page
    [left] = events("committee.member_left")
    assert left.details == {"on": (today - 10 * DAY).isoformat()}


@pytest.mark.parametrize("left_in_days, current", [(-1, False), (0, False), (1, True), (30, True)])
def test_a_member_who_leaves_is_current_until_the_day_they_leave(estate, committee, left_in_days, current):
    today = local_today()
    member = add(estate, committee, "辞任", start=today - 100 * DAY)
    services.member_left(member, today + left_in_days * DAY, committee)
    db.session.commit()
    assert (member in services.current_members(estate)) is current
    assert member not in services.current_members(estate, today + left_in_days * DAY)
    assert member in services.current_members(estate, today + (left_in_days - 1) * DAY)


def test_the_chair_is_listed_before_the_members(estate, committee, owner, browser_of):
    start = local_today() - 30 * DAY
    add(estate, committee, "阿委员", start=start)
    add(estate, committee, "周主任", start=start, role=MemberRole.CHAIR)
    page = text(browser_of(owner).get(f"/estates/{estate.id}/committee"))
    assert page.index("周主任 Chair") < page.index("阿委员 Member")


# --- candidates of an election under way (R-44, R-48) -----------------------------------------------------------

def election(estate, actor, title: str = "第二届业委会选举", *, noticed: bool = True):
    today = platform_clock.today()
    vote = voting.create_vote(estate, title=title, description="", opening_date=today + 15 * DAY,
                              last_day=today + 21 * DAY, buildings=None, actor=actor)
    item = voting.add_item(vote, kind=ItemKind.ELECTION, matter=3, title="选举业委会委员", seats=3)
    for name, source in (("甲", NominationSource.SELF), ("乙", NominationSource.JOINT),
                         ("丙", NominationSource.COMMUNITY)):
        voting.add_candidate(item, name=f"{title[:2]}{name}", nomination=source, statement="", pledge_signed=True)
    if noticed:
        voting.publish_notice(vote, actor)
    db.session.commit()
    return vote


@pytest.mark.parametrize("state", [VoteState.NOTICED, VoteState.OPEN, VoteState.CLOSED])
def test_r48_candidates_of_an_election_under_way_show_with_pledge_and_nomination_source(estate, committee, owner,
                                                                                        browser_of, state):
    vote = election(estate, committee)
    vote.state = state
    db.session.commit()
    response = browser_of(owner).get(f"/estates/{estate.id}/committee")
    page = text(response)
    assert "Candidates in the current election" in page
    assert "第二甲 self-nominated · pledge of duty signed" in page
    assert "第二乙 jointly nominated by owners · pledge of duty signed" in page
    assert "第二丙 recommended by the residents' committee · pledge of duty signed" in page
    assert response.get_data(as_text=True).count(f'href="/votes/{vote.id}"') == 3


def test_r48_the_nomination_source_shows_in_chinese(estate, committee, owner, browser_of):
    election(estate, committee)
    page = text(browser_of(owner, "zh_CN").get(f"/estates/{estate.id}/committee"))
    assert "第二甲 自荐 · 已签履职承诺" in page
    assert "第二乙 业主联名推荐 · 已签履职承诺" in page
    assert "第二丙 居委会推荐 · 已签履职承诺" in page


@pytest.mark.parametrize("state", [VoteState.DRAFT, VoteState.COUNTED, VoteState.PUBLISHED])
def test_candidates_of_a_draft_or_counted_election_are_not_shown(estate, committee, owner, browser_of, state):
    vote = election(estate, committee, noticed=state != VoteState.DRAFT)
    vote.state = state
    db.session.commit()
    page = text(browser_of(owner).get(f"/estates/{estate.id}/committee"))
    assert "Candidates in the current election" not in page and "第二甲" not in page


def test_candidates_of_another_estates_election_are_not_shown(estate, other_estate, committee, owner, browser_of):
    election(other_estate, committee, "别处选举")
    page = text(browser_of(owner).get(f"/estates/{estate.id}/committee"))
    assert "Candidates in the current election" not in page and "别处" not in page
