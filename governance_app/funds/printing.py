"""What the funds print: 资金收支公示 (the fund statement), built from a plain ``StatementView``.

``documents`` numbers, registers and draws it; the source registered below rebuilds a
published statement's values so that the check page can tell whether a copy is current.
"""
from __future__ import annotations

from collections.abc import Sequence

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..documents import rules as document_rules
from ..documents import services as documents
from ..documents.models import DocumentKind
from ..estates.services import get_estate
from ..extensions import db
from ..voting.models import Vote
from . import services
from .messages import EMERGENCY_TITLES, account_title, category_title, counterparty_text
from .models import Entry, Statement
from .values import EntryLine, StatementView


def authority_text(entry: Entry) -> str:
    if entry.emergency_case:
        return str(EMERGENCY_TITLES.get(entry.emergency_case, entry.emergency_case))
    if entry.authority_vote_id:
        vote = db.session.get(Vote, entry.authority_vote_id)
        item = next((i for i in vote.items if i.key == entry.authority_item), None) if vote else None
        return _("Resolution “%(item)s” of “%(vote)s”", item=item.title if item else "?", vote=vote.title if vote else "?")
    return ""


def _line(entry: Entry) -> EntryLine:
    return EntryLine(id=entry.id, day=entry.day, direction=entry.direction, category=entry.category,
                     category_title=category_title(entry.category), counterparty=counterparty_text(entry),
                     description=entry.description, amount=entry.amount, authority=authority_text(entry),
                     reverses=entry.reverses_id)


def statement_view(estate, account, start, end, stored: Statement | None = None) -> StatementView:
    if stored is not None:
        entries = db.session.scalars(select(Entry).where(Entry.id.in_(stored.entry_ids or [-1]))
                                     .order_by(Entry.day, Entry.id)).all()
        return StatementView(estate=estate.name, account_kind=account.kind.value, account_title=account_title(
            account.kind), period_start=stored.period_start, period_end=stored.period_end,
            opening_balance=stored.opening_balance, closing_balance=stored.closing_balance,
            entries=[_line(e) for e in entries], totals=stored.totals, published=True)
    numbers = services.figures(account, start, end)
    return StatementView(estate=estate.name, account_kind=account.kind.value, account_title=account_title(
        account.kind), period_start=start, period_end=end, opening_balance=numbers.opening,
        closing_balance=numbers.closing, entries=[_line(e) for e in numbers.entries], totals=numbers.totals)


def statement_data(view, corrections: Sequence) -> dict:
    """资金收支公示 from the funds package's ``StatementView``. Later corrections of its entries
    (R-54: a reversal in a later period) are part of what it shows: once one is made, an
    earlier copy without it is superseded."""
    money = document_rules.decimal_text
    return {"estate": view.estate, "account_kind": view.account_kind, "account": view.account_title,
            "period_start": view.period_start.isoformat(), "period_end": view.period_end.isoformat(),
            "published": view.published, "opening_balance": money(view.opening_balance),
            "closing_balance": money(view.closing_balance), "total_in": money(view.total_in),
            "total_out": money(view.total_out),
            "totals": {direction: [{"category": category, "amount": money(fen)}
                                   for category, fen in view.totals.get(direction, {}).items()]
                       for direction in ("in", "out")},
            "entries": [{"day": line.day.isoformat(), "direction": line.direction, "category": line.category,
                         "category_title": line.category_title, "counterparty": line.counterparty,
                         "description": line.description, "amount": money(line.amount),
                         "authority": line.authority} for line in view.entries],
            "corrections": [{"day": entry.day.isoformat(), "reverses": entry.reverses_id,
                             "amount": money(entry.amount)} for entry in corrections]}


def fund_statement_pdf(statement, actor) -> bytes:
    with force_locale(documents.LOCALE):  # category names and authorities are words: always the same ones
        data = _statement_now(statement.id)
    return documents.one_pdf(DocumentKind.FUND_STATEMENT, "pdf/fund_statement.html", statement.estate_id, "fund_statement",
                statement.id, data, actor)


def _statement_now(statement_id: int) -> dict | None:
    statement = db.session.get(Statement, statement_id)
    if statement is None:
        return None
    view = statement_view(get_estate(statement.estate_id), statement.account, None, None, statement)
    return statement_data(view, services.corrections_of(statement))


documents.register_current_source(DocumentKind.FUND_STATEMENT, _statement_now)
