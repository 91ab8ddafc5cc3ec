"""An installed platform speaks Chinese: a wheel built from the project (`pip wheel .`) carries the
compiled catalogue, the templates and the migrations, and the app it installs draws Chinese pages
without a checkout beside it (issue 14)."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = r"""
import pathlib, sys
import governance_app
from governance_app import create_app
assert pathlib.Path(governance_app.__file__).is_relative_to(sys.argv[1]), governance_app.__file__
app = create_app({"GOVERNANCE_ENV": "testing", "TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
page = app.test_client().get("/activate").get_data(as_text=True)
assert 'lang="zh-CN"' in page and "激活" in page, page[:500]
migrations = pathlib.Path(app.extensions["migrate"].directory)
assert migrations.is_relative_to(sys.argv[1]) and (migrations / "versions").is_dir(), migrations
print("ok")
"""


def test_a_wheel_carries_the_compiled_catalogue_templates_and_migrations(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    [wheel] = (tmp_path / "dist").glob("owners_governance-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    assert "governance_app/translations/zh_Hans_CN/LC_MESSAGES/messages.mo" in names
    assert {"governance_app/templates/base.html", "governance_app/static/css/site.css",
            "governance_app/migrations/env.py"} <= names
    # The unpacked wheel, run from elsewhere: no checkout, no `make translations` beside it.
    run = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "site")], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(tmp_path / "site")})
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-2000:]
