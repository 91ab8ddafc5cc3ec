"""Every disclosure route, requested by every kind of visitor (R-55, R-60).

``MATRIX`` maps each (method, rule) of the disclosure blueprint to the URLs to request (ids
from the world below) and the answer for each visitor in the order of ``VISITORS``: a status
code, or for a redirect (302) the path it leads to. The estate's owners and staff of every kind
read; only the committee manages; out of scope is 404, exactly as for an id that does not
exist; anonymous visitors are sent to sign in.
"""
from __future__ import annotations

import datetime as dt
import io
from urllib.parse import urlsplit

import pytest

from governance_app.auth.models import Role
from governance_app.disclosure import services
from governance_app.disclosure.models import (
    CommitteeMember, DocumentKind, DocumentVersion, Meeting, MemberRole, Notice,
)
from governance_app.extensions import db
from tests.disclosure.support import (
    PDF, count, local_today, notice, page_forms, seat_members, utc_now, years_after,
)

VISITORS = ("anonymous", "owner", "committee_member", "committee_chair", "community_staff",
            "subdistrict_supervisor", "auditor", "other_owner", "platform_admin")
LOGIN = "/login"
NOBODY = (LOGIN, 404, 404, 404, 404, 404, 404, 404, 404)
READERS = (LOGIN, 200, 200, 200, 200, 200, 200, 404, 404)  # disclosure.view
THE_OTHER_OWNER = (LOGIN, 404, 404, 404, 404, 404, 404, 200, 404)  # 别的小区's own pages
MANAGERS = lambda answer: (LOGIN, 404, answer, answer, 404, 404, 404, 404, 404)  # noqa: E731  disclosure.manage
# A readers' POST to a page with a form shows the page again, without the form, doing nothing.
FORM_PAGE = lambda answer: (LOGIN, 200, answer, answer, 200, 200, 200, 404, 404)  # noqa: E731

