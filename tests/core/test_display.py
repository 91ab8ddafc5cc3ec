"""长辈版, the elder display: the switch (no JavaScript, CSRF, back to the same page), where the
choice is kept (the device before sign-in, the account after) and which wins, and what every
page gets from base.html. What it looks like and measures in a browser: tests/e2e/test_elder_browser.py."""
from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from governance_app.auth.models import Role, User
from governance_app.core.display import DISPLAY_COOKIE
from governance_app.estates.models import Owner
from governance_app.extensions import db
from tests.auth.support import fresh, page_client
from tests.conftest import PASSWORD, owner_row, roll_csv

ELDER_HTML = re.compile(r'<html lang="[^"]+" class="elder">')


@pytest.fixture
def pages(app):
    return page_client(app, language="zh_CN")


@pytest.fixture
def estate(make_estate):
    from governance_app.estates import services as estate_services

    estate = make_estate("梅园小区")
    assert estate_services.import_roll(estate, roll_csv([owner_row("1", "1-101", "88.50", "王伟", "310101199001011234")]),
                                       "roll.csv").ok
    db.session.commit()
    return estate


@pytest.fixture
def owner(make_user, estate) -> User:
    wang = db.session.scalar(select(Owner).where(Owner.estate_id == estate.id))
    return make_user(owner=wang, login="13900000001", name="王伟")


def is_elder(response) -> bool:
    return bool(ELDER_HTML.search(response.get_data(as_text=True)))


def switch(client, mode: str, next_url: str = "/login"):
    return client.post("/display", data={"mode": mode, "next": next_url})


def sign_in(client, user: User, at: int | None = None):
    """Through the pages: the password, then the code (Flask-Login's user_logged_in fires)."""
    response = client.post("/login", data={"login": user.login, "password": PASSWORD})
    assert (response.status_code, response.location) == (302, "/login/verify")
    response = client.post("/login/verify", data={"code": user.totp.code_at(at or int(time.time()))})
    assert (response.status_code, response.location) == (302, "/"), response.get_data(as_text=True)[:300]
    return response


def stored_choice(user: User) -> bool | None:
    fresh()
    return db.session.get(User, user.id).elder_mode


# --- the switch ----------------------------------------------------------------------------------------------

def test_every_page_has_the_switch_before_and_after_sign_in(pages, owner, login):
    """At the top of every page (base.html), the sign-in page too: a form posting to /display."""
    for path in ("/", "/login", "/activate", "/documents/check"):
        body = pages.get(path).get_data(as_text=True)
        assert 'action="/display"' in body and 'name="mode" value="elder"' in body and "长辈版" in body, path
    login(owner, client=pages)
    body = pages.get("/account").get_data(as_text=True)
    assert body.count('action="/display"') == 2  # the top of the page, and the account's settings
    assert "切换到长辈版" in body


def test_switching_before_sign_in_is_kept_for_the_device_and_brings_the_reader_back(pages):
    assert not is_elder(pages.get("/login"))
    response = switch(pages, "elder", "/login?next=/account")
    assert (response.status_code, response.location) == (302, "/login?next=/account")
    cookie = pages.get_cookie(DISPLAY_COOKIE)
    assert cookie.value == "elder" and cookie.same_site == "Lax" and cookie.max_age == 365 * 24 * 3600
    assert is_elder(pages.get("/login"))
    body = pages.get("/").get_data(as_text=True)
    assert 'name="mode" value="standard"' in body and "标准版" in body
    switch(pages, "standard")
    assert pages.get_cookie(DISPLAY_COOKIE).value == "standard"
    assert not is_elder(pages.get("/login"))


def test_the_device_cookie_holds_the_choice_and_nothing_else(pages):
    """No identifier: the cookie cannot tell one device from another."""
    switch(pages, "elder")
    other = page_client(pages.application, language="zh_CN")
    switch(other, "elder")
    assert pages.get_cookie(DISPLAY_COOKIE).value == other.get_cookie(DISPLAY_COOKIE).value == "elder"


def test_an_unknown_display_is_refused_with_a_message_and_changes_nothing(pages):
    response = pages.post("/display", data={"mode": "huge", "next": "/login"}, follow_redirects=True)
    assert "没有这种显示方式" in response.get_data(as_text=True)
    assert pages.get_cookie(DISPLAY_COOKIE) is None and not is_elder(response)


