"""Issue 12, point 1: a staff-assisted reset lets no staff member hold a credential of someone else.

Before the fix the temporary password appeared on the supervisor's screen, signing in with it
only asked for a new authenticator, and the person was not told. Now an owner gets a new
activation letter (re-opened with the last 4 characters of their id document, as at first
activation) and a staff account a one-time code that only lets its holder choose a password
and an authenticator; everything the account had ends at the reset; the person is told; the
supervisors see it. (Casting after a reset, and the supervisors' mark on such a ballot:
tests/voting/test_reset_ballots.py.)
"""
from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from sqlalchemy import select, update

from governance_app.auth import services
from governance_app.auth.models import AccountReset, ActivationCode, Role, User, UserSession
from governance_app.auth.totp import Totp
from governance_app.estates.models import Owner, OwnerKind
from governance_app.extensions import db
from tests.auth.support import (
    LI, WANG, enrolment_secret, events, fresh, import_estate_roll, page_client, text,
)
from tests.conftest import PASSWORD

SIGN_IN_NOTICE = "Your account was reset on {time} by 街道李主任."
LOGIN_FAILED = "The login or the password is wrong."
CODE_PATTERN = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")


@pytest.fixture
def client(app):
    return page_client(app)


@pytest.fixture
def estate(make_estate):
    estate = make_estate("梅园小区", "星光居民区", "测试街道")
    import_estate_roll(estate)
    return estate


@pytest.fixture
def supervisor(app, make_user, login, estate) -> User:
    supervisor = make_user(Role.SUBDISTRICT_SUPERVISOR, estate.community.sub_district, login="supervisor",
                           name="街道李主任")
    supervisor.pages = login(supervisor, client=page_client(app))
    return supervisor


@pytest.fixture
def wang(make_user, estate) -> User:
    """王伟, owner of 1-101 and 1-102, with an account, recovery codes and his phone signed in."""
    owner = db.session.scalar(select(Owner).where(Owner.name == "王伟"))
    user = make_user(owner=owner, login="13900000001", name="王伟")
    user.recovery = services.regenerate_recovery_codes(user)
    db.session.commit()
    return user


@pytest.fixture
def member(make_user, estate) -> User:
    return make_user(Role.COMMITTEE_MEMBER, estate, login="member1", name="成员甲")


def shown_codes(response) -> list[str]:
    """Everything on a page that looks like a code or a password someone could type."""
    body = text(response)
    return sorted(set(CODE_PATTERN.findall(body)) | set(re.findall(r"<code[^>]*>([^<]+)</code>", body)))


def password_step(client, login: str, password: str):
    return client.post("/login", data={"login": login, "password": password})


def sign_in(client, login: str, password: str, totp: Totp):
    response = password_step(client, login, password)
    assert response.location == "/login/verify", text(response)
    return client.post("/login/verify", data={"code": totp.code_at(int(time.time()))})


def when(moment) -> str:
    from zoneinfo import ZoneInfo

    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")


# --- an owner: a new activation letter ------------------------------------------------------------------

def test_the_supervisor_who_resets_an_owner_cannot_sign_in_as_them(app, supervisor, wang):
    """The attack of the report: nothing the supervisor sees after the reset signs in as 王伟."""
    phone = page_client(app)
    assert sign_in(phone, "13900000001", PASSWORD, wang.totp).location == "/"
    reset_page = supervisor.pages.post(f"/admin/users/{wang.id}/reset", data={})
    candidates = shown_codes(reset_page)
    assert reset_page.status_code == 200 and candidates  # a code is on the page, to print or hand over
    signed_out = page_client(app)  # the supervisor's other browser
    for candidate in candidates + [PASSWORD]:
        response = password_step(signed_out, "13900000001", candidate)
        assert response.status_code == 400 and LOGIN_FAILED in text(response), candidate
    assert "激活函" in text(reset_page)  # the code is an activation letter's (letters are in Chinese)
    # Nor does the old authenticator, a recovery code, or the phone's session.
    assert phone.get("/account").status_code == 302
    for code in (wang.totp.code_at(int(time.time())), wang.recovery[0]):
        browser = page_client(app)
        assert password_step(browser, "13900000001", PASSWORD).status_code == 400
        assert browser.post("/login/verify", data={"code": code}).location == "/login"
    fresh()
    assert not db.session.get(User, wang.id).totp_enrolled and services.unused_recovery_codes(wang) == 0
    # The letter alone opens nothing: the id document's last 4 characters, which the page does not
    # show, are needed with it.
    [code] = CODE_PATTERN.findall(text(reset_page))
    assert WANG[-4:] not in text(reset_page)
    guessed = signed_out.post("/activate", data={"unit": "1-101", "code": code, "id_last4": "0000"})
    assert guessed.status_code == 400


