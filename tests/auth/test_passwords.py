"""Password rules, hashing, and changing one's password."""
import pytest
from sqlalchemy import select

from governance_app.auth import services
from governance_app.auth.models import Role, User
from governance_app.auth.passwords import hash_password, password_problem, verify_password
from governance_app.extensions import db
from tests.auth.support import events, fresh, page_client, text
from tests.conftest import PASSWORD


@pytest.fixture
def client(app):
    return page_client(app)


# --- rules (pure) --------------------------------------------------------------------------

@pytest.mark.parametrize(("password", "problem"), [
    ("k7#pQ2x", "too_short"),  # 7 characters
    ("k7#pQ2xz", None),  # 8
    ("k7#pQ2xzw", None),  # 9
    ("x" * 128 + "", "too_common"),  # long enough, but one character repeated
    ("k7#pQ2xz" * 16, None),  # 128
    ("k7#pQ2xz" * 16 + "a", "too_long"),  # 129
])
def test_length_limits(password, problem):
    assert password_problem(password) == problem


@pytest.mark.parametrize("password", ["12345678", "password", "Password", "woaini1314", "88888888", "1qaz2wsx",
                                      "ababababab"])
def test_common_passwords_are_refused(password):
    assert password_problem(password) == "too_common"


@pytest.mark.parametrize(("password", "login", "problem"), [
    ("13900000001", "13900000001", "same_as_login"),
    ("10000000931", "13900000001", "same_as_login"),  # the login backwards
    ("WangWei2024", "wangwei2024", "same_as_login"),  # whatever the case
    ("13900000002", "13900000001", None),
])
def test_password_may_not_be_the_login(password, login, problem):
    assert password_problem(password, login) == problem


def test_hash_is_not_the_password_and_verifies(app_context):
    hashed = hash_password(PASSWORD)
    assert PASSWORD not in hashed
    assert hashed != hash_password(PASSWORD)  # salted
    assert verify_password(hashed, PASSWORD)
    assert not verify_password(hashed, PASSWORD + "x")


def test_accounts_store_only_the_hash(make_user):
    user = make_user(Role.AUDITOR)
    stored = db.session.scalar(select(User.password_hash).where(User.id == user.id))
    assert PASSWORD not in stored and verify_password(stored, PASSWORD)


def test_create_user_refuses_a_bad_password(app_context):
    with pytest.raises(services.AuthError) as refused:
        services.create_user("13900000001", "王伟", "1234567", actor=None)
    assert refused.value.reason == "password_too_short"
    fresh()
    assert db.session.scalars(select(User)).all() == []


# --- changing one's password -----------------------------------------------------------------

def test_change_password_service(make_user):
    user = make_user(Role.AUDITOR)
    with pytest.raises(services.AuthError) as refused:
        services.change_password(user, "not-the-password", "a-new-good-one")
    assert refused.value.reason == "wrong_password"
    services.change_password(user, PASSWORD, "a-new-good-one")
    db.session.commit()
    assert services.check_password(user, "a-new-good-one")
    assert not services.check_password(user, PASSWORD)
    assert events("user.password_changed")[0].object_id == str(user.id)


def change(client, current: str, new: str, confirm: str | None = None):
    return client.post("/account/password", data={"current": current, "password": new,
                                                  "confirm": new if confirm is None else confirm})


def test_change_password_page(client, make_user, login):
    user = make_user(Role.AUDITOR)
    login(user)
    response = change(client, PASSWORD, "a-new-good-one")
    assert response.status_code == 302 and response.location == "/account"
    fresh()
    assert services.check_password(db.session.get(User, user.id), "a-new-good-one")
    assert "Your password has been changed." in text(client.get("/account"))


def test_wrong_current_password_is_refused_with_a_message(client, make_user, login):
    user = make_user(Role.AUDITOR)
    login(user)
    response = change(client, "not-the-password", "a-new-good-one")
    assert response.status_code == 400
    assert "The current password is wrong." in text(response)
    fresh()
    assert services.check_password(db.session.get(User, user.id), PASSWORD)
    assert events("user.password_changed") == []


@pytest.mark.parametrize(("new", "message"), [
    ("k7#pQ2x", "The password must have at least 8 characters."),
    ("12345678", "This password is too easy to guess. Choose another one."),
])
def test_new_password_must_meet_the_rules(client, make_user, login, new, message):
    user = make_user(Role.AUDITOR)
    login(user)
    response = change(client, PASSWORD, new)
    assert response.status_code == 400 and message in text(response)
    fresh()
    assert services.check_password(db.session.get(User, user.id), PASSWORD)


def test_new_password_may_not_be_the_login(client, make_user, login):
    user = make_user(Role.AUDITOR, login="wangwei2024")
    login(user)
    response = change(client, PASSWORD, "WangWei2024")
    assert response.status_code == 400 and "The password must not be your login." in text(response)


def test_the_two_new_passwords_must_match(client, make_user, login):
    user = make_user(Role.AUDITOR)
    login(user)
    response = change(client, PASSWORD, "a-new-good-one", "a-new-good-two")
    assert response.status_code == 400 and "The two passwords differ." in text(response)