def test_the_switch_needs_the_form_token(app, pages, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = switch(pages, "elder")
    assert response.status_code == 400 and "表单已过期" in response.get_data(as_text=True)
    assert pages.get_cookie(DISPLAY_COOKIE) is None


def test_the_switch_is_not_an_open_redirect(pages):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        assert switch(pages, "elder", target).location == "/"


def test_the_switch_comes_back_to_the_page_it_is_on(pages, owner, login):
    """The ``next`` of the switches is the page itself, with its query."""
    login(owner, client=pages)
    body = pages.get("/documents/check?number=GV-2026-AAAA-BBBB").get_data(as_text=True)
    form = re.search(r'<form class="display-switch".*?</form>', body, re.S).group(0)
    assert 'name="next" value="/documents/check?number=GV-2026-AAAA-BBBB"' in form


def test_a_page_drawn_for_a_post_only_brings_the_switch_back_home(app):
    """Its address cannot be fetched again: the switch leads home rather than to a refusal."""
    from governance_app.core.display import here

    with app.test_request_context("/logout", method="POST"):
        assert here() == "/"
    with app.test_request_context("/votes/3/ballot?voter=k", method="POST"):  # GET and POST
        assert here() == "/votes/3/ballot?voter=k"


def test_pages_that_show_codes_once_have_no_switch(pages, owner, login):
    """Switching there would come back to a page without the codes (they cannot be shown again)."""
    login(owner, client=pages)
    body = pages.post("/account/recovery-codes", data={}).get_data(as_text=True)
    assert "恢复码" in body and 'action="/display"' not in body and 'action="/language"' not in body


# --- where the choice is kept, and which wins ------------------------------------------------------------------

def test_signed_in_the_choice_is_kept_for_the_account_and_the_device(pages, owner, login):
    login(owner, client=pages)
    assert stored_choice(owner) is None
    assert not is_elder(pages.get("/account"))
    response = switch(pages, "elder", "/account")
    assert response.location == "/account"
    assert stored_choice(owner) is True and pages.get_cookie(DISPLAY_COOKIE).value == "elder"
    assert is_elder(pages.get("/account"))
    # Another device, never switched: the account's choice follows the person there.
    elsewhere = login(owner, client=page_client(pages.application, language="zh_CN"))
    assert is_elder(elsewhere.get("/account"))
    switch(elsewhere, "standard", "/account")
    assert stored_choice(owner) is False
    assert not is_elder(pages.get("/account"))  # the first device too: the account decides


def test_at_sign_in_an_account_without_a_choice_takes_the_devices(pages, owner):
    """Switched on at the sign-in page, it stays on after signing in, and is kept for the account."""
    switch(pages, "elder")
    sign_in(pages, owner)
    assert stored_choice(owner) is True
    assert is_elder(pages.get("/account"))


def test_at_sign_in_an_account_with_a_choice_keeps_it_and_sets_the_device(pages, owner):
    """The account's choice wins over the device's; the device then shows it, also after signing
    out, so that the page does not change under the person's eyes."""
    owner.elder_mode = False
    db.session.commit()
    switch(pages, "elder")
    sign_in(pages, owner)
    assert stored_choice(owner) is False
    assert pages.get_cookie(DISPLAY_COOKIE).value == "standard"
    assert not is_elder(pages.get("/account"))
    pages.post("/logout", data={})
    assert not is_elder(pages.get("/login"))


def test_an_account_in_elder_mode_sets_a_new_device_at_sign_in(pages, owner):
    owner.elder_mode = True
    db.session.commit()
    assert pages.get_cookie(DISPLAY_COOKIE) is None
    sign_in(pages, owner)
    assert pages.get_cookie(DISPLAY_COOKIE).value == "elder"
    pages.post("/logout", data={})
    assert is_elder(pages.get("/login"))


def test_neither_a_choice_nor_a_cookie_leaves_both_alone(pages, owner):
    sign_in(pages, owner)
    assert stored_choice(owner) is None and pages.get_cookie(DISPLAY_COOKIE) is None


# --- what every page gets -------------------------------------------------------------------------------------

def test_in_elder_mode_an_owner_has_a_menu_of_what_they_need(pages, owner, estate, login):
    login(owner, client=pages)
    assert "elder-menu" not in pages.get("/account").get_data(as_text=True)
    switch(pages, "elder", "/account")
    body = pages.get("/account").get_data(as_text=True)
    menu = re.search(r'<ul class="elder-menu">(.*?)</ul>', body, re.S).group(1)
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', menu)
    assert links == [(f"/estates/{estate.id}/votes", "我的表决"), (f"/estates/{estate.id}/notices", "通知"),
                     (f"/estates/{estate.id}/funds", "小区账目"), ("/account", "我的账户")]
    assert 'href="/account" aria-current="page"' in menu
    assert 'action="/logout"' in body  # signing out stays at hand


def test_in_elder_mode_staff_keep_their_account_in_the_menu(pages, make_user, estate, login):
    member = make_user(Role.COMMITTEE_MEMBER, estate, login="member")
    member.elder_mode = True
    db.session.commit()
    login(member, client=pages)
    menu = re.search(r'<ul class="elder-menu">(.*?)</ul>', pages.get("/account").get_data(as_text=True), re.S).group(1)
    assert re.findall(r'<a href="([^"]+)"', menu) == ["/account"]


def test_the_account_page_says_which_display_is_in_use(pages, owner, login):
    login(owner, client=pages)
    assert "您正在使用标准版" in pages.get("/account").get_data(as_text=True)
    switch(pages, "elder", "/account")
    body = pages.get("/account").get_data(as_text=True)
    assert "您正在使用长辈版" in body and "切换到标准版" in body
