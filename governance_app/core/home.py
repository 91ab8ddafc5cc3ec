"""What waits for a person: the items of their home page, gathered from every package.

A package that knows of something a person should act on (a vote they have not voted in, a notice
they have not read, an answer to their question, a draft to finish) registers a *source*: a
function that, given the signed-in user and today's date, returns :class:`Waiting` items. The home
page only gathers them (:func:`gather`) and imports no package, so proposals, surveys or the board
add their own items without the home page knowing them.

Duties falling due come from :mod:`core.duties` only: the committee sees those of the estates it
manages, staff (community staff, supervisors, auditors) those of the estates in their scope.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from . import duties

Source = Callable[[object, dt.date], Iterable["Waiting"]]


@dataclass(frozen=True)
class Waiting:
    """One thing waiting for the reader, with the one link that acts on it."""

    title: str  # in the reader's language
    link: str  # a path on this site where it is done
    action: str  # the button's words ("投票", "阅读")
    kind: str  # a stable identifier, e.g. "voting.ballot", "disclosure.notice"
    due: dt.date | None = None  # the last day to act, if there is one
    detail: str = field(default="", compare=False)  # one short line under the title
    rule: str = field(default="", compare=False)  # the rule that sets the deadline, e.g. "R-42"

    def sort_key(self, today: dt.date) -> tuple:
        """Overdue first, then the earliest deadline, then what has none (in the order given)."""
        return (self.due is None, self.due or today)

    def overdue(self, today: dt.date) -> bool:
        return self.due is not None and self.due < today


_sources: dict[str, Source] = {}


def register_source(name: str, source: Source) -> None:
    """Register (or replace) the waiting items reported by a package under ``name``."""
    _sources[name] = source


def duty_items(committee: Iterable[int], staff: Iterable[int], today: dt.date,
               describe: Callable[[duties.Duty], Waiting]) -> list[Waiting]:
    """The duties of the estates the user manages (``committee``: the committee's duties) or
    supervises (``staff``: all); the caller, which knows permissions, gives the estates' ids."""
    found = {duty for duty in duties.gather(list(committee), today) if duty.who == "committee"}
    found |= set(duties.gather(list(staff), today))
    return [describe(duty) for duty in sorted(found)]


def gather(user, today: dt.date, describe_duty: Callable[[duties.Duty], Waiting],
           committee: Iterable[int] = (), staff: Iterable[int] = ()) -> list[Waiting]:
    """Everything waiting for ``user``, most urgent first: overdue, then by deadline, then the rest.
    ``committee`` and ``staff``: the ids of the estates whose duties are the user's (see
    :func:`duty_items`)."""
    found: list[Waiting] = []
    for source in _sources.values():
        found.extend(source(user, today))
    found.extend(duty_items(committee, staff, today, describe_duty))
    return sorted(found, key=lambda item: item.sort_key(today))
