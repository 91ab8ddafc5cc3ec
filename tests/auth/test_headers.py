"""Security headers, the session cookie, and pages without inline scripts."""
import re
import time

import pytest
from flask import Flask

from governance_app.auth import services
from governance_app.auth.models import Role
from governance_app.core import security
from governance_app.extensions import db
from tests.auth.support import INLINE_SCRIPT, age_second_factor, import_estate_roll, page_client
from tests.conftest import PASSWORD


@pytest.fixture
def client(app):
    return page_client(app)


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def test_security_headers_on_a_page(client):
    response = client.get("/login")
    policy = directives(response)
    assert policy["script-src"] == "script-src 'self'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_no_hsts_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_hsts_in_production():
    """The same headers on a bare app configured for production add HSTS."""
    headers = {}
    for environment in ("development", "production"):
        bare = Flask(__name__)
        bare.config["GOVERNANCE_ENV"] = environment
        security.register(bare)
        bare.add_url_rule("/", "index", lambda: "ok")
        headers[environment] = bare.test_client().get("/").headers
    assert "Strict-Transport-Security" not in headers["development"]
    assert headers["production"]["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_header_the_view_set_is_kept_and_the_others_added():
    """A view's own Cache-Control or frame policy (a file, the health check) stays as it set it,
    whatever the case of its name; each header the view did not set is added once."""
    bare = Flask(__name__)
    bare.config["GOVERNANCE_ENV"] = "production"
    security.register(bare)
    bare.add_url_rule("/file", "file", lambda: ("ok", 200, {"cache-control": "private, no-store",
                                                            "X-Frame-Options": "SAMEORIGIN"}))
    bare.add_url_rule("/page", "page", lambda: "<p>ok</p>")
    file_headers = bare.test_client().get("/file").headers
    page_headers = bare.test_client().get("/page").headers
    assert file_headers.getlist("Cache-Control") == ["private, no-store"]
    assert file_headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    for name, value in [*security.HEADERS, security.HSTS]:
        if name != "X-Frame-Options":
            assert file_headers.getlist(name) == [value]
        assert page_headers.getlist(name) == [value]
    assert page_headers.getlist("Cache-Control") == ["no-store"]


def test_the_session_cookie_is_http_only_and_same_site_lax(client, make_user):
    user = make_user(Role.AUDITOR)
    response = client.post("/login", data={"login": user.login, "password": PASSWORD})
    cookies = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")]
    assert len(cookies) == 1
    attributes = {part.strip().lower() for part in cookies[0].split(";")}
    assert "httponly" in attributes and "samesite=lax" in attributes
    response = client.post("/login/verify", data={"code": user.totp.code_at(int(time.time()))})
    [cookie] = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_inline_script_check_finds_inline_scripts():
    assert INLINE_SCRIPT.search('<p>x</p><script>alert(1)</script>')
    assert INLINE_SCRIPT.search('<SCRIPT type="module">')
    assert not INLINE_SCRIPT.search('<script src="/static/js/session.js" defer></script>')


INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


def test_no_page_has_inline_scripts_or_handlers(app, client, make_estate, make_user, login):
    """Every identity page, signed out and signed in; PageClient also checks every page of every test."""
    estate = make_estate()
    import_estate_roll(estate)
    admin = make_user(Role.PLATFORM_ADMIN, login="admin")
    target = make_user(Role.AUDITOR, estate, login="target")
    services.create_user("newstaff", "新员工", PASSWORD, actor=None)
    db.session.commit()
    pages = []

    def keep(response):
        assert response.status_code in (200, 400, 404, 429), response.status_code
        pages.append(response)
        return response

    anonymous = page_client(app)
    for url in ("/", "/login", "/activate", "/account/authenticator", "/no-such-page"):
        keep(anonymous.get(url, follow_redirects=True))
    keep(anonymous.post("/login", data={"login": "target", "password": PASSWORD}, follow_redirects=True))
    keep(anonymous.post("/activate", data={"unit": "1-101", "code": "AAAA-BBBB-CCCC", "id_last4": "1234"}))
    enrolling = page_client(app, "zh_CN")
    keep(enrolling.post("/login", data={"login": "newstaff", "password": PASSWORD}, follow_redirects=True))

    committee = login(make_user(Role.COMMITTEE_MEMBER, estate), client=page_client(app))
    keep(committee.get(f"/estates/{estate.id}/activation"))
    keep(committee.post(f"/estates/{estate.id}/activation/letters", data={}))
    login(admin)
    for url in ("/", "/account", "/account/password", "/admin/users", "/admin/users/new",
                f"/admin/users/{target.id}"):
        keep(client.get(url))
    keep(client.post("/account/recovery-codes", data={}))
    reset = keep(client.post(f"/admin/users/{target.id}/reset", data={}))
    [code] = re.findall(r"<code>([A-Z0-9-]+)</code>", reset.get_data(as_text=True))
    holder = page_client(app)
    keep(holder.get("/account/reset"))
    keep(holder.post("/account/reset", data={"login": "target", "code": code}, follow_redirects=True))
    age_second_factor(admin, 6)
    keep(client.post(f"/admin/users/{target.id}/grants", data={"role": "proxy", "scope": "platform"}))

    shown = " ".join(response.get_data(as_text=True) for response in pages)
    for title in ("Second step", "设置身份验证器", 'class="code-large"', "Your recovery codes", "Account reset",
                  "Reset code", "Choose a new password",
                  "Confirm it is you", "New staff account", "Page not found"):
        assert title in shown, title
    for response in pages:
        body = response.get_data(as_text=True)
        assert response.mimetype == "text/html"
        assert not INLINE_SCRIPT.search(body), response.request.path
        assert not INLINE_HANDLER.search(body), response.request.path
        assert 'style="' not in body, response.request.path  # style-src 'self' would drop it
