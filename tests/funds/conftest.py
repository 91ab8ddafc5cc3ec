"""The estate and people of the accounts tests, and a clock the tests can move."""
from __future__ import annotations

import datetime as dt

import pytest

from governance_app.funds import services
from tests.funds.support import World
from tests.support.clock import Clock


@pytest.fixture
def clock(monkeypatch):
    """The accounts' time: 15 July 2026, 10:00 in Shanghai, unless a test moves it."""
    clock = Clock(local=dt.datetime(2026, 7, 15, 10, 0))
    monkeypatch.setattr(services, "now", clock)
    return clock


@pytest.fixture
def world(app, make_estate, make_user, login, clock) -> World:
    return World(app, make_estate, make_user, login)
