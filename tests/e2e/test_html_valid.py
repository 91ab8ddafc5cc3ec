"""The HTML validates: one page of each blueprint, as served to the role that uses it, checked by
the Nu Html Checker (vnu.jar, run offline with Java) with no error (issue 14).

The pages come with CSRF on, as in production, so that pages with several forms show the ids
they really carry (duplicate ``csrf_token`` and ``submit`` ids were found this way). ``.ci/run``
installs Java (Debian's default-jre-headless) and the npm package vnu-jar and says where the jar
is (``VNU_JAR``); locally the test skips with a reason when either is missing, in CI it must run.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_route_matrix import World

VNU_JAR = os.environ.get("VNU_JAR", "")
# One page of each blueprint that draws HTML, with the role that uses it (a role of the route
# matrix's world). Static files, health checks and PDF downloads draw none.
PAGES = {
    "core": ("anonymous", "/"),
    "auth": ("owner", "/account"),
    "admin": ("committee_member", "/estates/{estate_mine}/activation"),
    "estates": ("committee_member", "/estates/{estate_mine}"),
    "audit": ("auditor", "/audit"),
    "voting": ("owner", "/votes/{vote_open_mine}"),
    "voting-committee": ("committee_member", "/votes/{vote_draft_mine}"),
    "funds": ("committee_member", "/estates/{estate_mine}/funds/maintenance_fund"),
    "disclosure": ("committee_member", "/estates/{estate_mine}/committee"),
    "documents": ("anonymous", "/documents/check"),
}


def _checker() -> list[str]:
    java = shutil.which("java")
    if not java or not VNU_JAR or not Path(VNU_JAR).is_file():
        message = f"the Nu Html Checker needs java ({java}) and VNU_JAR ({VNU_JAR!r}): see .ci/run"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (the checker must run in CI)")
        pytest.skip(message)
    return [java, "-Xss8m", "-jar", VNU_JAR]  # the checker overflows a smaller stack


def test_one_page_of_each_blueprint_has_no_html_error(app, make_estate, make_user, login, monkeypatch, tmp_path):
    checker = _checker()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    world = World(make_estate, make_user)
    world.add_votes()
    world.add_funds()
    world.add_disclosure()
    files = {}
    for name, (role, url) in PAGES.items():
        client = app.test_client()
        if role != "anonymous":
            login(world.users[role], client=client)
        response = client.get(url.format(**world.ids))
        assert response.status_code == 200 and response.mimetype == "text/html", (name, response.status_code)
        (tmp_path / f"{name}.html").write_bytes(response.data)
        files[f"{name}.html"] = url
    messages = _check(checker, list(tmp_path.glob("*.html")))
    errors = [f"{files.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))}:{m.get('lastLine')}: {m.get('message')} "
              f"[{m.get('extract', '').strip()[:80]}]" for m in messages if m.get("type") == "error"]
    assert errors == [], "\n".join(errors)


def test_the_checker_reports_an_error_it_should(tmp_path):
    checker = _checker()
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html lang="en"><head><title>x</title></head><body>'
                    '<input id="a"><input id="a"></body></html>')
    assert any("Duplicate ID" in m["message"] for m in _check(checker, [page]))


def _check(checker: list[str], pages: list[Path]) -> list[dict]:
    """The checker's messages (it writes its JSON report to stderr); a run that made no report fails."""
    run = subprocess.run([*checker, "--errors-only", "--format", "json", *map(str, pages)], capture_output=True,
                         text=True, timeout=300)
    assert run.stderr.startswith("{"), (run.returncode, run.stdout[-1000:], run.stderr[-1000:])
    return json.loads(run.stderr)["messages"]
