"""Upgrading a database of the previous release, holding its data, then the restore drill (issue 21).

The database is built at the previous release's schema revision by the migrations and filled with
what that release wrote (tests/ops/data/release-<revision>.json, see release_data.py); ``flask db
upgrade`` takes it to head; every chain is unchanged by the upgrade, and the drill passes.
"""
from __future__ import annotations

import json

from flask_migrate import upgrade

from governance_app.extensions import db
from tests.conftest import drop_everything
from tests.ops import release_data
from tests.ops.test_backup_drill import current_state, drill

PREVIOUS_RELEASE = release_data.DATA / "release-0008.json"


def test_the_previous_release_upgrades_to_head_and_passes_the_drill(app, runner, app_context, tmp_path):
    data = json.loads(PREVIOUS_RELEASE.read_text(encoding="utf-8"))
    db.session.remove()
    drop_everything()
    upgrade(revision=data["revision"])
    with db.engine.begin() as connection:
        release_data.load(connection, data)
    old = current_state()
    assert old["revision"] == [data["revision"]]
    assert old["tables"]["ballot"] == len(data["tables"]["ballot"]["rows"]) > 0
    assert audit_ok(runner, "--no-documents")  # the documents' recorded heads come with 0011
    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    new = current_state()
    assert new["revision"] == _heads(app)
    for key in ("audit_chains", "vote_chains", "stored_files"):
        assert new[key] == old[key], key
    drill(runner, tmp_path, new)


def audit_ok(runner, *options: str) -> bool:
    result = runner.invoke(args=["audit", "verify", *options])
    return result.exit_code == 0


def _heads(app) -> list[str]:
    from alembic.script import ScriptDirectory

    return sorted(ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config()).get_heads())
