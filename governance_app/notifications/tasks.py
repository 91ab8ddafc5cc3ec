"""The hourly task of the schedule (beat): duties falling due, votes closing in two days, mail
left unsent, files and messages past their keeping time.

Each announcement is made once: its key is recorded (``Announced``) in the same transaction as
its messages, so an hour that finds the same duty again sends nothing."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from ..core import clock, duties
from ..estates.models import Estate
from ..extensions import db
from ..jobs import services as jobs
from ..jobs.registry import task
from ..voting.models import Vote, VoteState
from . import mail, services
from .receivers import _vote_values

SOON_DAYS = 2  # a duty is announced two days before it falls due, and on its first day overdue
CLOSING_HOURS = 48  # owners who have not voted are reminded two days before a vote closes


@task("governance.hourly")
def hourly() -> dict:
    """Everything the hour does; commits. Returns what was done (for the worker's log)."""
    done = {"duties": announce_duties(clock.today()), "vote_reminders": remind_closing_votes(clock.now())}
    db.session.commit()
    removed, failed = jobs.sweep()
    done.update(job_files_removed=removed, jobs_failed=failed, messages_removed=services.forget_old())
    db.session.commit()
    retry = mail.queued_before(clock.now() - dt.timedelta(minutes=10))
    if retry:
        mail.dispatch(retry)
    done["mail_retried"] = len(retry)
    return done


def announce_duties(today: dt.date) -> int:
    """Duties of every estate, from every registered source (core.duties): two days before they
    fall due, and on the day they are overdue, to the people responsible, once each."""
    estate_ids = list(db.session.scalars(select(Estate.id)))
    sent = 0
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # titles in the platform's language
        found = duties.gather(estate_ids, today)
    names = {estate_id: name for estate_id, name in db.session.execute(
        select(Estate.id, Estate.name).where(Estate.id.in_({duty.estate_id for duty in found})))}
    for duty in found:
        days_left = duty.days_left(today)
        stage = "soon" if days_left == SOON_DAYS else ("overdue" if days_left < 0 else None)
        if stage is None:
            continue
        key = f"duty|{stage}|{duty.kind}|{duty.estate_id}|{duty.due.isoformat()}|{duty.link}"[:200]
        if not services.announce_once(key):
            continue
        people = services.responsible(duty.estate_id, "staff" if duty.who == "staff" else "committee")
        services.notify(people, f"duty_{stage}", {"title": duty.title, "estate": names.get(duty.estate_id, ""),
                                                   "due": duty.due.isoformat(), "rule": duty.rule or "-"},
                        duty.link)
        sent += 1
    return sent


def remind_closing_votes(now: dt.datetime) -> int:
    """Open votes closing within two days: their owners who have not voted yet are told once.
    The message says nothing about anyone else (not who voted, nor how many)."""
    reminded = 0
    horizon = now + dt.timedelta(hours=CLOSING_HOURS)
    for vote in db.session.scalars(select(Vote).where(Vote.state == VoteState.OPEN)):
        closes = clock.aware(vote.closes_at)
        if not now < closes <= horizon or not services.announce_once(f"vote_closing|{vote.id}"):
            continue
        services.notify(services.owners_in_vote(vote, not_voted=True), "vote_closing", _vote_values(vote),
                        f"/votes/{vote.id}")
        reminded += 1
    return reminded
