"""Signing in through the pages: password, then a TOTP or recovery code (R-34); sessions."""
import datetime as dt
import hashlib
import time

import pytest
from sqlalchemy import select

from governance_app.auth import services
from governance_app.auth.models import Role, User, UserSession, utcnow
from governance_app.auth.totp import STEP_SECONDS, Totp
from governance_app.extensions import db
from tests.auth.support import (
    enrolment_secret, events, fresh, page_client, read_session, session_cookie, text, wrong_code,
)
from tests.conftest import PASSWORD

WRONG_CODE = "That code is wrong or has already been used. Wait for the next code and try again."
IDLE = "You were signed out after a time without activity. Please sign in again."


@pytest.fixture
def client(app):
    return page_client(app)


@pytest.fixture
def member(make_estate, make_user) -> User:
    return make_user(Role.COMMITTEE_MEMBER, make_estate())


def password_step(client, user: User, password: str = PASSWORD):
    return client.post("/login", data={"login": user.login, "password": password})


def sign_in(client, user: User, code: str):
    response = password_step(client, user)
    assert (response.status_code, response.location) == (302, "/login/verify")
    return client.post("/login/verify", data={"code": code})


def signed_in(client) -> bool:
    response = client.get("/account")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def session_of(client) -> UserSession | None:
    token = read_session(client.application, client).get("_user_id")
    if not token:
        return None
    fresh()
    return db.session.scalar(select(UserSession).where(
        UserSession.token_hash == hashlib.sha256(token.encode()).hexdigest()))


# --- password, then code -------------------------------------------------------------------------

def test_password_then_code_signs_in(client, member):
    assert not signed_in(client)
    response = sign_in(client, member, member.totp.code_at(int(time.time())))
    assert (response.status_code, response.location) == (302, "/")  # the home page (issue 14)
    assert signed_in(client)
    assert member.login in text(client.get("/account"))
    signed = events("user.signed_in")
    assert [(e.object_id, e.actor_id) for e in signed] == [(str(member.id), member.id)]


@pytest.mark.parametrize(("asked", "landing"), [
    ("/account/password", "/account/password"),
    ("//evil.example/", "/"),  # never off the site: the home page
    ("https://evil.example/", "/"),
])
def test_sign_in_returns_to_the_page_asked_for(client, member, asked, landing):
    client.post("/login", query_string={"next": asked}, data={"login": member.login, "password": PASSWORD})
    response = client.post("/login/verify", data={"code": member.totp.code_at(int(time.time()))})
    assert response.location == landing


def test_a_wrong_password_is_refused(client, member):
    response = password_step(client, member, "not-the-password")
    assert response.status_code == 400
    assert "The login or the password is wrong." in text(response)
    assert client.get("/login/verify").location == "/login"
    assert [e.object_id for e in events("user.password_failed")] == [str(member.id)]


def test_an_unknown_login_gets_the_same_answer(client, app_context):
    response = client.post("/login", data={"login": "nobody", "password": PASSWORD})
    assert response.status_code == 400
    assert "The login or the password is wrong." in text(response)


def test_the_code_page_needs_the_password_first(client, member):
    response = client.post("/login/verify", data={"code": member.totp.code_at(int(time.time()))})
    assert (response.status_code, response.location) == (302, "/login")
    assert not signed_in(client)


def test_a_wrong_code_is_refused_with_a_message(client, member):
    response = sign_in(client, member, wrong_code(member.totp, int(time.time())))
    assert response.status_code == 400
    assert WRONG_CODE in text(response)
    assert not signed_in(client)
    assert [e.object_id for e in events("user.second_factor_failed")] == [str(member.id)]


def test_the_wrong_code_message_in_chinese(app, member):
    client = page_client(app, "zh_CN")
    response = sign_in(client, member, wrong_code(member.totp, int(time.time())))
    assert "验证码错误或已使用过。请等下一个验证码出现后再试。" in text(response)


def test_a_replayed_code_is_refused(app, client, member):
    code = member.totp.code_at(int(time.time()))
    assert sign_in(client, member, code).status_code == 302
    other = page_client(app)
    response = sign_in(other, member, code)  # the same code, within its 30 seconds
    assert response.status_code == 400 and WRONG_CODE in text(response)
    assert not signed_in(other)
    assert signed_in(client)


def test_the_next_code_works_after_one_was_used(app, client, member):
    now = int(time.time())
    assert sign_in(client, member, member.totp.code_at(now)).status_code == 302
    other = page_client(app)
    assert sign_in(other, member, member.totp.code_at(now + STEP_SECONDS)).status_code == 302
    assert signed_in(other)


def test_a_recovery_code_works_once(app, client, member):
    codes = services.regenerate_recovery_codes(member)
    db.session.commit()
    response = sign_in(client, member, codes[0])
    assert response.status_code == 302
    assert "You signed in with a recovery code. 9 codes are left." in text(client.get("/account"))
    other = page_client(app)
    response = sign_in(other, member, codes[0])
    assert response.status_code == 400 and WRONG_CODE in text(response)
    assert not signed_in(other)


def test_an_account_without_totp_must_enrol_first(client, app_context):
    services.create_user("staff1", "员工", PASSWORD, actor=None)
    db.session.commit()
    response = client.post("/login", data={"login": "staff1", "password": PASSWORD})
    assert (response.status_code, response.location) == (302, "/account/authenticator")
    assert client.get("/login/verify").location == "/login"  # no way round the set-up
    enrol_page = client.get("/account/authenticator")
    assert enrol_page.status_code == 200
    totp = Totp(enrolment_secret(enrol_page))
    assert not signed_in(client)
    now = int(time.time())
    response = client.post("/account/authenticator", data={"code": wrong_code(totp, now)})
    assert response.status_code == 400 and WRONG_CODE in text(response)
    assert not signed_in(client)
    fresh()
    assert not services.find_user("staff1").totp_enrolled
    response = client.post("/account/authenticator", data={"code": totp.code_at(now)})
    assert response.status_code == 200 and "Your recovery codes" in text(response)
    assert signed_in(client)
    fresh()
    assert services.find_user("staff1").totp_enrolled


