"""Followers of the platform's events (core.events): each adds the messages it means, inside the
sender's transaction (so a refused action sends nothing)."""
from __future__ import annotations

from ..core import clock, events
from ..estates.models import Estate
from ..extensions import db
from . import services


def _day(moment) -> str:
    return clock.local_date(clock.aware(moment)).isoformat()


def _minute(moment) -> str:
    return clock.aware(moment).astimezone(clock.zone()).strftime("%Y-%m-%d %H:%M")


def _vote_values(vote) -> dict:
    return {"title": vote.title, "estate": vote.estate.name, "opens": _day(vote.opens_at),
            "closes": _minute(vote.closes_at)}


@events.vote_noticed.connect
def vote_noticed(vote, **_details) -> None:
    services.notify(services.owners_in_vote(vote), "vote_noticed", _vote_values(vote), f"/votes/{vote.id}")


@events.vote_opened.connect
def vote_opened(vote, **_details) -> None:
    services.notify(services.owners_in_vote(vote), "vote_opened", _vote_values(vote), f"/votes/{vote.id}")


@events.vote_result_published.connect
def vote_result_published(vote, **_details) -> None:
    services.notify(services.owners_in_vote(vote), "vote_result", _vote_values(vote), f"/votes/{vote.id}/result")


@events.statement_published.connect
def statement_published(statement, **_details) -> None:
    estate = db.session.get(Estate, statement.estate_id)
    services.notify(services.owners_of_estate(estate.id), "statement_published",
                    {"estate": estate.name, "account": statement.account.kind.value,
                     "start": statement.period_start.isoformat(), "end": statement.period_end.isoformat()},
                    f"/estates/{estate.id}/funds/statements/{statement.id}")


@events.notice_published.connect
def notice_published(notice, **_details) -> None:
    estate = db.session.get(Estate, notice.estate_id)
    services.notify(services.owners_of_estate(estate.id), "notice_published",
                    {"title": notice.title, "estate": estate.name}, f"/estates/{estate.id}/notices/{notice.id}")


@events.question_answered.connect
def question_answered(question, **_details) -> None:
    estate = db.session.get(Estate, question.estate_id)
    services.notify([question.asked_by_id], "question_answered", {"estate": estate.name},
                    f"/estates/{estate.id}/funds/entries/{question.entry_id}")


@events.account_changed.connect
def account_changed(user, change: str = "", **_details) -> None:
    """``change``: new_device, password_changed, authenticator_reset, recovery_code_used or
    sessions_ended; always told, whatever the person's preferences."""
    services.notify([user.id], change, {}, "/account")
