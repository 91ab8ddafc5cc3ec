"""Duties that fall due: one small shape every package reports through.

A package that knows of deadlines (notices to post, statements, results, filings, answers,
re-election stages, proposals, the board's reviews) registers a *source*: a function that, given
estate ids and today's date, returns the :class:`Duty` items open in those estates. Dashboards,
home pages and reminders only gather them (:func:`gather`); they import no package. A source
selects its estates' rows with :func:`in_estates`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import attrgetter

from sqlalchemy import ARRAY, Integer, any_, literal

from ..extensions import db

Source = Callable[[list[int], dt.date], Iterable["Duty"]]


@dataclass(frozen=True, order=True)
class Duty:
    """Something someone must do in an estate by ``due`` (an estate-local date)."""

    due: dt.date
    estate_id: int
    kind: str  # a stable identifier, e.g. "funds.statement", "voting.post_result"
    title: str = field(compare=False)  # in the reader's language: translated when the source runs
    link: str = field(compare=False)  # a path on this site where it is done
    rule: str = field(default="", compare=False)  # the rule id that sets the deadline, e.g. "R-42"
    who: str = field(default="committee", compare=False)  # committee | staff | owner

    def overdue(self, today: dt.date) -> bool:
        return self.due < today

    def days_left(self, today: dt.date) -> int:
        return (self.due - today).days


_sources: dict[str, Source] = {}
# A Duty's own order (due, estate, kind) as a sort key: faster than comparing the dataclasses.
DUTY_ORDER = attrgetter("due", "estate_id", "kind")


def in_estates(column, estate_ids: Iterable[int]):
    """``column IN estate_ids`` for the sources' queries. On PostgreSQL the ids go as one array
    parameter (``= ANY(...)``): a sub-district's 500 ids as 500 parameters cost more, to render,
    send, parse and plan, than the rest of the query."""
    ids = list(estate_ids)
    if db.engine.dialect.name == "postgresql":
        return column == any_(literal(ids, ARRAY(Integer)))
    return column.in_(ids)


def register_source(name: str, source: Source) -> None:
    """Register (or replace) the duties reported by a package under ``name``."""
    _sources[name] = source


def gather(estate_ids: Iterable[int], today: dt.date, *, within_days: int | None = None,
           skip: Iterable[str] = ()) -> list[Duty]:
    """Every registered package's duties in the estates, earliest due first; with
    ``within_days``, only those due by then (overdue ones always). The sources named in ``skip``
    are left out: a caller that already read what one needs asks that package for its duties itself."""
    ids = sorted(set(estate_ids))
    if not ids:
        return []
    left_out = set(skip)
    found: list[Duty] = []
    for name, source in _sources.items():
        if name not in left_out:
            found.extend(source(ids, today))
    if within_days is not None:
        horizon = today + dt.timedelta(days=within_days)
        found = [duty for duty in found if duty.due <= horizon]
    return sorted(found, key=DUTY_ORDER)
