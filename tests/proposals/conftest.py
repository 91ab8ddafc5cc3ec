"""The estate and people of the proposals tests."""
from __future__ import annotations

import pytest

from tests.proposals.support import World


@pytest.fixture
def world(app, make_estate, make_user, login, clock) -> World:
    clock.set(2026, 7, 15, hour=10)
    return World(app, make_estate, make_user, login, clock)
