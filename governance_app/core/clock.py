"""The platform's one clock: the instant now, the estate's time zone and its local dates.

Deadlines are counted in the estate's local calendar (``TIMEZONE``, Asia/Shanghai by default);
instants are stored in UTC. Every package asks this module, never ``datetime.now`` itself, so a
test moves time for the whole platform with one fixture (``tests/support/clock.py``).
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app


def now() -> dt.datetime:
    """The current instant, aware, in UTC."""
    return dt.datetime.now(dt.timezone.utc)


def zone() -> ZoneInfo:
    """The estates' time zone (one per installation)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored instant as an aware one (SQLite hands back naive UTC); None stays None."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def local_date(moment: dt.datetime) -> dt.date:
    """The estate's calendar date of an instant."""
    return aware(moment).astimezone(zone()).date()


def today() -> dt.date:
    """Today in the estate's calendar."""
    return local_date(now())


def local_midnight(day: dt.date) -> dt.datetime:
    """The instant a local day begins (its start in the estate's zone, as aware UTC)."""
    return dt.datetime.combine(day, dt.time(), zone()).astimezone(dt.timezone.utc)


def end_of_local_day(day: dt.date) -> dt.datetime:
    """The instant a local day ends (the next day's midnight): a deadline "by day D" holds until then."""
    return local_midnight(day + dt.timedelta(days=1))
