"""Control characters in every input (issue 12, point 6), over the rows of the route matrix (tests/test_route_matrix.py), part 2 of 2."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import g

from tests.test_route_matrix import MATRIX, ROLES, _Recording, _admitted, _prepare, _with_query, request_of, rows_of
from tests.test_route_matrix import world  # noqa: F401  (fixture)

ROWS = rows_of(list(MATRIX), 1, 2)


@pytest.mark.parametrize("method, rule", ROWS, ids=[f"{m} {r}" for m, r in ROWS])
def test_a_nul_in_any_query_parameter_or_form_field_is_refused_with_400(app, world, login, monkeypatch, method,
                                                                         rule):
    """Issue 12: every query parameter and form field a page reads (found by asking it first, as
    each role it lets in, which names it looks up), and one it does not read, sent with a NUL:
    each answer is the 400 page, never a 500 (PostgreSQL refuses NUL in text) nor a page that went
    on with it. Runs on PostgreSQL in CI's second pass."""
    _prepare(app, world, method, rule)
    recording = type("RecordingRequest", (app.request_class,), {"parameter_storage_class": _Recording})
    monkeypatch.setattr(app, "request_class", recording)
    clients = {}

    def client_for(role: str):
        if role not in clients:
            clients[role] = app.test_client()
            if role != "anonymous":
                login(world.users[role], client=clients[role])
        # The requests share this test's application context, where Flask-Login keeps the user
        # it loaded last: forget it, so that each client is served as its own user.
        g.pop("_login_user", None)
        return clients[role]

    tried = []
    for target, row in MATRIX[(method, rule)].items():
        url, form = request_of(target, world.ids)
        read = {}
        for role in _admitted(row):
            _Recording.names = set()
            # A form with something in it: Flask-WTF takes an empty one for no form at all.
            client_for(role).open(url, method=method, data={**form, "probe": "1"} if method == "POST" else None).close()
            read[role] = _Recording.names - {"probe"}
        # The role whose page read the most names sends them all; also a name no page reads.
        role = max(read, key=lambda admitted: len(read[admitted]))
        names = set().union(*read.values()) | set(form) | {"unread"}
        names |= {key for key, _value in parse_qsl(urlsplit(url).query)}
        for name in sorted(names):
            sent = [(_with_query(url, name, "x\x00"), form)]
            if method == "POST":
                sent.append((url, {**form, name: "x\x00"}))
            for nul_url, nul_form in sent:
                response = client_for(role).open(nul_url, method=method, data=nul_form if method == "POST" else None)
                response.close()
                tried.append((nul_url, sorted(nul_form), response.status_code))
    refused = [status for _url, _form, status in tried]
    assert refused == [400] * len(tried), [attempt for attempt in tried if attempt[2] != 400]
