"""The restore drill (issue 21), on the suite's database: SQLite, or PostgreSQL in CI's second pass.

Votes with ballots (online and paper, with its scan), a published result, an open vote, evidence
files, a published statement and their audit events are backed up, the database is dropped, the
backup restored; then ``flask audit verify`` passes, every counted vote's bundle verifies with
``governance-audit``, and every chain head equals the manifest's (and the heads before the drop).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from governance_app.backup import services as backup
from governance_app.extensions import db
from governance_app.files.models import StoredFile
from governance_app.voting import services as voting
from governance_app.voting.models import Vote
from tests.conftest import drop_everything
from tests.ops import scene


def governance_audit() -> list[str]:
    installed = Path(sys.executable).parent / "governance-audit"
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "governance_app.voting.audit_cli"]


def current_state() -> dict:
    db.session.remove()
    with db.engine.connect() as connection:
        return backup.read_state(connection)


def verify_bundles(folder: Path) -> list[str]:
    """Every counted vote's bundle, written as supervisors download it, checked by governance-audit."""
    checked = []
    for vote in db.session.scalars(select(Vote).where(Vote.result.is_not(None)).order_by(Vote.id)):
        path = folder / f"vote-{vote.uid}.json"
        path.write_text(json.dumps(voting.audit_bundle(vote), ensure_ascii=False, sort_keys=True), encoding="utf-8")
        done = subprocess.run([*governance_audit(), "verify", str(path)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("OK")
        checked.append(vote.uid)
    db.session.remove()
    return checked


def drill(runner, folder: Path, before: dict) -> dict:
    """Back up, drop, restore, then every check of the drill; returns the manifest."""
    created = runner.invoke(args=["backup", "create", str(folder / "backup")])
    assert created.exit_code == 0, created.output
    manifest = json.loads((folder / "backup" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["state"]["audit_chains"] == before["audit_chains"]
    assert manifest["state"]["vote_chains"] == before["vote_chains"]
    db.session.remove()
    drop_everything()
    assert current_state()["tables"] == {}
    restored = runner.invoke(args=["backup", "restore", str(folder / "backup")])
    assert restored.exit_code == 0, restored.output
    assert "restored and checked" in restored.output
    audit = runner.invoke(args=["audit", "verify"])
    assert audit.exit_code == 0 and audit.output.startswith("audit log intact"), audit.output
    after = current_state()
    for key in ("audit_chains", "vote_chains", "stored_files", "tables", "revision"):
        assert after[key] == manifest["state"][key] == before[key], key
    counted = db.session.scalar(select(func.count()).select_from(Vote).where(Vote.result.is_not(None)))
    assert len(verify_bundles(folder)) == counted >= 1
    return manifest


def test_backup_drop_restore_and_every_check_passes(app, runner, app_context, tmp_path):
    built = scene.build(8, counted_vote=True)
    db.session.remove()
    before = current_state()
    assert before["tables"]["ballot"] > 8 and before["tables"]["stored_file"] == 2
    assert before["tables"]["fund_statement"] == 1 and len(before["vote_chains"]) == 3
    manifest = drill(runner, tmp_path, before)
    assert manifest["database"] == db.engine.dialect.name
    contents = {digest: content for digest, content in db.session.execute(select(StoredFile.sha256,
                                                                                  StoredFile.content))}
    assert scene.SCAN in contents.values() and scene.RECEIPT in contents.values()
    assert built.open_vote in {v["id"] for v in manifest["state"]["vote_chains"].values()}


def test_verify_restores_into_a_scratch_database_and_checks_everything(app, runner, app_context, tmp_path):
    scene.build(4)
    db.session.remove()
    assert runner.invoke(args=["backup", "create", str(tmp_path / "b")]).exit_code == 0
    checked = runner.invoke(args=["backup", "verify", str(tmp_path / "b")])
    assert checked.exit_code == 0, checked.output
    assert "backup verified: " in checked.output and "2 votes" in checked.output
    # A manifest whose chain head was changed (or a database that lost its last event) is caught.
    manifest_path = tmp_path / "b" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    chain = sorted(manifest["state"]["audit_chains"])[-1]
    manifest["state"]["audit_chains"][chain]["hash"] = "0" * 64
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    tampered = runner.invoke(args=["backup", "verify", str(tmp_path / "b")])
    assert tampered.exit_code == 1
    assert f"PROBLEM: audit chain {chain}: head" in tampered.output


def test_a_damaged_dump_is_refused_by_verify_and_restore(app, runner, app_context, tmp_path):
    scene.build(3)
    db.session.remove()
    assert runner.invoke(args=["backup", "create", str(tmp_path / "b")]).exit_code == 0
    [dump] = [p for p in (tmp_path / "b").iterdir() if p.name.startswith("database.")]
    content = bytearray(dump.read_bytes())
    content[len(content) // 2] ^= 0xFF
    dump.write_bytes(bytes(content))
    for command in ("verify", "restore"):
        result = runner.invoke(args=["backup", command, str(tmp_path / "b")])
        assert result.exit_code != 0
        assert "does not match the manifest's checksum" in result.output


def test_restore_refuses_a_database_that_is_not_empty(app, runner, app_context, tmp_path):
    scene.build(3)
    db.session.remove()
    before = current_state()
    assert runner.invoke(args=["backup", "create", str(tmp_path / "b")]).exit_code == 0
    result = runner.invoke(args=["backup", "restore", str(tmp_path / "b")])
    assert result.exit_code != 0
    assert "the target database is not empty" in result.output
    assert current_state() == before


def test_a_backup_never_overwrites_another(app, runner, app_context, tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "manifest.json").write_text("{}")
    result = runner.invoke(args=["backup", "create", str(tmp_path / "b")])
    assert result.exit_code != 0 and "is not empty" in result.output


def test_a_folder_without_a_finished_backup_is_refused(app, runner, tmp_path):
    (tmp_path / "b").mkdir()
    result = runner.invoke(args=["backup", "verify", str(tmp_path / "b")])
    assert result.exit_code != 0 and "manifest.json is missing" in result.output


def test_a_pg_dump_older_than_the_server_is_refused_with_what_to_install(app, app_context, monkeypatch, tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "pg_dump").write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    (fake / "pg_dump").chmod(0o755)
    monkeypatch.setitem(app.config, "PG_BIN_DIR", str(fake))
    with pytest.raises(backup.BackupError, match=r"older than the server \(15\).*postgresql-client-15"):
        backup.pg_program("pg_dump", 15)
