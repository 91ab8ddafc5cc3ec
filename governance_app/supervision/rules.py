"""The re-election's stages and deadlines (R-31, R-42, R-43, R-46, R-47, R-48). Pure: standard library only.

Periods are counted as R-31 counts them: the day a period starts from is not counted, and the
period ends at 24:00 of its last day, so "within N days of D" is due on D + N and late from D + N + 1.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from fractions import Fraction

REPORT, GROUP, PLAN, NOMINATIONS, REVIEW, POSTING, ELECTION, RESULT, FILING, HANDOVER, CLOSED = (
    "report", "group", "plan", "nominations", "review", "posting", "election", "result", "filing", "handover",
    "closed")
# The twelve stages of the issue; stage 1 (the term ending soon) is a date, not something recorded.
STAGES = (REPORT, GROUP, PLAN, NOMINATIONS, REVIEW, POSTING, ELECTION, RESULT, FILING, HANDOVER, CLOSED)
KIND_STAGES = {
    "reelection": STAGES,
    "first_election": STAGES[1:],  # a preparatory group, no committee to report
    "by_election": (PLAN, NOMINATIONS, REVIEW, POSTING, ELECTION, RESULT, FILING),  # stages 4 to 10
}
# Where each kind's cycle starts: the report received, or the group formed for a first election.
CYCLE_START = {"reelection": REPORT, "first_election": GROUP, "by_election": PLAN}

REPORT_MONTHS_BEFORE_TERM_END = 5
WATCH_MONTHS_BEFORE_TERM_END = 6  # the estate and the supervisors see it coming from here
GROUP_DAYS = 60
POSTING_DAYS = 7  # R-47 (C), a setting of each process
RESULT_DAYS = 3
FILING_DAYS = 30
CYCLE_TARGET_DAYS = 100  # the sub-district's target

# grounds that disqualify a candidate (SH 20).
GROUNDS = ("property_company", "load_bearing", "illegal_building", "change_of_use", "arrears")
# matters never noticed while a re-election group exists, and those refused when marked.
FORBIDDEN_MATTERS = frozenset({4, 7})
MARKED_MATTERS = frozenset({5, 9})


def stage_number(stage: str) -> int:
    """The stage's number as the issue counts them (1 is the term ending soon)."""
    return STAGES.index(stage) + 2


def next_stage(kind: str, recorded: Iterable[str]) -> str | None:
    done = set(recorded)
    return next((stage for stage in KIND_STAGES[kind] if stage not in done), None)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (or earlier), or the month's last day when it has none."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def report_due(term_ends_on: dt.date) -> dt.date:
    """R-47: the committee reports in writing at least 5 months before its term ends."""
    return add_months(term_ends_on, -REPORT_MONTHS_BEFORE_TERM_END)


def watch_from(term_ends_on: dt.date) -> dt.date:
    """The day the coming re-election is shown to the estate and its supervisors."""
    return add_months(term_ends_on, -WATCH_MONTHS_BEFORE_TERM_END)


def group_due(report_on: dt.date) -> dt.date:
    """R-47: the sub-district forms the re-election group within 60 days of the report."""
    return report_on + dt.timedelta(days=GROUP_DAYS)


def posting_last_day(posted_on: dt.date, days: int = POSTING_DAYS) -> dt.date:
    """The candidate list is posted for ``days`` days; the posting day is not counted (R-31)."""
    return posted_on + dt.timedelta(days=days)


def earliest_election(posted_on: dt.date, days: int = POSTING_DAYS) -> dt.date:
    """Voting may open only once the posting period has ended."""
    return posting_last_day(posted_on, days) + dt.timedelta(days=1)


def result_due(counted_on: dt.date) -> dt.date:
    """R-42: the result is posted within 3 days."""
    return counted_on + dt.timedelta(days=RESULT_DAYS)


def filing_due(election_day: dt.date) -> dt.date:
    """R-46: the elected committee files within 30 days of the election."""
    return election_day + dt.timedelta(days=FILING_DAYS)


def days_late(happened_on: dt.date, due_on: dt.date | None) -> int:
    """A late stage is recorded, flagged with how many days late it was."""
    return max((happened_on - due_on).days, 0) if due_on is not None else 0


def cycle_days(started_on: dt.date, filed_on: dt.date) -> int:
    """Days from the report received (or the group formed) to the filing accepted."""
    return (filed_on - started_on).days


def median(values: Sequence[int]) -> Fraction | None:
    """The median, exact (a half when the count is even); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Fraction(ordered[middle])
    return Fraction(ordered[middle - 1] + ordered[middle], 2)


def forbidden_items(items: Iterable[tuple[int, int, bool]]) -> list[int]:
    """R-47: positions of the items (position, matter, marked major works or fee change) that may
    not be noticed while a re-election group exists. Emergency repairs (R-53) are no vote at all."""
    return [position for position, matter, marked in items
            if matter in FORBIDDEN_MATTERS or (matter in MARKED_MATTERS and marked)]


def review_problem(grounds: Iterable[str], approve: bool, reasons: str, pledge_signed: bool) -> str | None:
    """R-44: a candidate with any ground is not eligible; a candidate is approved only with the
    signed pledge of duty; a rejection gives its reasons."""
    found = set(grounds)
    if found - set(GROUNDS):
        return "unknown_ground"
    if approve and found:
        return "ineligible"
    if approve and not pledge_signed:
        return "pledge_missing"
    if not approve and not reasons.strip():
        return "reasons_missing"
    return None
