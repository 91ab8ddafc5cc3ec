"""Owners' questions about an entry: an owner asks, the whole estate reads the question, the
committee answers for everyone; questions unanswered for more than 14 days are flagged."""
from __future__ import annotations

import datetime as dt

import pytest

from governance_app.extensions import db
from governance_app.funds import services as funds
from governance_app.funds.models import Question
from tests.funds.support import INCOME, cards, count, events, flashes, fresh, text

QUESTION = "维修公司是怎么选定的？"
ANSWER = "经业主大会表决，从三家报价中选定。"


@pytest.fixture
def entry(world):
    world.open_accounts()
    return world.entry(INCOME, dt.date(2026, 2, 1), "out", 800_00, "management_cost", counterparty="某物业公司")


def entry_url(world, entry) -> str:
    return f"/estates/{world.estate.id}/funds/entries/{entry.id}"


def test_an_owner_asks_everyone_in_the_estate_reads_and_the_committee_answers(world, entry):
    response = world.pages(world.owner).post(entry_url(world, entry) + "/questions", data={"text": QUESTION},
                                             follow_redirects=True)
    assert ("success", "Your question is sent; the committee's answer will appear here for every owner.") in \
        flashes(response)
    [question] = db.session.scalars(db.select(Question)).all()
    assert (question.entry_id, question.asked_by_id, question.text, question.answer) == (
        entry.id, world.owner.id, QUESTION, None)
    for user in (world.owner2, world.staff, world.supervisor, world.member):
        page = text(world.pages(user).get(entry_url(world, entry)))
        assert QUESTION in page
    assert "Waiting for the committee’s answer." in text(world.pages(world.owner2).get(entry_url(world, entry)))

    committee = world.pages(world.member)
    assert f"/funds/questions/{question.id}/answer" in committee.get(entry_url(world, entry)).get_data(as_text=True)
    response = committee.post(f"/estates/{world.estate.id}/funds/questions/{question.id}/answer",
                              data={"text": ANSWER}, follow_redirects=True)
    assert ("success", "The answer is published.") in flashes(response)
    assert response.request.path == entry_url(world, entry)
    for user in (world.owner, world.owner2, world.auditor):
        assert f"The committee answers: {ANSWER}" in text(world.pages(user).get(entry_url(world, entry)))
    fresh()
    answered = db.session.get(Question, question.id)
    assert (answered.answer, answered.answered_by_id) == (ANSWER, world.member.id)


@pytest.mark.parametrize("user", ["member", "chair", "staff", "supervisor", "auditor", "other_owner"])
def test_only_owners_of_the_estate_ask(world, entry, user):
    pages = world.pages(getattr(world, user))
    response = pages.post(entry_url(world, entry) + "/questions", data={"text": QUESTION})
    assert response.status_code == 404
    assert count(Question) == 0
    page = pages.get(entry_url(world, entry))
    assert f'action="{entry_url(world, entry)}/questions"' not in page.get_data(as_text=True)


def test_the_owners_see_the_question_form(world, entry):
    body = world.pages(world.owner2).get(entry_url(world, entry)).get_data(as_text=True)
    assert f'action="{entry_url(world, entry)}/questions"' in body
    assert "/answer" not in body  # but not the committee's answer form


def test_an_empty_question_is_not_sent(world, entry):
    response = world.pages(world.owner).post(entry_url(world, entry) + "/questions", data={"text": ""},
                                             follow_redirects=True)
    assert ("error", "Write your question.") in flashes(response)
    assert count(Question) == 0


@pytest.mark.parametrize("user", ["owner", "staff", "other_member"])
def test_only_the_committee_answers(world, entry, user):
    question = funds.ask(entry, world.owner, QUESTION)
    db.session.commit()
    response = world.pages(getattr(world, user)).post(
        f"/estates/{world.estate.id}/funds/questions/{question.id}/answer", data={"text": "不是我答"})
    assert response.status_code == 404
    fresh()
    assert db.session.get(Question, question.id).answer is None


# --- more than 14 days unanswered -------------------------------------------------------------------

OVERVIEW_FLAG = "1 owner’s question has waited more than 14 days for an answer."
SUPERVISION_FLAG = "1 question unanswered for more than 14 days."


def flags(world) -> tuple[bool, bool]:
    overview = text(world.pages(world.member).get(f"/estates/{world.estate.id}/funds"))
    [row] = [card for card in cards(world.pages(world.supervisor).get("/funds/supervision"))
             if card.startswith(world.estate.name)]
    return OVERVIEW_FLAG in overview, SUPERVISION_FLAG in row


@pytest.mark.parametrize("asked_at, today_at, flagged", [
    (dt.datetime(2026, 7, 1, 10, 0), dt.datetime(2026, 7, 15, 23, 59), False),  # exactly 14 days
    (dt.datetime(2026, 7, 1, 10, 0), dt.datetime(2026, 7, 16, 0, 1), True),  # 15 days
    # Days are Shanghai days, not UTC ones: 07:00 on 2 July is still 1 July in UTC (14 days, not 15) ...
    (dt.datetime(2026, 7, 2, 7, 0), dt.datetime(2026, 7, 16, 9, 0), False),
    # ... and 00:01 on 16 July is still 15 July in UTC (15 days, not 14).
    (dt.datetime(2026, 7, 1, 23, 30), dt.datetime(2026, 7, 16, 0, 1), True),
])
def test_questions_unanswered_for_more_than_14_days_are_flagged(world, entry, clock, asked_at, today_at, flagged):
    clock.move_to(asked_at)
    funds.ask(entry, world.owner, QUESTION)
    db.session.commit()
    clock.move_to(today_at)
    assert flags(world) == (flagged, flagged)


def test_an_answered_question_is_not_flagged(world, entry, clock):
    clock.move_to(dt.datetime(2026, 6, 1, 10, 0))
    question = funds.ask(entry, world.owner, QUESTION)
    funds.ask(entry, world.owner2, "第二个问题")
    db.session.commit()
    clock.move_to(dt.datetime(2026, 7, 15, 10, 0))
    overview = text(world.pages(world.member).get(f"/estates/{world.estate.id}/funds"))
    assert "2 owners’ questions have waited more than 14 days for an answer." in overview
    funds.answer(question, world.member, ANSWER)
    db.session.commit()
    assert flags(world) == (True, True)  # one left
    assert len(funds.overdue_questions(world.estate)) == 1


def test_questions_and_answers_are_audited(world, entry):
    world.pages(world.owner).post(entry_url(world, entry) + "/questions", data={"text": QUESTION})
    [asked] = events("funds.question_asked")
    world.pages(world.member).post(f"/estates/{world.estate.id}/funds/questions/{asked.object_id}/answer",
                                   data={"text": ANSWER})
    [answered] = events("funds.question_answered")
    assert (asked.actor_id, asked.estate_id, asked.details) == (world.owner.id, world.estate.id, {"entry": entry.id})
    assert (answered.actor_id, answered.object_id) == (world.member.id, asked.object_id)
