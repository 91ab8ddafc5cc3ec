"""Drafts that can be corrected, confirmation pages before what cannot be undone, participation
so far, and forms that keep what was typed (issue 14)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from governance_app.core import clock as platform
from governance_app.extensions import db
from governance_app.voting import services
from governance_app.voting.models import Candidate, ChoiceOption, Vote, VoteItem, VoteRollEntry, VoteState
from tests.voting.conftest import make_draft, open_it
from tests.support.site import count, events, fresh, text


def _dates(opening: dt.date) -> dict:
    return {"title": "加装电梯（修改）", "description": "说明", "opening_date": opening.isoformat(),
            "last_day": (opening + dt.timedelta(days=6)).isoformat(), "buildings": ""}


# --- a draft whose notice was refused is corrected, then published after the confirmation page ---------

def test_a_draft_refused_for_its_dates_is_moved_and_published_after_the_confirmation(
        estate, committee, clock, browser):
    vote = make_draft(estate, committee)
    clock.advance(days=3)  # too late now for the opening day chosen
    client = browser(committee)
    refused = client.post(f"/votes/{vote.id}/notice", follow_redirects=True)
    assert "公告须在投票开始前至少 15 日发布" in text(refused) or "R-40" in text(refused)
    assert count(VoteRollEntry) == 0

    confirm = client.get(f"/votes/{vote.id}/notice")
    assert confirm.status_code == 200
    assert f'action="/votes/{vote.id}/notice"' not in confirm.get_data(as_text=True)  # no button while refused

    opening = platform.today() + dt.timedelta(days=15)
    saved = client.post(f"/votes/{vote.id}/edit", data=_dates(opening))
    assert (saved.status_code, saved.location) == (302, f"/votes/{vote.id}")
    fresh()
    changed = db.session.get(Vote, vote.id)
    assert (changed.title, platform.local_date(changed.opens_at)) == ("加装电梯（修改）", opening)
    assert [e.details["opening_date"] for e in events("vote.draft_changed")] == [opening.isoformat()]

    confirm = client.get(f"/votes/{vote.id}/notice")
    body = confirm.get_data(as_text=True)
    assert f'action="/votes/{vote.id}/notice"' in body
    assert "12" in text(confirm)  # the units whose roll is frozen: the estate's twelve
    published = client.post(f"/votes/{vote.id}/notice")
    assert published.status_code == 302
    fresh()
    assert db.session.get(Vote, vote.id).state == VoteState.NOTICED


def test_the_confirmation_lists_an_election_with_fewer_candidates_than_seats(estate, committee, clock,
                                                                          browser):
    vote = make_draft(estate, committee)
    client = browser(committee)
    assert client.post(f"/votes/{vote.id}/items/2/candidates/3/delete").status_code == 302
    page = client.get(f"/votes/{vote.id}/notice")
    assert "2" in text(page) and "选举业委会委员" in text(page)
    assert f'action="/votes/{vote.id}/notice"' not in page.get_data(as_text=True)
    client.post(f"/votes/{vote.id}/notice")
    fresh()
    assert db.session.get(Vote, vote.id).state == VoteState.DRAFT  # the service refuses it as well


def test_a_choice_without_two_options_and_an_empty_scope_are_listed(estate, committee, clock, browser):
    vote = make_draft(estate, committee, items=False)
    client = browser(committee)
    services.add_item(vote, kind=services.ItemKind.CHOICE, matter=4, title="物业管理方式", options=["甲", "乙"])
    db.session.execute(ChoiceOption.__table__.delete().where(ChoiceOption.title == "乙"))
    vote.buildings = ["9"]  # a scope that exists nowhere in the roll
    db.session.commit()
    problems = [reason for reason, _ in services.notice_problems(db.session.get(Vote, vote.id))]
    assert problems == ["too_few_options_in", "empty_roll"]
    page = text(client.get(f"/votes/{vote.id}/notice"))
    assert "物业管理方式" in page


# --- correcting and deleting items and candidates ----------------------------------------------------------

def test_items_and_candidates_are_corrected_and_deleted_with_audit_events(estate, committee, clock,
                                                                         browser):
    vote = make_draft(estate, committee)
    client = browser(committee)
    assert client.get(f"/votes/{vote.id}/items/1/edit").status_code == 200
    response = client.post(f"/votes/{vote.id}/items/1/edit", data={"matter": "9", "title": "改正后的事项"})
    assert response.status_code == 302
    response = client.post(f"/votes/{vote.id}/items/2/candidates/1/edit",
                           data={"name": "甲某", "nomination": "joint", "statement": "十年业主", "pledge_signed": "y"})
    assert response.status_code == 302
    fresh()
    assert [i.title for i in db.session.get(Vote, vote.id).items] == ["改正后的事项", "选举业委会委员"]
    assert db.session.scalar(select(Candidate.name).where(Candidate.position == 1)) == "甲某"

    assert client.post(f"/votes/{vote.id}/items/2/candidates/1/delete").status_code == 302
    fresh()
    assert [(c.position, c.name) for c in db.session.scalars(select(Candidate).order_by(Candidate.position))] == \
        [(1, "乙"), (2, "丙")]  # renumbered: the keys stay without gaps
    assert client.post(f"/votes/{vote.id}/items/1/delete").status_code == 302
    fresh()
    assert [(i.position, i.title) for i in db.session.get(Vote, vote.id).items] == [(1, "选举业委会委员")]
    assert [e.action for e in events("vote.item_changed")] == ["vote.item_changed"]
    assert len(events("vote.candidate_changed")) == 1 and len(events("vote.candidate_deleted")) == 1
    assert events("vote.item_deleted")[0].details == {"item": "i1", "title": "改正后的事项"}


def test_a_draft_is_deleted_with_its_items_and_the_deletion_is_audited(estate, committee, clock, browser):
    vote = make_draft(estate, committee, title="写错的草稿")
    response = browser(committee).post(f"/votes/{vote.id}/delete")
    assert (response.status_code, response.location) == (302, f"/estates/{estate.id}/votes")
    assert count(Vote) == 0 and count(VoteItem) == 0 and count(Candidate) == 0
    assert events("vote.draft_deleted")[0].details == {"title": "写错的草稿", "items": 2}


def test_nothing_can_be_corrected_or_deleted_once_the_notice_is_out(estate, committee, clock, browser):
    vote = make_draft(estate, committee)
    services.publish_notice(vote, committee)
    db.session.commit()
    client = browser(committee)
    assert client.get(f"/votes/{vote.id}/edit").status_code == 404
    assert client.post(f"/votes/{vote.id}/delete").status_code == 404
    assert client.post(f"/votes/{vote.id}/items/1/delete").status_code == 404
    assert client.post(f"/votes/{vote.id}/items/2/candidates/1/delete").status_code == 404
    assert count(Vote) == 1 and count(VoteItem) == 2 and count(Candidate) == 3


# --- a refused form keeps what was typed --------------------------------------------------------------------

def test_an_item_refused_for_one_field_keeps_everything_else_typed(estate, committee, clock, browser):
    vote = make_draft(estate, committee)
    typed = {"kind": "election", "matter": "3", "title": "补选业委会委员", "description": "因两名委员辞职",
             "seats": "4", "alternates": "1", "options": ""}
    page = browser(committee).post(f"/votes/{vote.id}/items", data=typed)
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    assert 'value="补选业委会委员"' in body and "因两名委员辞职" in body and 'value="4"' in body
    assert "<details class=\"card\" open>" in body
    assert count(VoteItem) == 2


def test_a_candidate_refused_keeps_what_was_typed_in_that_items_form(estate, committee, clock, browser):
    vote = make_draft(estate, committee)
    typed = {"name": "戊", "nomination": "self", "statement": "在小区居住十五年"}  # no pledge
    page = browser(committee).post(f"/votes/{vote.id}/items/2/candidates", data=typed)
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    assert 'value="戊"' in body and "在小区居住十五年" in body
    assert count(Candidate) == 3


def test_a_refused_correction_keeps_what_was_typed(estate, committee, clock, browser):
    vote = make_draft(estate, committee)
    opening = platform.today() + dt.timedelta(days=15)
    typed = _dates(opening) | {"last_day": (opening - dt.timedelta(days=1)).isoformat()}
    page = browser(committee).post(f"/votes/{vote.id}/edit", data=typed)
    assert page.status_code == 400
    assert 'value="加装电梯（修改）"' in page.get_data(as_text=True)
    fresh()
    assert db.session.get(Vote, vote.id).title == "加装电梯与选举"


# --- counting and publishing: confirmation pages ----------------------------------------------------------------

def test_counting_and_publishing_go_through_their_confirmation_pages(estate, committee, owner_of, clock,
                                                                     browser):
    vote = make_draft(estate, committee)
    open_it(vote, committee, clock)
    client = browser(committee)
    assert f'href="/votes/{vote.id}/count"' not in client.get(f"/votes/{vote.id}").get_data(as_text=True)
    clock.set(*(platform.local_date(vote.closes_at).timetuple()[:3]), hour=9)
    client = browser(committee)  # a new session: the old one ended while voting went on
    page = client.get(f"/votes/{vote.id}")
    assert f'href="/votes/{vote.id}/count"' in page.get_data(as_text=True)
    confirm = client.get(f"/votes/{vote.id}/count")
    assert confirm.status_code == 200 and f'action="/votes/{vote.id}/count"' in confirm.get_data(as_text=True)
    assert client.post(f"/votes/{vote.id}/count").status_code == 302
    result = client.get(f"/votes/{vote.id}/result").get_data(as_text=True)
    assert f'href="/votes/{vote.id}/publish"' in result
    confirm = client.get(f"/votes/{vote.id}/publish")
    assert confirm.status_code == 200 and f'action="/votes/{vote.id}/publish"' in confirm.get_data(as_text=True)
    fresh()
    assert db.session.get(Vote, vote.id).state == VoteState.COUNTED  # the page itself publishes nothing


# --- participation so far ------------------------------------------------------------------------------------

def test_an_open_votes_page_shows_participation_so_far_totals_only(estate, committee, owner_of, clock,
                                                                  browser):
    vote = make_draft(estate, committee)
    open_it(vote, committee, clock)
    owner = owner_of("1-103")
    mandate = services.mandates(owner, vote)[0]
    assert services.cast_online(vote, owner, mandate, {"i1": "approve", "i2": None})
    db.session.commit()
    page = text(browser(owner).get(f"/votes/{vote.id}"))
    # 9 voters, 1,060 m²; 李娜 (1-103) holds 80 m²: 1 of 9 owners, 6 needed; 80 of 1,060 m², 706.67 needed.
    assert "80.00" in page and "1060.00" in page and "706.67" in page
    assert "(11%); 6" in page or "（11%），需 6" in page
    assert "李娜" not in page and "approve" not in page
