"""Issue 12, points 5 and 6: ``next`` stays on the site, and control characters never reach a page.

The route matrix sends a NUL to every query parameter and form field of every route
(tests/test_route_matrix.py); here the cases of the report, what a text area keeps and what a
single-line field refuses, and the open redirect through a stripped tab.
"""
from __future__ import annotations

import datetime as dt
import importlib
import io
import pkgutil
import time
from urllib.parse import urljoin, urlsplit

import flask_wtf
import pytest
from sqlalchemy import select

import governance_app
from governance_app.auth.models import Role
from governance_app.core.forms import FlaskForm
from governance_app.core.inputs import safe_next
from governance_app.extensions import db
from governance_app.voting.models import Vote
from tests.auth.support import fresh, import_estate_roll, page_client, text
from tests.conftest import PASSWORD

REFUSED = "It contained invisible control characters"
FIELD_REFUSED = "Remove the line breaks, tabs or other invisible characters from this field."


@pytest.fixture
def client(app):
    return page_client(app)


@pytest.fixture
def estate(make_estate):
    estate = make_estate("梅园小区")
    import_estate_roll(estate)
    return estate


# --- point 5: the next page after signing in or changing the language --------------------------------

def browser_target(location: str, page: str = "http://localhost/login") -> str:
    """Where a browser goes for a ``Location`` header (WHATWG URL parsing, in short): tabs and line
    breaks removed, C0 controls and spaces stripped at both ends, a backslash read as a slash."""
    location = location.replace("\t", "").replace("\n", "").replace("\r", "")
    location = location.strip("".join(map(chr, range(0x21)))).replace("\\", "/")
    return urljoin(page, location)


# Each leads off the site if the browser gets it as written.
BYPASSES = [
    "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "\t//evil.example", "/\x00/evil.example",
    "/\x0b/evil.example", "/\x7f/evil.example", "/\\evil.example", "\\\\evil.example", "/\\/evil.example",
    "//evil.example", "///evil.example", "https://evil.example/", "HTTPS://evil.example", "http:evil.example",
    "//evil.example@localhost", "javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
    " //evil.example", "\x00//evil.example", "/\t\\evil.example",
]
SAME_SITE = ["/account/password", "/votes/1?voter=o1", "/%09/evil.example", "/%2F%2Fevil.example",
             "/%5Cevil.example", "/a//b"]


@pytest.mark.parametrize("target", BYPASSES)
def test_safe_next_refuses_every_way_off_the_site(app_context, target):
    assert safe_next(target, "/account") == "/account"


@pytest.mark.parametrize("target", SAME_SITE)
def test_safe_next_keeps_a_path_of_this_site(app_context, target):
    assert safe_next(target, "/account") == target
    assert urlsplit(browser_target(target)).netloc == "localhost"


def test_a_path_with_a_line_break_goes_on_without_it(app_context):
    """A newline in ``next`` gave a 500 after sign-in (werkzeug refuses it in a header)."""
    assert safe_next("/account/password\n", "/account") == "/account/password"


@pytest.mark.parametrize("target", [t for t in BYPASSES if not any(ord(c) < 32 or c == "\x7f" for c in t)])
def test_sign_in_never_leads_off_the_site(client, make_user, target):
    member = make_user(Role.COMMITTEE_MEMBER, login="member1")
    client.post("/login", query_string={"next": target}, data={"login": "member1", "password": PASSWORD})
    response = client.post("/login/verify", data={"code": member.totp.code_at(int(time.time()))})
    assert response.status_code == 302
    assert urlsplit(browser_target(response.location)).netloc == "localhost"


@pytest.mark.parametrize("target", ["/\t/evil.example", "/account\n", "/\r\n/evil.example", "/\x00"])
def test_a_control_character_in_next_is_refused_before_sign_in(client, make_user, target):
    """``/login?next=/%09/evil.com`` (the open redirect) and ``next=/account%0A`` (the 500)."""
    member = make_user(Role.COMMITTEE_MEMBER, login="member1")
    assert client.get("/login", query_string={"next": target}).status_code == 400
    response = client.post("/login", query_string={"next": target}, data={"login": "member1", "password": PASSWORD})
    assert response.status_code == 400 and REFUSED in text(response)
    assert client.post("/login/verify", data={"code": member.totp.code_at(int(time.time()))}).location == "/login"


