"""Error pages carry the request id a person can quote, the same as the logs (issue 21); when the
database cannot be reached the answer is 503 "系统繁忙，请稍后再试" with Retry-After, never a 500."""
from __future__ import annotations

import json
import re

import pytest

from governance_app import create_app
from governance_app.core import routes as core_routes
from governance_app.extensions import db
from tests.support.site import text

BUSY = "系统繁忙，请稍后再试"


def shown_id(response) -> str:
    found = re.search(r'<p class="request-id">[^<]*<code>([^<]+)</code>', response.get_data(as_text=True))
    assert found, "no request id on the page"
    return found.group(1)


def test_a_404_page_shows_the_request_id(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert shown_id(response) == response.headers["X-Request-ID"]
    assert "如需求助，请告知此编号" in text(response)


def test_a_400_page_shows_the_request_id(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/language", data={"language": "en"})
    assert response.status_code == 400
    assert shown_id(response) == response.headers["X-Request-ID"]


def test_a_500_is_logged_with_the_id_the_person_sees(app, client, login, make_user, make_estate, monkeypatch,
                                                    capsys):
    from governance_app.auth.models import Role

    login(make_user(Role.COMMITTEE_MEMBER, make_estate()))
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def broken():
        raise RuntimeError("a bug in listing estates")

    monkeypatch.setattr(core_routes.home, "gather", lambda *args: broken())  # the home page (issue 14)
    capsys.readouterr()
    response = client.get("/")
    assert response.status_code == 500
    quoted = shown_id(response)
    assert quoted == response.headers["X-Request-ID"]
    assert "RuntimeError" not in response.get_data(as_text=True)
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    [error] = [line for line in logged if line["level"] == "ERROR"]
    assert error["request_id"] == quoted
    assert "RuntimeError: a bug in listing estates" in error["exception"]


@pytest.fixture
def database_gone(tmp_path):
    """The application with a database that cannot be opened (SQLite in a folder that does not
    exist), and a browser whose cookie names a signed-in session: loading the account fails."""
    app = create_app({"GOVERNANCE_ENV": "testing", "TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'gone' / 'db.sqlite3'}"})
    browser = app.test_client()
    with browser.session_transaction() as cookie:
        cookie["_user_id"] = "a-session-token"
    yield app, browser
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("path", ["/", "/account", "/estates/1", "/votes/1"])
def test_without_the_database_every_page_says_busy_and_when_to_retry(database_gone, path, capsys):
    _app, browser = database_gone
    capsys.readouterr()
    response = browser.get(path)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert BUSY in text(response)
    assert "请重新打开表决页面" in text(response)
    assert shown_id(response) == response.headers["X-Request-ID"]
    assert "OperationalError" not in response.get_data(as_text=True)
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    [warning] = [line for line in logged if line["level"] == "WARNING" and line["logger"] == "governance_app.errors"]
    assert warning["request_id"] == response.headers["X-Request-ID"]
    assert warning["error"] == "OperationalError"


def test_the_busy_page_in_english(database_gone):
    _app, browser = database_gone
    browser.set_cookie("lang", "en")
    response = browser.post("/login", data={"login": "x", "password": "y"})
    assert response.status_code == 503
    assert "The system is busy, please try again later" in text(response)


def test_a_cast_without_the_database_is_503_not_500(database_gone):
    _app, browser = database_gone
    response = browser.post("/votes/1/ballot/confirm", data={"voter": "o1", "code": "123456"})
    assert (response.status_code, response.headers["Retry-After"]) == (503, "30")


def test_other_errors_in_a_request_still_are_500(app, client, monkeypatch):
    """Only a database that cannot do the work, or a full disk, is "busy": a bug is a 500."""
    import errno

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def broken():
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(core_routes, "render_template", lambda *a, **k: broken())
    assert client.get("/").status_code == 500