# --- sessions --------------------------------------------------------------------------------------

def test_sign_in_renews_the_session(app, client, member):
    password_step(client, member)
    before = session_cookie(client)
    assert set(read_session(app, client)) == {"pending"}
    sign_in_response = client.post("/login/verify", data={"code": member.totp.code_at(int(time.time()))})
    assert sign_in_response.status_code == 302
    after = read_session(app, client)
    assert session_cookie(client) != before
    assert "pending" not in after and after["_user_id"]
    assert session_of(client).user_id == member.id
    # The cookie from before the code was given does not sign anyone in.
    planted = page_client(app)
    planted.set_cookie("session", before)
    assert not signed_in(planted)


def test_each_sign_in_gets_a_new_server_session(app, client, member):
    now = int(time.time())
    sign_in(client, member, member.totp.code_at(now))
    first = session_of(client)
    client.post("/logout")
    sign_in(client, member, member.totp.code_at(now + STEP_SECONDS))
    second = session_of(client)
    assert second.id != first.id
    assert read_session(app, client)["_user_id"] != first.token
    assert db.session.get(UserSession, first.id).revoked_at is not None
    assert second.revoked_at is None


def test_logout_ends_the_session(app, client, member, login):
    login(member)
    assert signed_in(client)
    cookie = session_cookie(client)
    response = client.post("/logout")
    assert response.status_code == 302
    assert not signed_in(client)
    replayed = page_client(app)
    replayed.set_cookie("session", cookie)
    assert not signed_in(replayed)
    assert [e.object_id for e in events("user.signed_out")] == [str(member.id)]


def test_logout_everywhere_ends_every_session_of_the_user(app, client, member, make_user, login):
    phone = page_client(app)
    login(member, client=phone)
    login(member)
    someone_else = make_user(Role.AUDITOR)
    their_browser = login(someone_else, client=page_client(app))
    assert signed_in(client) and signed_in(phone)
    response = client.post("/logout/everywhere")
    assert response.status_code == 302
    assert not signed_in(client)
    assert not signed_in(phone)
    assert signed_in(their_browser)
    fresh()
    assert db.session.scalars(select(UserSession.revoked_at).where(UserSession.user_id == member.id)).all() != []
    assert all(db.session.scalars(select(UserSession.revoked_at).where(UserSession.user_id == member.id)))


@pytest.mark.parametrize(("idle_minutes", "still_in"), [(29, True), (31, False)])
def test_idle_timeout(client, member, login, idle_minutes, still_in):
    login(member)
    assert signed_in(client)
    session = session_of(client)
    session.last_seen_at = utcnow() - dt.timedelta(minutes=idle_minutes)
    db.session.commit()
    response = client.get("/account")
    if still_in:
        assert response.status_code == 200
        return
    assert (response.status_code, response.location) == (302, "/login?next=/account")
    assert IDLE in text(client.get(response.location))
    assert db.session.get(UserSession, session.id).revoked_at is not None
    assert not signed_in(client)


def test_idle_message_in_chinese(app, member, login):
    client = login(member, client=page_client(app, "zh_CN"))
    session = session_of(client)
    session.last_seen_at = utcnow() - dt.timedelta(minutes=31)
    db.session.commit()
    response = client.get("/account", follow_redirects=True)
    assert "由于一段时间没有操作，您已退出登录。请重新登录。" in text(response)


def test_signed_in_people_are_sent_on_from_the_login_page(client, member, login):
    login(member)
    assert client.get("/login").location == "/"  # the home page (issue 14)


def test_a_copy_of_the_enrolment_cookie_cannot_set_up_a_second_authenticator(app, client, app_context):
    """The page that sets up an authenticator is for accounts without one: replaying the
    half-signed-in cookie after the set-up must not replace the authenticator."""
    services.create_user("staff1", "员工", PASSWORD, actor=None)
    db.session.commit()
    client.post("/login", data={"login": "staff1", "password": PASSWORD})
    copied = session_cookie(client)
    totp = Totp(enrolment_secret(client.get("/account/authenticator")))
    assert client.post("/account/authenticator", data={"code": totp.code_at(int(time.time()))}).status_code == 200
    fresh()
    sealed = services.find_user("staff1").totp_secret

    intruder = page_client(app)
    intruder.set_cookie("session", copied)
    response = intruder.get("/account/authenticator")
    assert (response.status_code, response.location) == (302, "/login")
    fresh()
    user = services.find_user("staff1")
    assert user.totp_enrolled and user.totp_secret == sealed
    assert signed_in(client)


def test_changing_the_password_signs_out_every_other_device(app, make_user):
    from governance_app.auth import services as auth_services
    from governance_app.auth.models import UserSession
    from governance_app.extensions import db
    from sqlalchemy import select

    user = make_user(login="changer")
    here = auth_services.open_session(user, "127.0.0.1", "phone")
    other = auth_services.open_session(user, "127.0.0.1", "tablet")
    db.session.commit()
    auth_services.change_password(user, "correct-horse-battery", "a-new-Pass-2026", keep=here)
    db.session.commit()
    revoked = dict(db.session.execute(select(UserSession.id, UserSession.revoked_at)).all())
    assert revoked[here.id] is None
    assert revoked[other.id] is not None
