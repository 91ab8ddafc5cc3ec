"""Issue 12, point 3: until a vote closes nobody sees individual ballots or any count of
choices, only participation (heads and area). After it closes supervisors and auditors see them,
each access audited. Paper-entry staff see only the paper ballot they are confirming.

The attack: a supervisor or an auditor opened ``/votes/<id>/ballots`` and the scans of paper
ballots during voting, and read how named units voted (an interim result).
"""
from __future__ import annotations

import pytest

from governance_app.core import clock as platform_clock
from governance_app.auth.models import Role
from governance_app.extensions import db
from governance_app.jobs.models import Job
from governance_app.voting import services
from tests.support.voting_world import close
from tests.support.site import (
    JPEG, cast, count, events, fresh, new_vote, notice_and_open, page_client, text,
)

ROLES = ("subdistrict_supervisor", "auditor", "committee_member", "community_staff", "owner")
# How a ballot's answer reads on the pages that show choices ("使用维修资金加装电梯：同意").
MARKS = ("使用维修资金加装电梯：同意", "使用维修资金加装电梯：反对", "续筹维修资金: 未填写")


@pytest.fixture
def people(make_user, estate, owner_of):
    return {
        "subdistrict_supervisor": make_user(Role.SUBDISTRICT_SUPERVISOR, estate.community.sub_district,
                                            login="supervisor"),
        "auditor": make_user(Role.AUDITOR, estate.community.sub_district, login="auditor"),
        "committee_member": make_user(Role.COMMITTEE_MEMBER, estate, login="member"),
        "community_staff": make_user(Role.COMMUNITY_STAFF, estate.community, login="staff"),
        "staff_2": make_user(Role.COMMUNITY_STAFF, estate.community, login="staff-2"),
        "owner": owner_of("1-103"),
    }


@pytest.fixture
def voted(open_vote, people, committee, owner_of):
    """An open vote with an online ballot (1-103 approves) and a paper ballot entered by one
    staff member (1-104 opposes), recorded at once (one staff member suffices)."""
    cast(open_vote, people["owner"], i1="approve")
    entry, ballot = services.record_paper(open_vote, people["community_staff"], unit="1-104",
                                          received_at=platform_clock.now(), signed=True, signer_matches=True,
                                          choices={"i1": "oppose"}, scan=JPEG)
    db.session.commit()
    assert ballot is not None
    return open_vote, entry


def _pages(app, login, user):
    pages = page_client(app)
    login(user, client=pages)
    return pages


def _every_page_of(vote, entry) -> list[str]:
    return [f"/votes/{vote.id}", f"/votes/{vote.id}/board", f"/votes/{vote.id}/paper",
            f"/votes/{vote.id}/ballots", f"/votes/{vote.id}/paper/{entry.id}", f"/votes/{vote.id}/paper/{entry.id}/scan",
            f"/votes/{vote.id}/result", f"/votes/{vote.id}/result-announcement.pdf",
            f"/votes/{vote.id}/minutes.pdf", f"/estates/{vote.estate_id}/votes"]


@pytest.mark.parametrize("role", ROLES)
def test_while_open_nobody_gets_individual_ballots_or_scans(app, login, voted, people, role):
    vote, entry = voted
    pages = _pages(app, login, people[role])
    assert pages.get(f"/votes/{vote.id}/ballots").status_code == 404
    assert pages.get(f"/votes/{vote.id}/paper/{entry.id}/scan").status_code == 404
    assert pages.get(f"/votes/{vote.id}/paper/{entry.id}").status_code == 404
    assert events("vote.ballots_viewed") == [] and events("vote.scan_viewed") == []


@pytest.mark.parametrize("role", ROLES)
def test_while_open_no_page_shows_a_choice_or_a_count_of_choices(app, login, voted, people, role):
    vote, entry = voted
    pages = _pages(app, login, people[role])
    for url in _every_page_of(vote, entry):
        response = pages.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        if response.mimetype == "text/html":
            page = text(response)
            assert not [mark for mark in MARKS if mark in page], (url, page)
            assert "逐张选票" not in page
        else:
            assert response.status_code == 404, url
    # The bundle and a large estate's announcement are made by jobs, started by a POST: none starts.
    for url in (f"/votes/{vote.id}/bundle", f"/votes/{vote.id}/result-announcement"):
        assert pages.post(url).status_code == 404, url
    assert count(Job) == 0