#   anonymous  owner  member  chair  staff  supervisor  auditor  other estate's owner  platform admin
MATRIX: dict[tuple[str, str], dict] = {
    ("GET", "/estates/<int:estate_id>/notices"): {
        "/estates/{estate}/notices": READERS,
        "/estates/{other_estate}/notices": THE_OTHER_OWNER,
        "/estates/{missing}/notices": NOBODY,
    },
    ("POST", "/estates/<int:estate_id>/notices"): {
        "/estates/{estate}/notices": FORM_PAGE(400),  # an empty form
        "/estates/{other_estate}/notices": THE_OTHER_OWNER,
    },
    ("GET", "/estates/<int:estate_id>/notices/<int:notice_id>"): {
        "/estates/{estate}/notices/{notice}": READERS,
        "/estates/{estate}/notices/{hidden_notice}": MANAGERS(200),  # not yet showing
        "/estates/{other_estate}/notices/{notice}": NOBODY,
        "/estates/{estate}/notices/{missing}": NOBODY,
    },
    ("GET", "/estates/<int:estate_id>/notices/<int:notice_id>/attachments/<int:attachment_id>"): {
        "/estates/{estate}/notices/{notice}/attachments/{attachment}": READERS,
        "/estates/{estate}/notices/{hidden_notice}/attachments/{hidden_attachment}": MANAGERS(200),
        "/estates/{estate}/notices/{notice}/attachments/{hidden_attachment}": NOBODY,
        "/estates/{other_estate}/notices/{notice}/attachments/{attachment}": NOBODY,
    },
    ("POST", "/estates/<int:estate_id>/notices/<int:notice_id>/withdraw"): {
        "/estates/{estate}/notices/{hidden_notice}/withdraw": MANAGERS("/estates/{estate}/notices"),
        "/estates/{other_estate}/notices/{notice}/withdraw": NOBODY,
    },
    ("GET", "/estates/<int:estate_id>/documents"): {
        "/estates/{estate}/documents": READERS,
        "/estates/{other_estate}/documents": THE_OTHER_OWNER,
        "/estates/{missing}/documents": NOBODY,
    },
    ("POST", "/estates/<int:estate_id>/documents"): {
        "/estates/{estate}/documents": FORM_PAGE(400),
        "/estates/{other_estate}/documents": THE_OTHER_OWNER,
    },
    ("GET", "/estates/<int:estate_id>/documents/versions/<int:version_id>"): {
        "/estates/{estate}/documents/versions/{version}": READERS,
        "/estates/{other_estate}/documents/versions/{version}": NOBODY,
        "/estates/{estate}/documents/versions/{missing}": NOBODY,
    },
    ("GET", "/estates/<int:estate_id>/committee"): {
        "/estates/{estate}/committee": READERS,
        "/estates/{other_estate}/committee": THE_OTHER_OWNER,
        "/estates/{missing}/committee": NOBODY,
    },
    ("POST", "/estates/<int:estate_id>/committee"): {
        "/estates/{estate}/committee": FORM_PAGE(400),
        "/estates/{other_estate}/committee": THE_OTHER_OWNER,
    },
    ("GET", "/estates/<int:estate_id>/committee/<int:member_id>/pledge"): {
        "/estates/{estate}/committee/{member}/pledge": READERS,
        "/estates/{estate}/committee/{unpledged_member}/pledge": NOBODY,
        "/estates/{other_estate}/committee/{member}/pledge": NOBODY,
    },
    ("POST", "/estates/<int:estate_id>/meetings"): {
        "/estates/{estate}/meetings": MANAGERS("/estates/{estate}/committee"),  # an empty form
        "/estates/{other_estate}/meetings": NOBODY,
    },
    ("GET", "/estates/<int:estate_id>/meetings/<int:meeting_id>"): {
        "/estates/{estate}/meetings/{agenda_meeting}": READERS,
        "/estates/{estate}/meetings/{held_meeting}": MANAGERS(200),  # held, minutes not yet posted
        "/estates/{estate}/meetings/{posted_meeting}": READERS,
        "/estates/{other_estate}/meetings/{posted_meeting}": NOBODY,
        "/estates/{estate}/meetings/{missing}": NOBODY,
    },
    ("GET", "/estates/<int:estate_id>/meetings/<int:meeting_id>/minutes.pdf"): {
        "/estates/{estate}/meetings/{agenda_meeting}/minutes.pdf": NOBODY,  # not held: no minutes yet
        "/estates/{estate}/meetings/{held_meeting}/minutes.pdf": MANAGERS(200),
        "/estates/{estate}/meetings/{posted_meeting}/minutes.pdf": READERS,
        "/estates/{other_estate}/meetings/{posted_meeting}/minutes.pdf": NOBODY,
        "/estates/{estate}/meetings/{missing}/minutes.pdf": NOBODY,
    },
    ("POST", "/estates/<int:estate_id>/meetings/<int:meeting_id>/attendance"): {
        "/estates/{estate}/meetings/{agenda_meeting}/attendance":
            MANAGERS("/estates/{estate}/meetings/{agenda_meeting}"),  # an empty form
        "/estates/{other_estate}/meetings/{agenda_meeting}/attendance": NOBODY,
    },
    ("POST", "/estates/<int:estate_id>/meetings/<int:meeting_id>/decisions"): {
        "/estates/{estate}/meetings/{held_meeting}/decisions": MANAGERS("/estates/{estate}/meetings/{held_meeting}"),
        "/estates/{other_estate}/meetings/{held_meeting}/decisions": NOBODY,
    },
    ("POST", "/estates/<int:estate_id>/meetings/<int:meeting_id>/post"): {
        "/estates/{other_estate}/meetings/{held_meeting}/post": NOBODY,
        "/estates/{estate}/meetings/{held_meeting}/post": MANAGERS("/estates/{estate}/meetings/{held_meeting}"),
    },
}