def test_the_owner_reopens_the_account_with_the_letter_and_the_id_document(app, supervisor, wang):
    response = supervisor.pages.post(f"/admin/users/{wang.id}/reset", data={})
    [code] = CODE_PATTERN.findall(text(response))
    assert "您的账户已重置，登录名仍为 13900000001。请设置新密码。" in text(response)
    owner = page_client(app)
    response = owner.post("/activate", data={"unit": "1-102", "code": code, "id_last4": WANG[-4:]})
    assert response.location == "/activate/account"
    page = owner.get("/activate/account")
    assert "Welcome back, 王某. Your account was reset: your login stays 13900000001." in text(page)
    response = owner.post("/activate/account", data={"password": "a-new-good-password",
                                                      "confirm": "a-new-good-password"})
    assert response.location == "/account/authenticator"
    totp = Totp(enrolment_secret(owner.get("/account/authenticator")))
    response = owner.post("/account/authenticator", data={"code": totp.code_at(int(time.time()))})
    assert response.status_code == 200
    reset = db.session.scalar(select(AccountReset))
    notice = SIGN_IN_NOTICE.format(time=when(reset.reset_at))
    assert notice in text(response)  # told at the first sign-in after the reset
    account = text(owner.get("/account"))
    assert f"Reset on {when(reset.reset_at)} by 街道李主任" in account and notice not in account  # told once
    fresh()
    user = db.session.get(User, wang.id)
    assert [u.id for u in db.session.scalars(select(User))].count(wang.id) == 1  # the same account, not a new one
    assert services.check_password(user, "a-new-good-password") and user.totp_enrolled
    assert [e.details for e in events("user.reset_completed")] == [{"by": "letter"}]
    # The letter works once.
    again = page_client(app).post("/activate", data={"unit": "1-101", "code": code, "id_last4": WANG[-4:]})
    assert again.status_code == 400


def test_a_reset_letter_replaces_every_earlier_letter_of_the_owner(supervisor, wang, estate):
    earlier = ActivationCode(estate_id=estate.id, voter_key="o1", owner_id=wang.owner_id, code_hash="x" * 64,
                             expires_at=services.utcnow() + dt.timedelta(days=3))
    db.session.add(earlier)
    db.session.commit()
    supervisor.pages.post(f"/admin/users/{wang.id}/reset", data={})
    fresh()
    codes = db.session.scalars(select(ActivationCode).where(ActivationCode.owner_id == wang.owner_id)
                               .order_by(ActivationCode.id)).all()
    assert [(c.revoked_at is not None, c.user_id) for c in codes] == [(True, None), (False, wang.id)]
    assert codes[1].created_by_id == supervisor.id


def test_an_owner_not_on_the_roll_is_not_reset(supervisor, make_user, estate):
    stranger = Owner(estate_id=estate.id, kind=OwnerKind.PERSON, name="孙丽", id_doc_hash="h" * 64, id_doc_last4="5555")
    db.session.add(stranger)
    db.session.commit()
    user = make_user(owner=stranger, login="13900000005")
    response = supervisor.pages.post(f"/admin/users/{user.id}/reset", data={}, follow_redirects=True)
    assert "This owner is not on the estate's current roll, so no letter can be issued." in text(response)
    fresh()
    user = db.session.get(User, user.id)
    assert user.totp_enrolled and services.check_password(user, PASSWORD)  # nothing changed
    assert events("user.assisted_reset") == []


# --- a staff account: a one-time reset code --------------------------------------------------------------

