"""/metrics counts wrong passwords, wrong codes, attempts while locked, and locks (issue 21)."""
from __future__ import annotations

import time

import pytest
from prometheus_client import REGISTRY

from governance_app.auth.models import Role
from tests.auth.support import page_client, wrong_code
from tests.conftest import PASSWORD


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def member(make_estate, make_user):
    return make_user(Role.COMMITTEE_MEMBER, make_estate())


def test_sign_in_failures_and_the_lock_are_counted(app, member):
    client = page_client(app)
    passwords, codes, locked, locks = (value("governance_sign_in_failures_total", kind="password"),
                                       value("governance_sign_in_failures_total", kind="code"),
                                       value("governance_sign_in_failures_total", kind="locked"),
                                       value("governance_sign_in_locks_total"))
    client.post("/login", data={"login": member.login, "password": "not-the-password"})
    client.post("/login", data={"login": "nobody-at-all", "password": "not-the-password"})
    assert value("governance_sign_in_failures_total", kind="password") == passwords + 2
    assert client.post("/login", data={"login": member.login, "password": PASSWORD}).location == "/login/verify"
    for n in range(4):
        client.post("/login/verify", data={"code": wrong_code(member.totp, int(time.time()))})
    assert value("governance_sign_in_locks_total") == locks
    client.post("/login/verify", data={"code": wrong_code(member.totp, int(time.time()))})
    assert value("governance_sign_in_failures_total", kind="code") == codes + 5
    assert value("governance_sign_in_locks_total") == locks + 1
    client.post("/login/verify", data={"code": member.totp.code_at(int(time.time()))})
    assert value("governance_sign_in_failures_total", kind="locked") == locked + 1
    assert value("governance_sign_in_locks_total") == locks + 1
