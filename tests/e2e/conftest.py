"""Browser tests: Debian's chromium driven by Playwright at a 375x812 phone viewport.

The application is served by a real HTTP server on 127.0.0.1 at a random port,
in a thread of the test process, on the test database. Locally these tests
skip with a reason when chromium is missing; with CI=true they must run.
"""
from __future__ import annotations

import os
import shutil
import threading
import time

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
PHONE = {"width": 375, "height": 812}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"chromium not found at {CHROMIUM}: sudo apt-get install chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (browser tests must run in CI)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


_ITERATOR = "tests.response_iterator"


class _Handler(WSGIRequestHandler):
    """Werkzeug's handler, closing the response when the browser drops the connection.

    Werkzeug closes the response's iterator in a ``finally`` that itself reads from the socket; when
    the browser has reset the connection (it cancels a stylesheet or script it no longer needs when
    the page moves on), that read raises and the iterator, an open static file, is left to the
    garbage collector, whose ResourceWarning fails whichever test is running then."""

    def connection_dropped(self, error, environ=None):
        iterator = environ.pop(_ITERATOR, None) if environ else None
        if hasattr(iterator, "close"):
            iterator.close()


def _keeping_iterator(app):
    def serve(environ, start_response):
        environ[_ITERATOR] = iterator = app(environ, start_response)
        return iterator
    return serve


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, _keeping_iterator(app), threaded=True, request_handler=_Handler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture
def page(browser, live_server, app, monkeypatch):
    """A fresh phone-sized browser tab; CSRF is on, as in production."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, base_url=live_server,
                                  locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def assert_accessible(page) -> None:
    """Run axe-core in the page (WCAG 2.1 A and AA rules) and fail on any violation."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state()  # a click on a link returns once the next page is committed, still empty
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a",
                                                                            "wcag21aa", "best-practice"]}})
    violations = results.response["violations"]
    summary = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']][:3]}"
        for v in violations
    ]
    assert not violations, "axe found accessibility violations:\n" + "\n".join(summary)


def assert_fits_phone(page) -> None:
    """Nothing overflows the 375 px width sideways."""
    page.wait_for_load_state()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone screen"


class Codes:
    """The authenticator of the journey: each code is the one of the moment it is typed, or of the
    next step when the current one was used already (a code is never accepted twice), waiting for
    the step to turn when even the next one is taken. However slow the machine, every code is
    within the one step of drift the server allows when it arrives."""

    def __init__(self, user, used_at: float | None = None):
        """``used_at``: the unix time of a code already typed (its step is not used again)."""
        self.user, self.last = user, (int(used_at) // 30 if used_at is not None else None)

    def next(self) -> str:
        step = int(time.time()) // 30
        if self.last is not None and self.last >= step + 1:
            time.sleep(30 - time.time() % 30 + 0.5)
            step = int(time.time()) // 30
        if self.last is not None and self.last >= step:
            step = self.last + 1  # the next step's code: accepted with one step of drift
        self.last = step
        return self.user.totp.code_at(step * 30)


def _unused_code(user) -> str:
    """The code of now, or of the next step when the user's last sign-in already used this one (a
    second sign-in within 30 seconds, on a fast machine): read from the database, as the site wrote it."""
    from sqlalchemy import select

    from governance_app.auth.models import User
    from governance_app.extensions import db

    with db.engine.connect() as connection:
        last = connection.scalar(select(User.totp_last_step).where(User.login == user.login))
    return Codes(user, used_at=last * 30 if last else None).next()


def sign_in_browser(page, user, password=None, at=None):
    """Sign in through the real pages, with a code computed from the user's secret
    (``at``: the unix time whose code to use; default now, or the next step if now's is used)."""
    import re

    from playwright.sync_api import expect

    from tests.conftest import PASSWORD

    page.goto("/login")
    page.get_by_label("手机号或用户名").fill(user.login)
    page.get_by_label("密码").fill(password or PASSWORD)
    page.get_by_role("button", name="下一步").click()
    page.get_by_label(re.compile("身份验证器")).fill(user.totp.code_at(int(at)) if at else _unused_code(user))
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("等您处理的事项")  # the home page (issue 14)