def test_the_reset_code_only_sets_a_new_password_and_authenticator(app, supervisor, member):
    laptop = page_client(app)
    assert sign_in(laptop, "member1", PASSWORD, member.totp).location == "/"
    response = supervisor.pages.post(f"/admin/users/{member.id}/reset", data={})
    [code] = re.findall(r"<code>([A-Z0-9-]+)</code>", response.get_data(as_text=True))
    # The code is no password: it signs in to nothing.
    for password in (code, PASSWORD):
        assert password_step(page_client(app), "member1", password).status_code == 400
    assert response.status_code == 200 and "Account reset" in text(response)
    assert "/account/reset" in text(response)
    fresh()
    assert db.session.scalar(select(AccountReset.code_hash)) != code
    assert laptop.get("/account").status_code == 302

    holder = page_client(app)
    response = holder.post("/account/reset", data={"login": "member1", "code": code.lower()})
    assert response.location == "/account/reset/password"
    assert "Choose a new password for member1" in text(holder.get("/account/reset/password"))
    response = holder.post("/account/reset/password", data={"password": "a-new-good-password",
                                                             "confirm": "a-new-good-password"})
    assert response.location == "/account/authenticator"
    assert holder.get("/account").status_code == 302  # not signed in
    assert holder.post("/login/verify", data={"code": "123456"}).location == "/login"
    totp = Totp(enrolment_secret(holder.get("/account/authenticator")))
    response = holder.post("/account/authenticator", data={"code": totp.code_at(int(time.time()))})
    assert response.status_code == 200 and "Now sign in with them." in text(response)
    assert len(re.findall(r"<li><code>", response.get_data(as_text=True))) == 10
    assert holder.get("/account").status_code == 302  # still not signed in: the code signed in to nothing
    assert db.session.scalar(select(UserSession.id).where(UserSession.user_id == member.id,
                                                          UserSession.revoked_at.is_(None))) is None

    response = password_step(holder, "member1", "a-new-good-password")
    assert response.location == "/login/verify"
    next_code = totp.code_at(int(time.time()) + 30)  # the enrolment claimed this step's code
    response = holder.post("/login/verify", data={"code": next_code})
    assert response.location == "/"
    reset = db.session.scalar(select(AccountReset))
    assert SIGN_IN_NOTICE.format(time=when(reset.reset_at)) in text(holder.get("/account"))
    # Used once.
    again = page_client(app).post("/account/reset", data={"login": "member1", "code": code})
    assert again.status_code == 400 and "This reset code no longer works" in text(again)
    assert [e.details for e in events("user.reset_completed")] == [{"by": "code"}]


def test_a_reset_code_expires(app, supervisor, member):
    code, _expires_at = services.reset_staff_account(member, actor=supervisor)
    db.session.execute(update(AccountReset).values(expires_at=services.utcnow() - dt.timedelta(seconds=1)))
    db.session.commit()
    response = page_client(app).post("/account/reset", data={"login": "member1", "code": code})
    assert response.status_code == 400 and "This reset code no longer works" in text(response)


def test_a_new_reset_replaces_the_earlier_code(app, supervisor, member):
    first, _ = services.reset_staff_account(member, actor=supervisor)
    second, _ = services.reset_staff_account(member, actor=supervisor)
    db.session.commit()
    assert page_client(app).post("/account/reset", data={"login": "member1", "code": first}).status_code == 400
    assert page_client(app).post("/account/reset", data={"login": "member1", "code": second}).status_code == 302


@pytest.mark.parametrize(("failures", "works"), [(4, True), (5, False)])
def test_five_wrong_reset_codes_use_the_code_up(app, supervisor, member, failures, works):
    code, _ = services.reset_staff_account(member, actor=supervisor)
    db.session.commit()
    for n in range(failures):
        browser = page_client(app)  # a new browser each time: counted on the code, not the session
        response = browser.post("/account/reset", data={"login": "member1", "code": "AAAA-BBBB-CCC" + str(n)})
        assert response.status_code == 400 and "This login and reset code do not match." in text(response)
    response = page_client(app).post("/account/reset", data={"login": "member1", "code": code})
    assert (response.status_code == 302) is works
    assert [e.details["attempt"] for e in events("user.reset_code_failed")] == list(range(1, failures + 1))


