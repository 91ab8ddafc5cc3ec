"""The recovery codes page: the codes one per line, a download as a text file that works without
JavaScript, a copy button where the clipboard can be used; an account without codes is asked to
make them (issue 14)."""
from __future__ import annotations

import re
import time
from urllib.parse import unquote

import pytest

from governance_app.auth import services
from governance_app.auth.models import Role, User
from governance_app.extensions import db
from tests.auth.support import page_client


@pytest.fixture
def member(make_estate, make_user) -> User:
    return make_user(Role.COMMITTEE_MEMBER, make_estate("梅园小区"), login="member")


def test_new_codes_come_with_a_text_file_one_per_line_and_a_copy_button(app, member, login):
    pages = login(member, client=page_client(app, "zh_CN"))
    page = pages.post("/account/recovery-codes", data={"step_up_code": member.totp.code_at(int(time.time()))})
    html = page.get_data(as_text=True)
    codes = re.findall(r"<li><code>([^<]+)</code></li>", html)
    assert len(codes) == 10
    [href] = re.findall(r'<a class="button" download="recovery-codes.txt" href="data:text/plain;charset=utf-8,([^"]+)"',
                        html)
    lines = unquote(href).splitlines()
    assert lines[1:] == codes and "每个只能使用一次" in lines[0]
    assert 'id="copy-recovery-codes"' in html and " hidden>" in html  # shown by js/recovery.js only
    script = pages.get("/static/js/recovery.js")
    assert script.status_code == 200 and b"navigator.clipboard" in script.data
    script.close()


def test_an_account_without_recovery_codes_is_asked_to_make_them(app, member, login):
    pages = login(member, client=page_client(app, "zh_CN"))
    asked = "您没有恢复码"
    assert asked in pages.get("/account").get_data(as_text=True)
    services.regenerate_recovery_codes(member)
    db.session.commit()
    assert asked not in pages.get("/account").get_data(as_text=True)
