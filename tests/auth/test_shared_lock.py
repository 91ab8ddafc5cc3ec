"""Issue 12, point 2: the 5-wrong-codes lock holds across workers.

Two real gunicorn workers serve the database of the test session. One browser, signed in with
its password, sends eight wrong second-factor codes at once: they spread over both workers, and
exactly five are checked (answered "wrong" and audited); the other three, and the right code
after them, are refused as locked. The same for the five wrong tries an activation letter
allows. Before the fix each worker counted in its own memory (and read the count before adding
to it), and 14 wrong codes were checked 10 times.

On PostgreSQL (the CI's second pass) and on SQLite, whose file both workers share.
"""
from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, update

from governance_app.audit.models import AuditChainHead
from governance_app.auth import services
from governance_app.auth.models import ActivationCode, Role, User
from governance_app.extensions import db
from tests.auth.support import WANG, events, fresh, import_estate_roll, wrong_code
from tests.conftest import PASSWORD

AT_ONCE = 8  # and one more after them: under the per-address limit of 10 a minute
WRONG = "That code is wrong or has already been used."
LOCKED = "Too many wrong codes. Try again at"
MISMATCH = "These details do not match an activation letter."
USED_UP = "This activation code no longer works"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(app):
    """gunicorn, two sync workers, on the test session's database (no Redis: the per-address
    limits count in each worker, as in production before the fix)."""
    port = _free_port()
    env = {**os.environ, "GOVERNANCE_ENV": "development", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": app.config["SECRET_KEY"], "TOTP_ENCRYPTION_KEY": app.config["TOTP_ENCRYPTION_KEY"],
           "ID_HASH_KEY": app.config["ID_HASH_KEY"]}
    env.pop("REDIS_URL", None)
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", "governance_app:create_app()"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while Browser(port).get("/healthz")[0] != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start: {process.stderr.read().decode(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        process.stderr.close()


class Browser:
    """Cookies and the form's CSRF token, over plain HTTP to the server."""

    def __init__(self, port: int):
        self.port, self.cookies, self.token = port, {"lang": "en"}, ""

    def _send(self, method: str, path: str, body: str | None = None, cookies: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in (cookies or self.cookies).items())}
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheader("Set-Cookie") or "", response.read().decode()
        except OSError:
            return 0, "", ""
        finally:
            connection.close()

    def _keep(self, set_cookie: str) -> None:
        found = re.match(r"session=([^;]*)", set_cookie)
        if found:
            self.cookies["session"] = found.group(1)

    def get(self, path: str) -> tuple[int, str]:
        status, set_cookie, body = self._send("GET", path)
        self._keep(set_cookie)
        found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body)
        self.token = found.group(1) if found else self.token
        return status, body

    def post(self, path: str, data: dict, *, keep: bool = True) -> tuple[int, str]:
        body = urllib.parse.urlencode({"csrf_token": self.token, **data})
        status, set_cookie, page = self._send("POST", path, body, dict(self.cookies))
        if keep:
            self._keep(set_cookie)
        return status, page

    def at_once(self, path: str, forms: list[dict], held: list) -> list[tuple[int, str]]:
        """The forms posted together, as from several tabs of this browser, while this test holds
        the locks of the ``held`` statements for a while: each worker takes a request and waits
        on them, so both workers surely serve some of the requests (a sync worker serves one at
        a time; without the wait one worker could take them all)."""
        start = threading.Barrier(len(forms) + 1)

        def post(data):
            start.wait(timeout=10)
            return self.post(path, data, keep=False)

        with db.engine.connect() as holder, ThreadPoolExecutor(max_workers=len(forms)) as pool:
            with holder.begin():
                for statement in held:
                    holder.execute(statement)
                answers = pool.map(post, forms)
                start.wait(timeout=10)
                time.sleep(1.5)
            return list(answers)


def _tally(answers: list[tuple[int, str]], *messages: str) -> list[int]:
    assert all(status == 400 for status, _page in answers), [status for status, _page in answers]
    return [sum(message in page for _status, page in answers) for message in messages]


def test_five_wrong_codes_at_once_on_two_workers_are_checked_and_the_sixth_is_locked(server, make_estate,
                                                                                         make_user):
    member = make_user(Role.COMMITTEE_MEMBER, make_estate(), login="member1")
    browser = Browser(server)
    browser.get("/login")
    assert browser.post("/login", {"login": "member1", "password": PASSWORD})[0] == 302
    assert browser.get("/login/verify")[0] == 200
    now = int(time.time())
    # The account's row (where a wrong code is now counted) and the platform's audit chain (which
    # the code before the fix wrote to after counting a failure in the worker's memory).
    held = [update(User).where(User.id == member.id).values(totp_last_step=User.totp_last_step),
            update(AuditChainHead).where(AuditChainHead.chain == "platform").values(seq=AuditChainHead.seq)]
    answers = browser.at_once("/login/verify", [{"code": wrong_code(member.totp, now)}] * AT_ONCE, held)
    assert _tally(answers, WRONG, LOCKED) == [5, AT_ONCE - 5]
    assert len(events("user.second_factor_failed")) == 5
    status, page = browser.post("/login/verify", {"code": member.totp.code_at(int(time.time()))})
    assert status == 400 and LOCKED in page
    fresh()
    assert services.second_factor_locked_until(db.session.get(User, member.id)) is not None


def test_five_wrong_letter_details_at_once_on_two_workers_use_the_code_up(server, make_estate):
    estate = make_estate("梅园小区")
    import_estate_roll(estate)
    letter = next(letter for letter in services.issue_letters(estate, None, actor=None) if letter.owner.name == "王伟")
    db.session.commit()
    browser = Browser(server)
    browser.get("/activate")
    wrong = {"unit": "1-101", "code": letter.code, "id_last4": "9999"}
    held = [update(ActivationCode).where(ActivationCode.owner_id == letter.owner.id)
            .values(failed_attempts=ActivationCode.failed_attempts),
            update(AuditChainHead).where(AuditChainHead.chain == f"estate:{estate.id}").values(seq=AuditChainHead.seq)]
    answers = browser.at_once("/activate", [wrong] * AT_ONCE, held)
    assert _tally(answers, MISMATCH, USED_UP) == [5, AT_ONCE - 5]
    assert len(events("activation.failed")) == 5
    assert db.session.scalar(select(ActivationCode.failed_attempts).where(ActivationCode.owner_id == letter.owner.id)) == 5
    status, page = browser.post("/activate", {"unit": "1-101", "code": letter.code, "id_last4": WANG[-4:]})
    assert status == 400 and USED_UP in page
