"""The red/black board's rules (R-31, R-60 to R-65). Pure: dates and numbers only.

A black-board entry goes through its steps in one order (R-62): a recorded warning (劝阻) that
was ignored, evidence, the committee's approval, notification of the person, then an objection
window; only after the window is it shown. It shows for at most 3 months (minor) or 1 year
(general) (R-63). A red-board entry shows for 1 year by default.
"""
from __future__ import annotations

import calendar
import datetime as dt

OBJECTION_DAYS = 7  # R-62 default, a setting (PLEDGES_OBJECTION_DAYS)
SHOWN_MONTHS = {"minor": 3, "general": 12, "red": 12}  # R-63; red: the default
# the steps of a black-board entry, each needing the one before it.
BLACK_STEPS = ("warned", "evidenced", "approved", "notified")


class StepError(ValueError):
    """A due-process step asked for before its predecessor (R-62)."""

    def __init__(self, needed: str, wanted: str):
        super().__init__(f"{wanted} needs {needed}")
        self.needed = needed
        self.wanted = wanted


def require_step(current: str, wanted: str) -> None:
    """R-62: ``wanted`` may only follow the step just before it (evidence may be added again
    while the entry is at "evidenced"). Raises :class:`StepError` naming the missing step."""
    index = BLACK_STEPS.index(wanted)
    needed = BLACK_STEPS[index - 1]
    allowed = {needed} | ({"evidenced"} if wanted == "evidenced" else set())
    if current not in allowed:
        raise StepError(needed, wanted)


def objection_last_day(notified_on: dt.date, days: int = OBJECTION_DAYS) -> dt.date:
    """R-31, R-62: the window's first day (the day of notification) is not counted and it ends at
    24:00 of its last day: notified on 1 March, 7 days, objections until 8 March 24:00."""
    return notified_on + dt.timedelta(days=days)


def window_open(notified_on: dt.date, today: dt.date, days: int = OBJECTION_DAYS) -> bool:
    return today <= objection_last_day(notified_on, days)


def first_shown_day(notified_on: dt.date, days: int = OBJECTION_DAYS) -> dt.date:
    """R-62: an entry is shown from the day after its objection window ends."""
    return objection_last_day(notified_on, days) + dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day (30 November + 3 months: 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expires_on(shows_from: dt.date, kind: str) -> dt.date:
    """R-63: the first day an entry is no longer shown: 3 months after it was first shown for a
    minor breach, 1 year for a general one (and for a red-board recognition)."""
    return add_months(shows_from, SHOWN_MONTHS[kind])


def showing(shows_from: dt.date | None, expires: dt.date | None, today: dt.date, *, removed: bool,
            objection_pending: bool = False) -> bool:
    """Shown to the estate today? Never when removed or while an objection waits (R-62, R-63)."""
    if removed or objection_pending or shows_from is None or expires is None:
        return False
    return shows_from <= today < expires


def signature_share(signed: int, total: int) -> tuple[int, int]:
    """Whole per-mille and its remainder flag: ``signed``/``total`` as tenths of a percent,
    rounded down, for a page that says "42.5%" (integers only)."""
    if total <= 0:
        return 0, 0
    return divmod(1000 * signed // total, 10)


def signed_totals(voters: list[tuple[tuple[str, ...], int]], signed: set[str]) -> tuple[int, int]:
    """Heads and area (hundredths of m²) of the voters (R-15 keys split into their owners, with
    their area) of whom an owner signed: one head and the voter's area each, counted once."""
    heads = area = 0
    for owners, voter_area in voters:
        if signed & set(owners):
            heads, area = heads + 1, area + voter_area
    return heads, area
