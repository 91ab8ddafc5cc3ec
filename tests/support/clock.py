"""One fixture, ``clock``, to move the platform's clock (``governance_app.core.clock``).

    def test_deadline(clock):
        clock.set(2026, 3, 1, hour=9)         # 09:00 in the estate's zone
        clock.advance(days=15)

The whole platform moves with it (every package asks ``governance_app.core.clock``), sessions
included: a test that jumps days signs in again.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    """The tests' one clock: call it for the time. The ``clock`` fixture puts it in place of the
    platform's ``now``; a package's conftest may override ``clock`` to start at its own moment."""

    def __init__(self, at: dt.datetime | None = None, *, local: dt.datetime | None = None):
        self.at = at or dt.datetime.now(dt.timezone.utc)
        if local is not None:
            self.move_to(local)

    def __call__(self) -> dt.datetime:
        return self.at

    def set(self, year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
        """Move to a local (Asia/Shanghai) time."""
        self.at = dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(dt.timezone.utc)
        return self.at

    def move_to(self, local: dt.datetime) -> dt.datetime:
        """Move to a local (Asia/Shanghai) wall time given without a zone."""
        self.at = local.replace(tzinfo=SHANGHAI).astimezone(dt.timezone.utc)
        return self.at

    def move_to_day(self, day: dt.date) -> dt.datetime:
        """Move to 10:00 of a local day."""
        return self.move_to(dt.datetime.combine(day, dt.time(10)))

    def advance(self, **delta) -> dt.datetime:
        self.at = self.at + dt.timedelta(**delta)
        return self.at


@pytest.fixture
def clock(monkeypatch):
    """The platform's one clock, frozen at the real now until the test moves it."""
    from governance_app.core import clock as platform

    moved = Clock()
    monkeypatch.setattr(platform, "now", moved)
    return moved
