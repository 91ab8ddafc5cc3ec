"""Limits that stop guessing: second-factor failures per account, requests per address."""
import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest

from governance_app.auth import services
from governance_app.auth.models import Role, User
from governance_app.auth.totp import Totp
from governance_app.extensions import db
from tests.auth.support import age_second_factor, enrolment_secret, events, fresh, page_client, text, wrong_code
from tests.conftest import PASSWORD

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def client(app):
    return page_client(app)


@pytest.fixture
def member(make_estate, make_user) -> User:
    return make_user(Role.COMMITTEE_MEMBER, make_estate())


def reset_time(user: User) -> float:
    """When the account's lock ends, as the database holds it."""
    fresh()
    return services.second_factor_locked_until(user).timestamp()


def fail_codes(client, user: User, times: int):
    """Sign in with the password, then give ``times`` wrong codes; the last answer."""
    response = client.post("/login", data={"login": user.login, "password": PASSWORD})
    assert response.location == "/login/verify"
    for _ in range(times):
        response = client.post("/login/verify", data={"code": wrong_code(user.totp, int(time.time()))})
        assert response.status_code == 400
    return response


def test_four_wrong_codes_still_allow_the_right_one(client, member):
    fail_codes(client, member, 4)
    response = client.post("/login/verify", data={"code": member.totp.code_at(int(time.time()))})
    assert (response.status_code, response.location) == (302, "/")  # the home page (issue 14)


def test_after_five_wrong_codes_even_the_right_one_waits(client, member):
    started = time.time()
    fifth = fail_codes(client, member, 5)
    finished = time.time()
    assert "That code is wrong or has already been used." in text(fifth)  # counted, not yet locked
    response = client.post("/login/verify", data={"code": member.totp.code_at(int(time.time()))})
    assert response.status_code == 400
    reset_at = reset_time(member)
    assert started + 15 * 60 - 1 <= reset_at <= finished + 15 * 60 + 1  # 15 minutes from the first failure
    shown = dt.datetime.fromtimestamp(reset_at, SHANGHAI).strftime("%H:%M")
    assert f"Too many wrong codes. Try again at {shown}." in text(response)
    assert client.get("/account").status_code == 302
    assert len(events("user.second_factor_failed")) == 5  # the refused sixth try is not a failure of the code


def test_the_wait_is_shown_in_shanghai_time_in_chinese(app, member):
    client = page_client(app, "zh_CN")
    fail_codes(client, member, 5)
    response = client.post("/login/verify", data={"code": member.totp.code_at(int(time.time()))})
    shown = dt.datetime.fromtimestamp(reset_time(member), SHANGHAI).strftime("%H:%M")
    assert f"验证码错误次数过多。请在 {shown} 之后再试。" in text(response)


def test_the_lock_is_per_account(app, client, member, make_user):
    fail_codes(client, member, 5)
    someone_else = make_user(Role.AUDITOR)
    other = page_client(app)  # the same address
    other.post("/login", data={"login": someone_else.login, "password": PASSWORD})
    response = other.post("/login/verify", data={"code": someone_else.totp.code_at(int(time.time()))})
    assert (response.status_code, response.location) == (302, "/")


def test_the_lock_also_stops_a_recovery_code(client, member):
    codes = services.regenerate_recovery_codes(member)
    db.session.commit()
    fail_codes(client, member, 5)
    response = client.post("/login/verify", data={"code": codes[0]})
    assert "Too many wrong codes." in text(response)
    assert services.unused_recovery_codes(member) == 10


def test_the_lock_also_stops_step_up(app, client, member, login):
    fail_codes(client, member, 5)
    signed_in = login(member, client=page_client(app))
    age_second_factor(member, 6)
    response = signed_in.post("/account/recovery-codes", data={"step_up_code": member.totp.code_at(int(time.time()))})
    assert response.status_code == 200 and "Too many wrong codes." in text(response)
    assert services.unused_recovery_codes(member) == 0


def test_the_lock_also_stops_enrolment(client, app_context):
    user = services.create_user("staff1", "员工", PASSWORD, actor=None)
    db.session.commit()
    client.post("/login", data={"login": "staff1", "password": PASSWORD})
    secret = enrolment_secret(client.get("/account/authenticator"))
    totp = Totp(secret)
    for _ in range(5):
        client.post("/account/authenticator", data={"code": wrong_code(totp, int(time.time()))})
    response = client.post("/account/authenticator", data={"code": totp.code_at(int(time.time()))})
    assert response.status_code == 400 and "Too many wrong codes." in text(response)
    fresh()
    assert not db.session.get(User, user.id).totp_enrolled


# --- per address --------------------------------------------------------------------------------

def test_sign_in_attempts_are_limited_per_address(app, client, app_context):
    for _ in range(10):
        assert client.post("/login", data={"login": "nobody", "password": "guess"}).status_code == 400
    response = client.post("/login", data={"login": "nobody", "password": "guess"})
    assert response.status_code == 429
    assert "Too many attempts" in text(response)
    elsewhere = page_client(app)
    response = elsewhere.post("/login", data={"login": "nobody", "password": "guess"},
                              environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert response.status_code == 400
    assert client.get("/login").status_code == 200  # only posting is limited


def test_activation_attempts_are_limited_per_address(app, client, app_context):
    data = {"unit": "1-101", "code": "AAAA-BBBB-CCCC", "id_last4": "1234"}
    for _ in range(10):
        assert client.post("/activate", data=data).status_code == 400
    assert client.post("/activate", data=data).status_code == 429
    elsewhere = page_client(app)
    assert elsewhere.post("/activate", data=data, environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 400
