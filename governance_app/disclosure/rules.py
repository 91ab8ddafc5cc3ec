"""Disclosure rules (R-42, R-43, R-45). Pure."""
from __future__ import annotations

import datetime as dt
import re

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


# "1."、"1、"、"1)"、"（1）"、"一、"、"第一项"… typed before an agenda point; the minutes number points themselves.
_POINT_NUMBER = re.compile(r"^\s*(?:[(（]\s*[0-9一二三四五六七八九十]+\s*[)）]"
                           r"|第?[0-9一二三四五六七八九十]+项?\s*[.、)）．:：](?![0-9]))\s*")


def agenda_points(agenda: str) -> tuple[str, ...]:
    """The points of an agenda typed one per line, without the numbers people type before them:
    the minutes list them as a numbered list, so "1. 电梯维修" printed as typed would read "1. 1. 电梯维修"."""
    points = (_POINT_NUMBER.sub("", line, count=1).strip() for line in agenda.splitlines())
    return tuple(point for point in points if point)


def held_at(held_on: dt.date | None, scheduled_local: dt.datetime) -> dt.datetime:
    """When a meeting was held, in local wall time: on the day recorded as held (or the scheduled
    day), at the hour it was scheduled for. Attendance records the day only; the hour of the
    notice is the best knowledge of the time, where midnight would be a time nobody met at."""
    return dt.datetime.combine(held_on or scheduled_local.date(), scheduled_local.time().replace(second=0, microsecond=0),
                               scheduled_local.tzinfo)


def posting_last_day(first_day: dt.date, days: int) -> dt.date:
    """R-31: a period's first day is not counted, and it ends at 24:00 of its last day. A posting
    of 7 days put up on 1 May shows from 1 May to 24:00 on 8 May."""
    return first_day + dt.timedelta(days=days)
