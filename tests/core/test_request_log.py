"""One JSON line per request, with the request id shown to the user (issue 21).

Never a password, a code or an id-document number in the log: the flows that carry them
(activation, choosing a password, enrolling the authenticator, signing in, importing a roll with
id numbers) are run with the request log on, and none of what was typed appears.
"""
from __future__ import annotations

import io
import json
import logging
import re
import time

import pytest

from governance_app.auth import services as auth_services
from governance_app.auth.models import Role
from governance_app.extensions import db
from tests.auth.support import LI, WANG, ZHANG, enrolment_secret, import_estate_roll, page_client
from tests.conftest import PASSWORD, owner_row, roll_csv

REQUEST_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def log_lines(capsys):
    """The JSON lines written since the last call (the request log on, as in production)."""
    logger = logging.getLogger("governance_app")
    level = logger.level
    logger.setLevel(logging.INFO)  # setLevel, not the attribute: the loggers' cached answers are cleared
    capsys.readouterr()

    def read() -> list[dict]:
        return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]

    yield read
    logger.setLevel(level)


def request_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "governance_app.request"]


def test_each_request_writes_one_line_with_its_id(client, log_lines):
    response = client.get("/?page=2")
    [line] = request_lines(log_lines())
    assert REQUEST_ID.fullmatch(response.headers["X-Request-ID"])
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert {key: line[key] for key in ("method", "path", "endpoint", "status", "user_id", "remote_addr")} == {
        "method": "GET", "path": "/", "endpoint": "core.index", "status": 200, "user_id": None,
        "remote_addr": "127.0.0.1"}
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")


def test_the_line_names_the_signed_in_account(client, login, make_user, make_estate, log_lines):
    user = make_user(Role.COMMITTEE_MEMBER, make_estate())
    login(user)
    log_lines()
    client.get("/account")
    [line] = request_lines(log_lines())
    assert (line["endpoint"], line["status"], line["user_id"]) == ("auth.account", 200, user.id)


def test_no_password_code_or_id_number_is_ever_logged(app, make_estate, log_lines):
    estate = make_estate("梅园小区")
    import_estate_roll(estate)
    [letter] = [l for l in auth_services.issue_letters(estate, None, actor=None) if l.owner.name == "王伟"]
    db.session.commit()
    browser = page_client(app)
    new_password, phone = "a-secret-pass-9271", "13900000077"
    browser.post("/activate", data={"unit": "1-101", "code": letter.code, "id_last4": WANG[-4:]})
    browser.post("/activate/account", data={"login": phone, "password": new_password, "confirm": new_password})
    secret = enrolment_secret(browser.get("/account/authenticator"))
    enrol_code = auth_services.Totp(secret).code_at(int(time.time()))
    assert browser.post("/account/authenticator", data={"code": enrol_code}).status_code == 200
    browser.post("/logout", data={})
    signing_in = page_client(app)
    signing_in.post("/login", data={"login": phone, "password": new_password})
    sign_in_code = auth_services.Totp(secret).code_at(int(time.time()) + 30)
    signing_in.post("/login/verify", data={"code": sign_in_code})
    signing_in.post("/login", data={"login": phone, "password": "wrong-" + new_password})
    # A roll with id numbers, through the import page.
    supervisor_password = PASSWORD
    staff = auth_services.create_user("supervisor-log", "督导", supervisor_password, actor=None,
                                      grants=[(Role.SUBDISTRICT_SUPERVISOR, auth_services.ScopeKind.PLATFORM, None)])
    auth_services.start_totp_enrolment(staff)
    staff.totp_confirmed_at = auth_services.utcnow()
    db.session.commit()
    other = make_estate("兰园小区")
    staff_browser = page_client(app)
    session = auth_services.open_session(staff, "127.0.0.1", "pytest")
    db.session.commit()
    with staff_browser.session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"] = session.token, True
    id_number = "310101197707071357"
    roll = roll_csv([owner_row("1", "1-101", "90.00", "钱进", id_number)])
    checked = staff_browser.post(f"/estates/{other.id}/roll/import", data={"roll_file": (io.BytesIO(roll), "roll.csv")},
                                 content_type="multipart/form-data")
    assert checked.status_code == 200 and "钱进" in checked.get_data(as_text=True)
    written = log_lines()
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in written)
    assert len(request_lines(written)) >= 8
    for secret_value in (letter.code, letter.code.replace("-", ""), new_password, "wrong-" + new_password,
                         enrol_code, sign_in_code, secret, supervisor_password, id_number, WANG, LI, ZHANG):
        assert secret_value not in text, secret_value


def test_a_request_id_from_the_trusted_proxy_is_kept(app, client, monkeypatch, log_lines):
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", 1)
    response = client.get("/healthz", headers={"X-Request-ID": "4f1c0e3a9b7d4e21a0c5f6e7d8c9b0a1"})
    assert response.headers["X-Request-ID"] == "4f1c0e3a9b7d4e21a0c5f6e7d8c9b0a1"
    assert request_lines(log_lines())[0]["request_id"] == "4f1c0e3a9b7d4e21a0c5f6e7d8c9b0a1"


@pytest.mark.parametrize("given", ["bad id with spaces", "x" * 65, "<script>", "short"])
def test_a_malformed_request_id_is_replaced(app, client, monkeypatch, given):
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", 1)
    assert REQUEST_ID.fullmatch(client.get("/healthz", headers={"X-Request-ID": given}).headers["X-Request-ID"])


def test_without_a_trusted_proxy_anyone_elses_request_id_is_ignored(client):
    response = client.get("/healthz", headers={"X-Request-ID": "4f1c0e3a9b7d4e21a0c5f6e7d8c9b0a1"})
    assert response.headers["X-Request-ID"] != "4f1c0e3a9b7d4e21a0c5f6e7d8c9b0a1"


def test_a_connection_broken_after_the_answer_is_logged_with_the_requests_id(app, client, monkeypatch, log_lines):
    """The session's teardown runs after the request's context is gone; its warning still names the
    request, so a sysadmin finds it beside the request's own line (seen in a PostgreSQL restart)."""
    from sqlalchemy.exc import OperationalError

    real_remove, broken = db.session.remove, []

    def broken_remove():  # the first teardown (the platform's) finds the connection cut
        real_remove()
        if not broken:
            broken.append(True)
            raise OperationalError("ROLLBACK", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(db.session, "remove", broken_remove)
    response = client.get("/")
    monkeypatch.setattr(db.session, "remove", real_remove)
    assert response.status_code == 200
    [warning] = [line for line in log_lines() if line["logger"] == "governance_app.errors"]
    assert warning["message"] == "session ended on a broken connection"
    assert warning["request_id"] == response.headers["X-Request-ID"]
