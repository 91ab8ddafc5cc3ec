"""deploy/: the systemd units are valid and agree with the nginx site and the application's
settings; every setting is documented in README's configuration table (issue 21)."""
from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess

import pytest

from tests.ops.servers import PROJECT

DEPLOY = PROJECT / "deploy"
UNITS = sorted((DEPLOY / "systemd").iterdir())


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string((DEPLOY / "systemd" / name).read_text(encoding="utf-8").replace("\\\n", " "))
    return parser


def test_systemd_accepts_every_unit(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        if os.environ.get("CI") == "true":
            pytest.fail("systemd-analyze not found: apt-get install systemd (the units must be checked in CI)")
        pytest.skip("systemd-analyze not found: apt-get install systemd")
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for program in ("gunicorn", "celery", "flask"):
        (stubs / program).write_text("#!/bin/sh\n")
        (stubs / program).chmod(0o755)
    for path in UNITS:  # the same units, their programs where this machine has them
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8").replace(
            "/srv/governance/app/.venv/bin/", f"{stubs}/"), encoding="utf-8")
    checked = subprocess.run([analyze, "verify", *(f"./{p.name}" for p in UNITS if p.suffix in (".service", ".timer"))],
                             cwd=tmp_path, capture_output=True, text=True, timeout=60)
    problems = [line for line in (checked.stdout + checked.stderr).splitlines() if line.strip()]
    assert problems == []


def test_the_web_unit_agrees_with_nginx_and_the_application():
    service = unit("governance-web.service")["Service"]
    command = service["ExecStart"]
    assert "gunicorn -c /srv/governance/app/gunicorn.conf.py" in command
    assert "--bind 127.0.0.1:8000" in command  # loopback only: nginx is the way in
    timeout = int(re.search(r"--timeout (\d+)", command).group(1))
    site = (DEPLOY / "nginx" / "governance.conf.in").read_text(encoding="utf-8")
    assert f"proxy_read_timeout {timeout}s;" in site
    assert "server @UPSTREAM@;" in site and 'default="127.0.0.1:8000"' in (DEPLOY / "render_nginx.py").read_text()
    assert service["Environment"] == f"PROMETHEUS_MULTIPROC_DIR=/run/{service['RuntimeDirectory']}"
    assert service["Type"] == "notify"  # gunicorn tells systemd when it is ready


def test_the_job_units_run_the_job_system_of_issue_16():
    for name, verb in (("governance-worker.service", "worker"), ("governance-beat.service", "beat")):
        assert f"celery -A governance_app.jobs.worker {verb}" in unit(name)["Service"]["ExecStart"]
    assert "--pool=solo" in unit("governance-worker.service")["Service"]["ExecStart"]
    assert not (DEPLOY / "systemd" / "governance-tick.timer").exists()  # beat replaced the cron line


def test_every_setting_is_in_the_readme_table():
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    table = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, re.MULTILINE))
    config = (PROJECT / "governance_app" / "config.py").read_text(encoding="utf-8")
    read = set(re.findall(r'env\.get\("([A-Z_]+)"', config)) | {"PROMETHEUS_MULTIPROC_DIR"}
    assert read - table == set(), "settings missing from README's configuration table"
    example = (DEPLOY / "governance.env.example").read_text(encoding="utf-8")
    assert set(re.findall(r"^#? ?([A-Z_]+)=", example, re.MULTILINE)) - table == set()