@pytest.mark.parametrize("target", BYPASSES)
def test_the_language_switch_never_leads_off_the_site(client, target):
    response = client.post("/language", data={"language": "en", "next": target})
    if response.status_code == 400:  # a NUL or another control character a form may not carry
        assert REFUSED in text(response)
        return
    assert response.status_code == 302
    assert urlsplit(browser_target(response.location, "http://localhost/")).netloc == "localhost"


# --- point 6: control characters ------------------------------------------------------------------

def test_a_nul_in_the_audit_filter_is_refused(client, make_user, login, estate):
    """``/audit?actor=%00`` gave a 500 from PostgreSQL."""
    login(make_user(Role.SUBDISTRICT_SUPERVISOR, estate.community.sub_district), client=client)
    response = client.get("/audit?actor=%00")
    assert response.status_code == 400 and REFUSED in text(response)
    assert client.get("/audit?actor=nobody").status_code == 200


def test_a_nul_in_the_voter_of_a_receipt_is_refused(client, make_user, login, estate):
    """``/votes/1/receipt?voter=%00`` gave a 500 from PostgreSQL (before the vote was even looked up)."""
    login(make_user(Role.COMMITTEE_MEMBER, estate), client=client)
    assert client.get("/votes/1/receipt?voter=%00").status_code == 400


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85"])
def test_control_characters_in_a_query_or_a_form_are_refused(client, character):
    assert client.get("/documents/check", query_string={"number": f"GV{character}"}).status_code == 400
    assert client.get("/documents/check", query_string={f"n{character}": "1"}).status_code == 400
    response = client.post("/login", data={"login": f"a{character}", "password": "x"})
    assert response.status_code == 400 and REFUSED in text(response)


def test_a_nul_in_a_path_or_a_file_name_is_refused(client, make_user, login, estate):
    assert client.get("/static/css/site%00.css").status_code == 400
    login(make_user(Role.COMMITTEE_MEMBER, estate), client=client)
    response = client.post(f"/estates/{estate.id}/roll/import",
                           data={"roll_file": (io.BytesIO(b"a,b\n"), "roll\x00.csv")}, content_type="multipart/form-data")
    assert response.status_code == 400 and REFUSED in text(response)


def _vote_form(title: str, description: str) -> dict:
    today = dt.date.today()
    return {"title": title, "description": description, "opening_date": (today + dt.timedelta(days=16)).isoformat(),
            "last_day": (today + dt.timedelta(days=22)).isoformat()}


def test_a_text_area_keeps_tabs_and_line_breaks(client, make_user, login, estate):
    login(make_user(Role.COMMITTEE_MEMBER, estate), client=client)
    response = client.post(f"/estates/{estate.id}/votes/new", data=_vote_form("加装电梯", "第一段\r\n\t第二段"))
    assert response.status_code == 302
    fresh()
    assert db.session.scalar(select(Vote.description)) in ("第一段\r\n\t第二段", "第一段\n\t第二段")


@pytest.mark.parametrize("typed", ["加装\n电梯", "加装\r电梯", "加装\t电梯"])
def test_a_single_line_field_refuses_a_line_break_or_a_tab_with_a_message(client, make_user, login, estate, typed):
    login(make_user(Role.COMMITTEE_MEMBER, estate), client=client)
    response = client.post(f"/estates/{estate.id}/votes/new", data=_vote_form(typed, "说明"))
    assert response.status_code == 400 and FIELD_REFUSED in text(response)
    assert "说明" in text(response)  # what was typed is shown again
    fresh()
    assert db.session.scalar(select(Vote.id)) is None


def test_the_field_message_in_chinese(app, make_user, login, estate):
    client = login(make_user(Role.COMMITTEE_MEMBER, estate), client=page_client(app, "zh_CN"))
    response = client.post(f"/estates/{estate.id}/votes/new", data=_vote_form("加装\n电梯", ""))
    assert "请删除此处的换行、制表符或其他不可见字符。" in text(response)


def test_every_form_refuses_control_characters():
    """Every form of every package derives from the platform's FlaskForm (a form added on another
    branch with Flask-WTF's own would take control characters in)."""
    for module in pkgutil.walk_packages(governance_app.__path__, "governance_app."):
        importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [form for form in subclasses(flask_wtf.FlaskForm) if form.__module__.startswith("governance_app.")]
    assert len(ours) > 40
    assert [form.__qualname__ for form in ours if not issubclass(form, FlaskForm)] == []