def disclosure_routes(app) -> set[tuple[str, str]]:
    return {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("disclosure.")
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_disclosure_route_is_in_the_matrix(app):
    assert disclosure_routes(app) == set(MATRIX)


class World:
    """梅园小区 with a showing and a future notice (each with an attachment), a document, seven
    members with pledges and one without, and three meetings: agenda only, held, posted."""

    def __init__(self, estate, other_estate, committee, owner, other_owner, make_user):
        sub_district = estate.community.sub_district
        self.users = {
            "owner": owner,
            "committee_member": committee,
            "committee_chair": make_user(Role.COMMITTEE_CHAIR, estate, login="chair"),
            "community_staff": make_user(Role.COMMUNITY_STAFF, estate.community, login="staff"),
            "subdistrict_supervisor": make_user(Role.SUBDISTRICT_SUPERVISOR, sub_district, login="supervisor"),
            "auditor": make_user(Role.AUDITOR, sub_district, login="auditor"),
            "other_owner": other_owner,
            "platform_admin": make_user(Role.PLATFORM_ADMIN, None, login="admin"),
        }
        showing = notice(estate, committee, "停水通知", attachments=[(PDF, "a.pdf")])
        hidden = notice(estate, committee, "明天开始", starts=dt.timedelta(days=1), attachments=[(PDF + b"h", "h.pdf")])
        version = services.add_version(estate, kind=DocumentKind.MANAGEMENT_RULES, title="管理规约", content=PDF,
                                       adopted_on=dt.date(2026, 3, 1), vote_id=None, item=None, note="",
                                       actor=committee)
        members = seat_members(estate, committee, 7)
        unpledged = services.add_member(estate, name="吴昊", role=MemberRole.MEMBER,
                                        term_start=local_today() - dt.timedelta(days=10),
                                        term_end=years_after(local_today(), 4), pledge=None,
                                        pledge_signed_on=None, actor=committee)
        meetings = [services.schedule_meeting(estate, title=title, place="", agenda="议程", actor=committee,
                                              scheduled_at=utc_now() + dt.timedelta(days=2))
                    for title in ("议程", "已召开", "已公布")]
        for meeting in meetings[1:]:
            services.record_attendance(meeting, [m.id for m in members[:5]], local_today(), "纪要", committee)
        services.record_decision(meetings[2], "同意", [m.id for m in members[:4]], committee)
        services.post_meeting(meetings[2], committee)
        db.session.commit()
        self.ids = {"estate": estate.id, "other_estate": other_estate.id, "missing": 999999,
                    "notice": showing.id, "attachment": showing.attachments[0].id,
                    "hidden_notice": hidden.id, "hidden_attachment": hidden.attachments[0].id,
                    "version": version.id, "member": members[0].id, "unpledged_member": unpledged.id,
                    "agenda_meeting": meetings[0].id, "held_meeting": meetings[1].id,
                    "posted_meeting": meetings[2].id}


@pytest.fixture
def world(estate, other_estate, committee, owner, other_owner, make_user) -> World:
    return World(estate, other_estate, committee, owner, other_owner, make_user)


def answer(response) -> int | str:
    if response.status_code == 302:
        return urlsplit(response.headers["Location"]).path
    return response.status_code


@pytest.mark.parametrize("visitor", VISITORS)
def test_r55_r60_every_disclosure_route_for_every_visitor(world, browser_of, visitor):
    browser = browser_of(world.users.get(visitor))
    column = VISITORS.index(visitor)
    answers, expected = {}, {}
    for (method, _rule), urls in MATRIX.items():
        for url, row in urls.items():
            key = f"{method} {url}"
            answers[key] = answer(browser.open(url.format(**world.ids), method=method))
            wanted = row[column]
            expected[key] = wanted.format(**world.ids) if isinstance(wanted, str) else wanted
    assert answers == expected


READING = ["/estates/{estate}/notices", "/estates/{estate}/notices/{notice}", "/estates/{estate}/documents",
           "/estates/{estate}/committee", "/estates/{estate}/meetings/{agenda_meeting}"]


@pytest.mark.parametrize("visitor", ["owner", "community_staff", "subdistrict_supervisor", "auditor"])
def test_r55_readers_get_no_forms(world, browser_of, visitor):
    browser = browser_of(world.users[visitor])
    for url in READING:
        response = browser.get(url.format(**world.ids))
        assert response.status_code == 200, url
        assert page_forms(response) == [], url


@pytest.mark.parametrize("visitor", ["committee_member", "committee_chair"])
def test_the_committee_gets_the_forms(world, browser_of, visitor):
    browser = browser_of(world.users[visitor])
    forms = {url: len(page_forms(browser.get(url.format(**world.ids)))) for url in READING}
    assert forms == {"/estates/{estate}/notices": 1, "/estates/{estate}/notices/{notice}": 1,
                     "/estates/{estate}/documents": 1, "/estates/{estate}/committee": 2,
                     "/estates/{estate}/meetings/{agenda_meeting}": 1}


@pytest.mark.parametrize("visitor", ["owner", "community_staff", "subdistrict_supervisor", "auditor"])
def test_r55_a_readers_complete_form_changes_nothing(world, browser_of, visitor):
    browser = browser_of(world.users[visitor])
    before = [count(model) for model in (Notice, DocumentVersion, CommitteeMember, Meeting)]
    estate = world.ids["estate"]
    today = local_today().isoformat()
    sent = {
        f"/estates/{estate}/notices": {"kind": "announcement", "title": "冒充", "body": "x", "starts_on": today},
        f"/estates/{estate}/documents": {"kind": "other", "title": "冒充", "adopted_on": today,
                                         "file": (io.BytesIO(PDF + b"x"), "x.pdf")},
        f"/estates/{estate}/committee": {"name": "冒充", "role": "member", "term_start": "2026-01-01",
                                         "term_end": "2030-01-01"},
    }
    for url, data in sent.items():
        assert browser.post(url, data=data).status_code == 200, url
    assert [count(model) for model in (Notice, DocumentVersion, CommitteeMember, Meeting)] == before