@pytest.mark.parametrize("role", ["subdistrict_supervisor", "auditor"])
def test_after_the_close_supervisors_and_auditors_see_them_each_access_audited(app, login, voted, people, role,
                                                                            clock):
    vote, entry = voted
    close(vote, clock)
    db.session.commit()
    assert vote.state.value == "closed"  # closed, not yet counted
    pages = _pages(app, login, people[role])

    ballots = pages.get(f"/votes/{vote.id}/ballots")
    scan = pages.get(f"/votes/{vote.id}/paper/{entry.id}/scan")

    assert ballots.status_code == 200
    assert "使用维修资金加装电梯：同意" in text(ballots) and "使用维修资金加装电梯：反对" in text(ballots)
    assert (scan.status_code, scan.data) == (200, JPEG)
    assert "逐张选票" in text(pages.get(f"/votes/{vote.id}"))
    viewed, scanned = events("vote.ballots_viewed"), events("vote.scan_viewed")
    assert [(e.actor_id, e.object_id) for e in viewed] == [(people[role].id, str(vote.id))]
    assert [(e.actor_id, e.object_id) for e in scanned] == [(people[role].id, str(entry.id))]


@pytest.mark.parametrize("role", ["committee_member", "community_staff", "owner"])
def test_after_the_close_the_committee_staff_and_owners_still_see_no_ballot(app, login, voted, people, role, clock,
                                                                          committee):
    vote, entry = voted
    close(vote, clock)
    services.count(vote, committee)
    db.session.commit()
    pages = _pages(app, login, people[role])
    assert pages.get(f"/votes/{vote.id}/ballots").status_code == 404
    assert pages.get(f"/votes/{vote.id}/paper/{entry.id}/scan").status_code == 404
    assert pages.get(f"/votes/{vote.id}/paper/{entry.id}").status_code == 404


# --- paper-entry staff: only the ballot they are confirming -------------------------------------------

@pytest.fixture
def two_staff(estate, committee, clock, people):
    vote = new_vote(estate, committee, clock, two_staff_paper=True, title="双人录入的表决")
    notice_and_open(vote, committee, clock)
    first, _ = services.record_paper(vote, people["community_staff"], unit="1-104", received_at=platform_clock.now(),
                                     signed=True, signer_matches=True, choices={"i1": "oppose"}, scan=JPEG)
    second, _ = services.record_paper(vote, people["staff_2"], unit="2-102", received_at=platform_clock.now(),
                                      signed=True, signer_matches=True, choices={"i1": "approve"}, scan=JPEG)
    db.session.commit()
    return vote, first, second


def test_staff_see_the_entry_they_confirm_and_not_the_one_they_entered(app, login, two_staff, people):
    vote, first, second = two_staff
    pages = _pages(app, login, people["community_staff"])  # entered the first, may confirm the second

    listing = text(pages.get(f"/votes/{vote.id}/paper"))
    assert not [mark for mark in MARKS if mark in listing]
    assert f"/votes/{vote.id}/paper/{second.id}" in pages.get(f"/votes/{vote.id}/paper").get_data(as_text=True)
    assert pages.get(f"/votes/{vote.id}/paper/{first.id}").status_code == 404
    assert pages.get(f"/votes/{vote.id}/paper/{first.id}/scan").status_code == 404

    check = pages.get(f"/votes/{vote.id}/paper/{second.id}")
    assert check.status_code == 200 and "使用维修资金加装电梯：同意" in text(check)
    scan = pages.get(f"/votes/{vote.id}/paper/{second.id}/scan")
    assert (scan.status_code, scan.data) == (200, JPEG)
    assert [e.object_id for e in events("ballot.paper_opened")] == [str(second.id)]
    assert [e.object_id for e in events("vote.scan_viewed")] == [str(second.id)]

    # Once confirmed it is a ballot: no staff member sees it any more.
    confirmed = pages.post(f"/votes/{vote.id}/paper/{second.id}/confirm", follow_redirects=True)
    assert "纸质选票已确认。" in text(confirmed)
    for user in ("community_staff", "staff_2", "committee_member"):
        other = _pages(app, login, people[user])
        assert other.get(f"/votes/{vote.id}/paper/{second.id}").status_code == 404
        assert other.get(f"/votes/{vote.id}/paper/{second.id}/scan").status_code == 404


def test_supervisors_do_not_check_paper_entries_and_see_no_scan_before_the_close(app, login, two_staff, people,
                                                                                clock):
    vote, first, _second = two_staff
    pages = _pages(app, login, people["subdistrict_supervisor"])
    assert pages.get(f"/votes/{vote.id}/paper/{first.id}").status_code == 404
    assert pages.get(f"/votes/{vote.id}/paper/{first.id}/scan").status_code == 404
    close(vote, clock)
    db.session.commit()
    fresh()
    login(people["subdistrict_supervisor"], client=pages)  # days later: signed in again
    assert pages.get(f"/votes/{vote.id}/paper/{first.id}/scan").status_code == 200
