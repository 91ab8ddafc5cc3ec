"""The accounts' duties (core.duties): statements (R-50), the fund's top-up (R-52) and owners'
questions left unanswered for more than 14 days.

Each is one set-based query over the estates asked for, whatever their number, and each title is
translated once per call and filled in per duty (a sub-district's dashboard shows thousands).
"""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from ..core import clock
from ..core.duties import Duty, in_estates, register_source
from ..extensions import db
from . import rules
from .models import AccountKind, Entry, EntryState, FundAccount, Question, Statement

# R-50 names the maintenance fund and common income; the working fund has no published cadence.
PUBLISHED_KINDS = (AccountKind.MAINTENANCE_FUND, AccountKind.COMMON_INCOME)


def _accounts(estate_ids: list[int], *kinds: AccountKind):
    """The ids of the estates' accounts (of ``kinds``, else the published ones): each sum is then
    taken over these estates' rows only, not the whole platform's."""
    return select(FundAccount.id).where(in_estates(FundAccount.estate_id, estate_ids),
                                        FundAccount.kind.in_(kinds or PUBLISHED_KINDS))


def statements_due(estate_ids: list[int], today: dt.date) -> list[Duty]:
    """R-50: the next statement of each account, due 30 days after its period ends."""
    covered = select(Statement.account_id, func.max(Statement.period_end).label("until")) \
        .where(Statement.account_id.in_(_accounts(estate_ids))).group_by(Statement.account_id).subquery()
    rows = db.session.execute(
        select(FundAccount.estate_id, FundAccount.kind, FundAccount.opened_on, covered.c.until)
        .outerjoin(covered, covered.c.account_id == FundAccount.id)
        .where(in_estates(FundAccount.estate_id, estate_ids), FundAccount.kind.in_(PUBLISHED_KINDS)))
    titles = {AccountKind.MAINTENANCE_FUND: _("Publish the maintenance fund's statement to %(end)s"),
              AccountKind.COMMON_INCOME: _("Publish the common income's statement to %(end)s")}
    duties = []
    for estate_id, kind, opened_on, until in rows:
        due = rules.next_statement_due(kind.value, until or opened_on - dt.timedelta(days=1), today)
        duties.append(Duty(due.due_on, estate_id, "funds.statement", titles[kind] % {"end": due.period_end.isoformat()},
                           f"/estates/{estate_id}/funds/{kind.value}/statements/new", "R-50", "committee"))
    return duties


def top_ups_due(estate_ids: list[int], today: dt.date) -> list[Duty]:
    """R-52: the fund's balance below 30% of the first-period amount: a top-up is due now."""
    signed = func.coalesce(func.sum(case((Entry.direction == "in", Entry.amount), else_=-Entry.amount)), 0)
    moved = select(Entry.account_id, signed.label("moved")).where(
        Entry.state == EntryState.POSTED, Entry.account_id.in_(_accounts(estate_ids, AccountKind.MAINTENANCE_FUND))) \
        .group_by(Entry.account_id).subquery()
    rows = db.session.execute(
        select(FundAccount.estate_id, FundAccount.opening_balance, FundAccount.first_period_amount, moved.c.moved)
        .outerjoin(moved, moved.c.account_id == FundAccount.id)
        .where(in_estates(FundAccount.estate_id, estate_ids), FundAccount.kind == AccountKind.MAINTENANCE_FUND))
    title = _("Top up the maintenance fund by %(amount)s")
    duties = []
    for estate_id, opening, first_period, moved_total in rows:
        balance = opening + int(moved_total or 0)
        if rules.top_up_due(balance, first_period):
            amount = rules.format_yuan(rules.top_up_amount(balance, first_period))
            duties.append(Duty(today, estate_id, "funds.top_up", title % {"amount": amount},
                               f"/estates/{estate_id}/funds", "R-52", "committee"))
    return duties


def questions_unanswered(estate_ids: list[int], today: dt.date) -> list[Duty]:  # noqa: ARG001 (the source's shape)
    """Owners' questions about an entry: answered within 14 days, flagged after."""
    rows = db.session.execute(select(Question.estate_id, Question.entry_id, Question.asked_at).where(
        in_estates(Question.estate_id, estate_ids), Question.answered_at.is_(None)))
    title = _("Answer an owner's question")
    return [Duty(clock.local_date(asked_at) + dt.timedelta(days=rules.QUESTION_ANSWER_DAYS), estate_id,
                 "funds.question", title,
                 f"/estates/{estate_id}/funds/entries/{entry_id}", "", "committee")
            for estate_id, entry_id, asked_at in rows]


register_source("funds.statement", statements_due)
register_source("funds.top_up", top_ups_due)
register_source("funds.question", questions_unanswered)
