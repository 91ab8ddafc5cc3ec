"""The route-by-role matrix (tests/test_route_matrix.py): its GET rows, part 2 of 2, as every role."""
from __future__ import annotations

import pytest

from tests.test_route_matrix import GET_ROWS, ROLES, _answers, _expected, _prepare, rows_of
from tests.test_route_matrix import world  # noqa: F401  (fixture)

ROWS = rows_of(GET_ROWS, 1, 2)


@pytest.mark.parametrize("method, rule", ROWS, ids=[f"{m} {r}" for m, r in ROWS])
def test_get_route_as_every_role(app, world, login, method, rule):
    """Reading changes nothing another role would see, so one world serves every role."""
    _prepare(app, world, method, rule)
    answers, wanted = {}, {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            login(world.users[role], client=client)
        answers[role] = _answers(client, world, method, rule)
        wanted[role] = _expected(world, method, rule, role)
    assert answers == wanted
