"""Disclosure rules (R-42, R-43, R-45). Pure."""
from __future__ import annotations

import datetime as dt

POSTING_DAYS = 3


def quorum_met(present: int, members: int) -> bool:
    """R-45: a committee meeting needs more than half of its members present."""
    return members > 0 and 2 * present > members


def decision_valid(signers: int, members: int) -> bool:
    """R-45: a decision needs the signatures of more than half of ALL members.
    Example: 7 members, 5 present, 3 sign: fails (needs 4)."""
    return members > 0 and 2 * signers > members


def signatures_needed(members: int) -> int:
    return members // 2 + 1


def posting_due(held_on: dt.date) -> dt.date:
    """R-42: committee decisions are posted within 3 days."""
    return held_on + dt.timedelta(days=POSTING_DAYS)


def posting_overdue(held_on: dt.date, posted: bool, today: dt.date) -> bool:
    return not posted and today > posting_due(held_on)


def notice_showing(start: dt.datetime, end: dt.datetime | None, now: dt.datetime) -> bool:
    """A notice shows from its posting start, until its end if it has one (a 公示 period)."""
    return start <= now and (end is None or now < end)
