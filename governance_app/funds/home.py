"""What of the accounts waits for a person on their home page (``core.home``): the committee's
answers to an owner's questions, and for the committee the owners' questions still unanswered
(flagged after 14 days)."""
from __future__ import annotations

import datetime as dt

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.permissions import visible_estates
from ..core import clock, home
from ..estates.models import Estate
from ..extensions import db
from . import rules
from .models import Question

# Answers stay on the asker's home page this many days after they were given.
ANSWER_SHOWN_DAYS = 14


def _entry_link(question: Question) -> str:
    return url_for("funds.entry", estate_id=question.estate_id, entry_id=question.entry_id)


def answers(user, today: dt.date) -> list[home.Waiting]:
    since = clock.local_midnight(today - dt.timedelta(days=ANSWER_SHOWN_DAYS)).astimezone(dt.timezone.utc)
    return [home.Waiting(title=_("Answer to your question: %(text)s", text=question.text[:60]),
                         kind="funds.answer", link=_entry_link(question), action=_("Read the answer"),
                         detail=_("Answered on %(day)s", day=clock.local_date(question.answered_at).isoformat()))
            for question in db.session.scalars(select(Question).where(
                Question.asked_by_id == user.id, Question.answered_at.is_not(None), Question.answered_at >= since)
                .order_by(Question.answered_at.desc()))]


def waiting_questions(user, today: dt.date) -> list[home.Waiting]:
    managed = visible_estates(user, "funds.manage").with_only_columns(Estate.id)
    return [home.Waiting(title=_("Owner's question: %(text)s", text=question.text[:60]), kind="funds.question",
                         due=clock.local_date(question.asked_at) + dt.timedelta(days=rules.QUESTION_ANSWER_DAYS),
                         link=_entry_link(question), action=_("Answer"),
                         detail=_("Asked on %(day)s", day=clock.local_date(question.asked_at).isoformat()))
            for question in db.session.scalars(select(Question).where(
                Question.estate_id.in_(managed), Question.answer.is_(None)).order_by(Question.asked_at))]


home.register_source("funds.answers", answers)
home.register_source("funds.questions", waiting_questions)
