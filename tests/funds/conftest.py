"""The estate and people of the accounts tests, and a clock the tests can move."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.funds.support import World


@pytest.fixture
def clock(clock):
    """The accounts' time: 15 July 2026, 10:00 in Shanghai, unless a test moves it."""
    clock.move_to(dt.datetime(2026, 7, 15, 10, 0))
    return clock


@pytest.fixture
def world(app, make_estate, make_user, login, clock) -> World:
    return World(app, make_estate, make_user, login)
