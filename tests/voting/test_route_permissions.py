"""Every voting route, requested by every kind of visitor, for votes at every stage.

``MATRIX`` maps each (method, rule) of the voting blueprint to the URLs to request (ids from
the world below; for a POST, the form to send) and the answer for each visitor in the order of
``VISITORS``: a status code, or for a redirect (302) the path it leads to. Out of scope is 404,
exactly as for an id that does not exist; anonymous visitors are sent to sign in.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from governance_app.auth.models import Role
from governance_app.extensions import db
from governance_app.files import services as files
from governance_app.voting import services
from tests.conftest import owner_row
from tests.support.site import (
    JPEG, account_of, cast, close_vote, estate_with_roll, new_vote, notice_and_open, page_client,
)

VISITORS = ("anonymous", "owner", "committee_member", "community_staff", "subdistrict_supervisor", "auditor",
            "other_owner")
LOGIN = "/login"
NOBODY = (LOGIN, 404, 404, 404, 404, 404, 404)
READERS = (LOGIN, 200, 200, 200, 200, 200, 404)  # vote.view: the estate's owners and staff of every kind
ONLY_MANAGERS = lambda answer: (LOGIN, 404, answer, 404, 404, 404, 404)  # noqa: E731  vote.manage
PAPER_STAFF = lambda answer: (LOGIN, 404, answer, answer, 404, 404, 404)  # noqa: E731  vote.record_paper
AUDITORS = (LOGIN, 404, 404, 404, 200, 200, 404)  # vote.inspect
# A POST that starts a job leads to the job's page, whose id is new each time.
STARTS_A_JOB = "/jobs/<new>"
STARTS_JOB_FOR_AUDITORS = (LOGIN, 404, 404, 404, STARTS_A_JOB, STARTS_A_JOB, 404)
THE_VOTER = lambda answer: (LOGIN, answer, 404, 404, 404, 404, 404)  # noqa: E731  a mandate for {voter}

#   anonymous  owner  committee  staff  supervisor  auditor  other estate's owner
MATRIX: dict[tuple[str, str], dict] = {
    ("GET", "/estates/<int:estate_id>/votes"): {
        "/estates/{estate}/votes": READERS,
        "/estates/{other_estate}/votes": (LOGIN, 404, 404, 404, 404, 404, 200),
        "/estates/{missing}/votes": NOBODY,
    },
    ("GET", "/estates/<int:estate_id>/votes/new"): {
        "/estates/{estate}/votes/new": ONLY_MANAGERS(200),
        "/estates/{other_estate}/votes/new": NOBODY,
    },
    ("POST", "/estates/<int:estate_id>/votes/new"): {
        "/estates/{estate}/votes/new": ONLY_MANAGERS(400),  # an empty form
        "/estates/{other_estate}/votes/new": NOBODY,
    },
    ("GET", "/estates/<int:estate_id>/votes/settings"): {
        "/estates/{estate}/votes/settings": ONLY_MANAGERS(200),
        "/estates/{other_estate}/votes/settings": NOBODY,
    },
    ("POST", "/estates/<int:estate_id>/votes/settings"): {
        "/estates/{estate}/votes/settings": ONLY_MANAGERS("/estates/{estate}/votes"),
        "/estates/{other_estate}/votes/settings": NOBODY,
    },
    ("GET", "/votes/<int:vote_id>"): {
        "/votes/{draft}": ONLY_MANAGERS(200),  # drafts only for those who manage votes
        "/votes/{open}": READERS,
        "/votes/{counted}": READERS,
        "/votes/{missing}": NOBODY,
    },
    ("POST", "/votes/<int:vote_id>/items"): {
        "/votes/{open}/items": ONLY_MANAGERS("/votes/{open}"),
        "/votes/{draft}/items": ONLY_MANAGERS(400),  # the page again, with what was typed (issue 14)
    },
    ("POST", "/votes/<int:vote_id>/items/<int:position>/candidates"): {
        "/votes/{draft}/items/3/candidates": ONLY_MANAGERS(400),
        "/votes/{draft}/items/9/candidates": ONLY_MANAGERS(404),
    },
    # --- issue 14: correcting drafts, and confirmation pages (only drafts can be corrected) ---
    ("GET", "/votes/<int:vote_id>/edit"): {
        "/votes/{open}/edit": ONLY_MANAGERS(404),
        "/votes/{draft}/edit": ONLY_MANAGERS(200),
    },
    ("POST", "/votes/<int:vote_id>/edit"): {
        "/votes/{open}/edit": ONLY_MANAGERS(404),
        "/votes/{draft}/edit": ONLY_MANAGERS(400),  # an empty form
    },
    ("GET", "/votes/<int:vote_id>/items/<int:position>/edit"): {
        "/votes/{open}/items/1/edit": ONLY_MANAGERS(404),
        "/votes/{draft}/items/9/edit": ONLY_MANAGERS(404),
        "/votes/{draft}/items/1/edit": ONLY_MANAGERS(200),
    },
    ("POST", "/votes/<int:vote_id>/items/<int:position>/edit"): {
        "/votes/{open}/items/1/edit": ONLY_MANAGERS(404),
        "/votes/{draft}/items/1/edit": ONLY_MANAGERS(400),  # an empty form
    },
    ("GET", "/votes/<int:vote_id>/items/<int:position>/candidates/<int:number>/edit"): {
        "/votes/{open}/items/3/candidates/1/edit": ONLY_MANAGERS(404),
        "/votes/{draft}/items/1/candidates/1/edit": ONLY_MANAGERS(404),  # a resolution has no candidate
        "/votes/{draft}/items/3/candidates/1/edit": ONLY_MANAGERS(200),
    },
    ("POST", "/votes/<int:vote_id>/items/<int:position>/candidates/<int:number>/edit"): {
        "/votes/{open}/items/3/candidates/1/edit": ONLY_MANAGERS(404),
        "/votes/{draft}/items/3/candidates/1/edit": ONLY_MANAGERS(400),  # an empty form
    },
    ("GET", "/votes/<int:vote_id>/items/<int:position>/candidates/<int:number>/photo"): {
        "/votes/{open}/items/3/candidates/1/photo": READERS,  # whoever sees the vote sees the ballot's photos
        "/votes/{open}/items/3/candidates/2/photo": NOBODY,  # no photo
        "/votes/{draft}/items/3/candidates/1/photo": NOBODY,
    },
    ("GET", "/votes/<int:vote_id>/notice"): {
        "/votes/{open}/notice": ONLY_MANAGERS(404),  # published already
        "/votes/{draft}/notice": ONLY_MANAGERS(200),
    },
    ("POST", "/votes/<int:vote_id>/notice"): {
        "/votes/{open}/notice": ONLY_MANAGERS("/votes/{open}"),
        "/votes/{draft}/notice": ONLY_MANAGERS("/votes/{draft}"),
    },
    ("GET", "/votes/<int:vote_id>/ballot"): {
        "/votes/{open}/ballot": NOBODY,  # no voter named
        "/votes/{open}/ballot?voter={voter}": THE_VOTER(200),
        "/votes/{counted}/ballot?voter={voter}": THE_VOTER("/votes/{counted}/receipt"),  # already cast
    },
    ("POST", "/votes/<int:vote_id>/ballot"): {
        "/votes/{open}/ballot?voter={voter}": THE_VOTER(200),  # the review page
    },
    ("POST", "/votes/<int:vote_id>/ballot/confirm"): {
        ("/votes/{open}/ballot/confirm", "voter"): THE_VOTER(400),  # no code
        ("/votes/{counted}/ballot/confirm", "voter"): THE_VOTER("/votes/{counted}/receipt"),
    },
    ("GET", "/votes/<int:vote_id>/receipt"): {
        "/votes/{counted}/receipt?voter={voter}": THE_VOTER(200),
        "/votes/{open}/receipt?voter={voter}": THE_VOTER(404),  # nothing cast there yet
    },
    ("GET", "/votes/<int:vote_id>/board"): {
        "/votes/{open}/board": READERS,
        "/votes/{counted}/board": READERS,
    },
    ("GET", "/votes/<int:vote_id>/paper"): {
        "/votes/{open}/paper": PAPER_STAFF(200),
        "/votes/{draft}/paper": ONLY_MANAGERS(200),  # the committee sees a draft; staff do not
    },
    ("POST", "/votes/<int:vote_id>/paper"): {
        "/votes/{open}/paper": PAPER_STAFF(400),  # an empty form
    },
    ("POST", "/votes/<int:vote_id>/paper/<int:entry_id>/<any(confirm, reject):decision>"): {
        "/votes/{open}/paper/{entry}/confirm": PAPER_STAFF(404),  # the entry belongs to another vote
        "/votes/{counted}/paper/{entry}/confirm": PAPER_STAFF("/votes/{counted}/paper"),  # already decided
        "/votes/{counted}/paper/{entry}/reject": PAPER_STAFF("/votes/{counted}/paper"),
    },
    ("GET", "/votes/<int:vote_id>/paper/<int:entry_id>"): {
        # Only staff who may confirm a waiting entry see it; this one is decided.
        "/votes/{counted}/paper/{entry}": NOBODY,
        "/votes/{open}/paper/{entry}": NOBODY,
    },
    ("GET", "/votes/<int:vote_id>/paper/<int:entry_id>/scan"): {
        # A recorded ballot's scan shows how the owner voted: supervisors and auditors only.
        "/votes/{counted}/paper/{entry}/scan": (LOGIN, 404, 404, 404, 200, 200, 404),
        "/votes/{open}/paper/{entry}/scan": (LOGIN, 404, 404, 404, 404, 404, 404),
    },
    ("GET", "/votes/<int:vote_id>/proxies"): {
        "/votes/{open}/proxies": PAPER_STAFF(200),
    },
    ("POST", "/votes/<int:vote_id>/proxies"): {
        "/votes/{open}/proxies": PAPER_STAFF(400),  # an empty form
    },
    ("GET", "/votes/<int:vote_id>/result"): {
        "/votes/{open}/result": NOBODY,  # not counted
        "/votes/{counted}/result": (LOGIN, 404, 200, 404, 200, 200, 404),  # not yet published
        "/votes/{published}/result": READERS,
    },
    # A job makes the bundle: its progress page (tests/voting/test_bundle_job.py).
    ("POST", "/votes/<int:vote_id>/bundle"): {
        "/votes/{open}/bundle": NOBODY,  # nothing counted
        "/votes/{counted}/bundle": STARTS_JOB_FOR_AUDITORS,
        "/votes/{published}/bundle": STARTS_JOB_FOR_AUDITORS,
    },
    ("GET", "/votes/<int:vote_id>/ballots"): {
        "/votes/{counted}/ballots": AUDITORS,
        "/votes/{open}/ballots": NOBODY,  # issue 12: no individual ballot before the close
    },
    # Before counting and publishing, which change the counted vote (the rows run in order).
    ("GET", "/votes/<int:vote_id>/count"): {
        "/votes/{open}/count": ONLY_MANAGERS(404),  # still open
        "/votes/{counted}/count": ONLY_MANAGERS(200),  # counting again
    },
    ("GET", "/votes/<int:vote_id>/publish"): {
        "/votes/{published}/publish": ONLY_MANAGERS(404),
        "/votes/{counted}/publish": ONLY_MANAGERS(200),
    },
    ("POST", "/votes/<int:vote_id>/count"): {
        "/votes/{open}/count": ONLY_MANAGERS("/votes/{open}"),  # refused: still open
        "/votes/{counted}/count": ONLY_MANAGERS("/votes/{counted}/result"),
    },
    ("POST", "/votes/<int:vote_id>/publish"): {
        "/votes/{open}/publish": ONLY_MANAGERS("/votes/{open}/result"),  # refused: not counted
        "/votes/{counted}/publish": ONLY_MANAGERS("/votes/{counted}/result"),
    },
    # Last, on a draft of their own: they delete what they act on (the rows run in order, on one world).
    ("POST", "/votes/<int:vote_id>/items/<int:position>/candidates/<int:number>/delete"): {
        "/votes/{open}/items/3/candidates/1/delete": ONLY_MANAGERS(404),
        "/votes/{spare}/items/3/candidates/9/delete": ONLY_MANAGERS(404),
        "/votes/{spare}/items/3/candidates/1/delete": ONLY_MANAGERS("/votes/{spare}"),
    },
    ("POST", "/votes/<int:vote_id>/items/<int:position>/delete"): {
        "/votes/{open}/items/1/delete": ONLY_MANAGERS(404),
        "/votes/{spare}/items/9/delete": ONLY_MANAGERS(404),
        "/votes/{spare}/items/1/delete": ONLY_MANAGERS("/votes/{spare}"),
    },
    ("POST", "/votes/<int:vote_id>/delete"): {
        "/votes/{open}/delete": ONLY_MANAGERS(404),
        "/votes/{spare}/delete": ONLY_MANAGERS("/estates/{estate}/votes"),
    },
}


def voting_routes(app) -> set[tuple[str, str]]:
    return {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("voting.")
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_voting_route_is_in_the_matrix(app):
    assert voting_routes(app) == set(MATRIX)


class World:
    """梅园小区 with four votes: a draft, an open one, a counted one with a paper ballot, and a
    published one; 李娜 (1-103) voted online in the counted and the published ones. 别的小区
    lies in another community and sub-district."""

    def __init__(self, estate, committee, make_estate, make_user, clock):
        other = estate_with_roll(make_estate, "别的小区", [owner_row("1", "1-101", "80.00", "钱进", "310101197001014444")],
                                 community="别的居民区", sub_district="别的街道")
        self.users = {
            "owner": account_of(make_user, estate, "李娜", "owner"),
            "committee_member": make_user(Role.COMMITTEE_MEMBER, estate, login="member"),
            "community_staff": make_user(Role.COMMUNITY_STAFF, estate.community, login="staff"),
            "subdistrict_supervisor": make_user(Role.SUBDISTRICT_SUPERVISOR, estate.community.sub_district,
                                                login="supervisor"),
            "auditor": make_user(Role.AUDITOR, estate.community.sub_district, login="auditor"),
            "other_owner": account_of(make_user, other, "钱进", "other-owner"),
        }
        counted = new_vote(estate, committee, clock, title="已计票的表决")
        published = new_vote(estate, committee, clock, title="已公布的表决")
        services.publish_notice(published, committee)
        notice_and_open(counted, committee, clock)
        services.advance(published)
        for vote in (counted, published):
            cast(vote, self.users["owner"], i1="approve")
        entry, _ballot = services.record_paper(counted, self.users["community_staff"], unit="1-104",
                                               received_at=clock(), signed=True, signer_matches=True,
                                               choices={"i1": "oppose"}, scan=JPEG)
        db.session.commit()
        for vote in (counted, published):
            close_vote(vote, clock)
            services.count(vote, committee)
        services.publish_result(published, committee)
        db.session.commit()
        opened = new_vote(estate, committee, clock, title="投票中的表决")
        opened.items[2].candidates[0].photo_id = files.store(JPEG + b"candidate").id
        notice_and_open(opened, committee, clock)
        draft = new_vote(estate, committee, clock, title="草稿")
        spare = new_vote(estate, committee, clock, title="另一份草稿")  # the rows that delete act on it
        self.ids = {"estate": estate.id, "other_estate": other.id, "draft": draft.id, "spare": spare.id,
                    "open": opened.id,
                    "counted": counted.id, "published": published.id, "entry": entry.id,
                    "voter": services.voter_for_unit(counted, "1-103"), "missing": 999999}


@pytest.fixture
def world(estate, committee, make_estate, make_user, clock) -> World:
    return World(estate, committee, make_estate, make_user, clock)


def answer(response) -> int | str:
    if response.status_code == 302:
        return re.sub(r"^/jobs/[0-9a-f]{32}$", STARTS_A_JOB, urlsplit(response.headers["Location"]).path)
    return response.status_code


@pytest.mark.parametrize("visitor", VISITORS)
def test_every_voting_route_for_every_visitor(app, login, world, visitor):
    pages = page_client(app)
    if visitor != "anonymous":
        login(world.users[visitor], client=pages)
    column = VISITORS.index(visitor)
    answers, expected = {}, {}
    for (method, rule), urls in MATRIX.items():
        for target, row in urls.items():
            url, sent = (target, "") if isinstance(target, str) else target
            data = {"voter": world.ids["voter"]} if sent == "voter" else {}
            response = pages.open(url.format(**world.ids), method=method, data=data if method == "POST" else None)
            key = f"{method} {url}"
            answers[key] = answer(response)
            wanted = row[column]
            expected[key] = wanted.format(**world.ids) if isinstance(wanted, str) else wanted
    assert answers == expected


@pytest.mark.parametrize("visitor, shown", [
    ("owner", ["已公布的表决", "已计票的表决", "投票中的表决"]),
    ("community_staff", ["已公布的表决", "已计票的表决", "投票中的表决"]),
    ("committee_member", ["已公布的表决", "已计票的表决", "投票中的表决", "草稿", "另一份草稿"]),
])
def test_the_list_of_votes_shows_drafts_only_to_those_who_manage_votes(app, login, world, visitor, shown):
    pages = page_client(app)
    login(world.users[visitor], client=pages)
    body = pages.get(f"/estates/{world.ids['estate']}/votes").get_data(as_text=True)
    titles = re.findall(r'<a href="/votes/\d+">([^<]+)</a>', body)
    assert sorted(titles) == sorted(shown)
