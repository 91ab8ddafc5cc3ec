"""The home page per person (issue 14): what waits for them, most urgent first, one tap to act."""
from __future__ import annotations

import datetime as dt
import re
import time

from governance_app.auth.models import Role
from governance_app.core import clock as platform
from governance_app.core import duties, home
from governance_app.disclosure import services as disclosure_services
from governance_app.disclosure.models import NoticeKind
from governance_app.extensions import db
from governance_app.voting import services
from tests.conftest import PASSWORD
from tests.voting.conftest import make_draft, open_it
from tests.support.site import page_client, text


def waiting(page) -> list[str]:
    """The kinds of the waiting items, in the order shown."""
    return re.findall(r'data-kind="([^"]+)"', page.get_data(as_text=True))


def test_an_owner_sees_the_open_vote_they_have_not_voted_in_and_reaches_its_ballot_in_one_tap(
        estate, committee, owner_of, clock, browser):
    vote = make_draft(estate, committee, title="加装电梯")
    open_it(vote, committee, clock)
    owner = owner_of("1-103")
    page = browser(owner).get("/")
    assert waiting(page) == ["voting.ballot"]
    body = page.get_data(as_text=True)
    voter = services.mandates(owner, vote)[0].voter
    assert f'href="/votes/{vote.id}/ballot?voter={voter}"' in body
    last_day = (platform.local_date(vote.closes_at) - dt.timedelta(days=1)).isoformat()
    assert last_day in text(page)


def test_a_vote_already_voted_in_is_no_longer_waiting(estate, committee, owner_of, clock, browser):
    vote = make_draft(estate, committee)
    open_it(vote, committee, clock)
    owner = owner_of("1-103")
    mandate = services.mandates(owner, vote)[0]
    assert services.cast_online(vote, owner, mandate, {"i1": "approve", "i2": None})
    db.session.commit()
    assert "voting.ballot" not in waiting(browser(owner).get("/"))


def test_a_noticed_vote_not_yet_open_is_not_offered_for_voting(estate, committee, owner_of, clock, browser):
    vote = make_draft(estate, committee)
    services.publish_notice(vote, committee)
    db.session.commit()
    assert "voting.ballot" not in waiting(browser(owner_of("1-103")).get("/"))


def test_unread_notices_wait_until_read(estate, committee, owner_of, clock, browser):
    notice = disclosure_services.publish_notice(
        estate, kind=NoticeKind.ANNOUNCEMENT, title="停水通知", body="明天停水。",
        starts_at=platform.now() - dt.timedelta(hours=1), ends_at=None, pinned=False, attachments=[],
        actor=committee)
    db.session.commit()
    client = browser(owner_of("1-103"))
    assert waiting(client.get("/")) == ["disclosure.notice"]
    assert client.get(f"/estates/{estate.id}/notices/{notice.id}").status_code == 200
    assert waiting(client.get("/")) == []


def test_the_committee_sees_its_drafts_and_its_duties_most_urgent_first(
        estate, make_estate, committee, clock, browser, monkeypatch):
    """Duties come only from core.duties: a source registered here shows on the home page of the
    estate's committee (its own duties), not of another estate's."""
    today = platform.today()
    elsewhere = make_estate("桃园小区", "桃园居民区")
    every = [
        duties.Duty(today - dt.timedelta(days=1), estate.id, "test.overdue", "公示表决结果", "/x", "R-42"),
        duties.Duty(today + dt.timedelta(days=30), estate.id, "test.later", "备案", "/y", "R-46"),
        duties.Duty(today, estate.id, "test.staff_only", "街道检查", "/z", who="staff"),
        duties.Duty(today, elsewhere.id, "test.elsewhere", "别处", "/w"),
    ]
    monkeypatch.setitem(duties._sources, "test.duties",
                        lambda ids, day: [duty for duty in every if duty.estate_id in ids])
    draft = make_draft(estate, committee)  # its notice is due in 0 days (it opens in 15)
    kinds = waiting(browser(committee).get("/"))
    assert kinds == ["test.overdue", "voting.draft", "test.later"]
    page = browser(committee).get("/")
    assert f'href="/votes/{draft.id}"' in page.get_data(as_text=True)
    assert "Overdue since" in text(page) or "逾期" in text(page)


def test_staff_see_the_duties_of_the_estates_in_their_scope_only(
        estate, make_estate, make_user, clock, browser, monkeypatch):
    today = platform.today()
    elsewhere = make_estate("西园小区", "西园居民区", "西街道")
    monkeypatch.setitem(duties._sources, "test.duties", lambda ids, day: [
        duties.Duty(today, estate_id, f"test.duty-{estate_id}", "公示", "/x") for estate_id in ids])
    staff = make_user(Role.COMMUNITY_STAFF, estate.community, login="staff")
    assert waiting(browser(staff).get("/")) == [f"test.duty-{estate.id}"]
    assert elsewhere.id != estate.id


def test_a_package_adds_its_own_waiting_items_without_the_home_page_importing_it(
        estate, owner_of, browser, monkeypatch):
    monkeypatch.setitem(home._sources, "test.survey", lambda user, today: [
        home.Waiting(title="物业满意度调查", link="/surveys/1", action="参加", kind="test.survey")])
    page = browser(owner_of("1-103")).get("/")
    assert waiting(page) == ["test.survey"]
    assert 'href="/surveys/1"' in page.get_data(as_text=True)


def test_signing_in_lands_on_the_home_page(app, estate, owner_of):
    owner = owner_of("1-103")
    client = page_client(app)
    client.post("/login", data={"login": owner.login, "password": PASSWORD})
    response = client.post("/login/verify", data={"code": owner.totp.code_at(int(time.time()))})
    assert (response.status_code, response.location) == (302, "/")


def test_supervisors_find_their_dashboard_from_the_home_page_and_owners_do_not(estate, make_user, owner_of, browser):
    """Issue 17: the sub-district's dashboard is one tap from the home page of staff who supervise."""
    staff = make_user(Role.COMMUNITY_STAFF, estate.community, login="staff")
    assert 'href="/supervision/"' in browser(staff).get("/").get_data(as_text=True)
    assert 'href="/supervision/"' not in browser(owner_of("1-103")).get("/").get_data(as_text=True)
