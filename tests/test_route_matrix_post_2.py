"""The route-by-role matrix (tests/test_route_matrix.py): its rows that change something, part 2 of 3, each role in a fresh world."""
from __future__ import annotations

import pytest

from tests.test_route_matrix import OTHER_ROWS, ROLES, _answers, _expected, _prepare, rows_of
from tests.test_route_matrix import world  # noqa: F401  (fixture)

ROWS = rows_of(OTHER_ROWS, 1, 3)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, rule", ROWS, ids=[f"{m} {r}" for m, r in ROWS])
def test_route(app, world, client, login, method, rule, role):
    """A request that changes something gets a fresh world for each role."""
    _prepare(app, world, method, rule)
    if role != "anonymous":
        login(world.users[role])
    assert _answers(client, world, method, rule) == _expected(world, method, rule, role)