def test_reset_codes_are_limited_per_address(app, supervisor, member):
    services.reset_staff_account(member, actor=supervisor)
    db.session.commit()
    browser = page_client(app)
    for _ in range(10):
        assert browser.post("/account/reset", data={"login": "nobody", "code": "AAAA-BBBB-CCCC"}).status_code == 400
    assert browser.post("/account/reset", data={"login": "nobody", "code": "AAAA-BBBB-CCCC"}).status_code == 429


def test_the_reset_pages_need_a_checked_code(client):
    assert client.get("/account/reset").status_code == 200
    assert client.get("/account/reset/password").location == "/account/reset"
    assert client.post("/account/reset/password", data={"password": "a-new-good-password",
                                                         "confirm": "a-new-good-password"}).location == "/account/reset"


# --- at the moment of the reset -------------------------------------------------------------------------------

def test_a_sign_in_begun_before_the_reset_cannot_be_finished_after_it(app, supervisor, make_user):
    """Someone who had the password and stopped at the authenticator page (an account not yet
    set up) cannot set one up once the account is reset."""
    services.create_user("newstaff", "新员工", PASSWORD, actor=None)
    db.session.commit()
    intruder = page_client(app)
    assert password_step(intruder, "newstaff", PASSWORD).location == "/account/authenticator"
    totp = Totp(enrolment_secret(intruder.get("/account/authenticator")))
    services.reset_staff_account(services.find_user("newstaff"), actor=supervisor)
    db.session.commit()
    response = intruder.post("/account/authenticator", data={"code": totp.code_at(int(time.time()))})
    assert response.location == "/login"
    fresh()
    assert not services.find_user("newstaff").totp_enrolled


def test_the_account_page_shows_the_reset_in_chinese(app, supervisor, member, login):
    services.reset_staff_account(member, actor=supervisor)
    member.totp_confirmed_at = services.utcnow()  # set up again (the pages: above)
    db.session.commit()
    reset = db.session.scalar(select(AccountReset))
    client = login(member, client=page_client(app, "zh_CN"))
    assert f"重置于 {when(reset.reset_at)} 由 街道李主任 办理" in text(client.get("/account"))
    assert f"Reset on {when(reset.reset_at)}" in text(supervisor.pages.get(f"/admin/users/{member.id}"))


# --- what supervisors see -------------------------------------------------------------------------------------------

def test_supervisors_see_every_reset_in_the_audit_log(app, supervisor, wang, member, make_user, make_estate, login):
    supervisor.pages.post(f"/admin/users/{wang.id}/reset", data={})
    supervisor.pages.post(f"/admin/users/{member.id}/reset", data={})
    resets = events("user.assisted_reset")
    assert [(e.object_id, e.actor_id, e.details["by"]) for e in resets] == [
        (str(wang.id), supervisor.id, "letter"), (str(member.id), supervisor.id, "code")]
    page = supervisor.pages.get("/audit?action=user.assisted_reset").get_data(as_text=True)
    assert page.count("issued a reset code for an account") == 2  # as sentences (issue 14)
    # Another sub-district's supervisor sees neither.
    elsewhere = make_estate("桃园小区", "远方居民区", "别的街道")
    other = login(make_user(Role.SUBDISTRICT_SUPERVISOR, elsewhere.community.sub_district, login="other"),
                  client=page_client(app))
    assert "issued a reset code for an account" not in other.get("/audit?action=user.").get_data(as_text=True)


def test_an_owner_s_reset_is_in_the_estate_s_chain(supervisor, wang, estate):
    supervisor.pages.post(f"/admin/users/{wang.id}/reset", data={})
    [reset] = events("user.assisted_reset")
    assert reset.estate_id == estate.id and reset.details["voter"]


def test_li_na_s_code_is_not_wang_s(supervisor, wang, make_user, estate):
    """The letter of a reset is addressed to the reset account's owner only."""
    li = make_user(owner=db.session.scalar(select(Owner).where(Owner.name == "李娜")), login="13900000002")
    response = supervisor.pages.post(f"/admin/users/{wang.id}/reset", data={})
    [code] = CODE_PATTERN.findall(text(response))
    with pytest.raises(services.AuthError):
        services.check_activation("2-201", code, LI[-4:])
    fresh()
    assert db.session.get(User, li.id).totp_enrolled
