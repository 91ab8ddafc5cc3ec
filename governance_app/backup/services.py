"""Backups that prove, after a restore, that nothing receipted was lost or changed.

A backup is a folder with the database and ``manifest.json``:

- PostgreSQL: ``database.dump``, a custom-format ``pg_dump`` taken in the snapshot that the
  manifest's figures were read in (``pg_export_snapshot``), so both describe the same moment
  while the site keeps running;
- SQLite: ``database.sqlite3``, a copy made with SQLite's online backup API, the figures read
  from the copy.

The manifest holds the time, the schema revision, the head (sequence and hash) of every audit
chain and of every vote's ballot chain, the row count of every table, the SHA-256 and size of every
stored file (evidence lives in the database, table ``stored_file``) and the checksum of the dump.

``check_database`` compares a database with a manifest: the same revision, counts and heads, every
audit chain intact (``flask audit verify``), every vote's ballots re-chained and, when counted,
re-counted as ``governance-audit verify`` does, every stored file's content matching its hash.
``verify`` restores a backup into a scratch database and checks it; ``restore`` restores into the
configured database, which must be empty, and checks it.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import Connection, make_url

from ..audit import services as audit
from ..core import clock
from ..extensions import db
from ..files.models import StoredFile
from ..voting import bundle
from ..voting import services as voting
from ..voting.models import Vote, VoteChainHead

FORMAT = "governance-backup/1"
MANIFEST = "manifest.json"
DUMP_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


class BackupError(RuntimeError):
    """The backup cannot be made, read or restored; the message says why and what to do."""


@dataclass(frozen=True)
class Report:
    manifest: dict
    problems: list[str]


# --- what a database holds -----------------------------------------------------------------------

def read_state(connection: Connection) -> dict:
    """Revision, row counts, chain heads and stored files, read on ``connection`` (Core only, so that
    it can be a snapshot's connection or a scratch database's)."""
    tables = sorted(inspect(connection).get_table_names())
    revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() \
        if "alembic_version" in tables else []
    counts = {name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in tables}
    audit = {chain: {"seq": seq, "hash": hash_} for chain, seq, hash_ in connection.execute(
        text("SELECT chain, seq, hash FROM audit_chain_head ORDER BY chain"))} if "audit_chain_head" in tables else {}
    votes = {uid: {"id": vote_id, "seq": seq, "chain": chain} for vote_id, uid, seq, chain in connection.execute(text(
        "SELECT vote.id, vote.uid, vote_chain_head.seq, vote_chain_head.chain FROM vote_chain_head "
        "JOIN vote ON vote.id = vote_chain_head.vote_id ORDER BY vote.id"))} if "vote_chain_head" in tables else {}
    files = [{"sha256": digest, "size": size} for digest, size in connection.execute(
        text("SELECT sha256, size FROM stored_file ORDER BY sha256"))] if "stored_file" in tables else []
    return {"revision": sorted(revision), "tables": counts, "audit_chains": audit, "vote_chains": votes,
            "stored_files": files}


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def dialect() -> str:
    return db.engine.dialect.name


def _empty(connection: Connection) -> list[str]:
    return sorted(inspect(connection).get_table_names())


# --- PostgreSQL client programs --------------------------------------------------------------------

def _libpq(url) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment that carries it."""
    parsed = make_url(url) if isinstance(url, str) else url
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _server_major(connection: Connection) -> int:
    return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def pg_program(name: str, server_major: int) -> str:
    """``pg_dump`` or ``pg_restore`` from ``PG_BIN_DIR``, else Debian's programs of the server's
    version when installed, else from PATH; refused when older than the server (pg_dump cannot dump
    a newer server)."""
    configured = current_app.config.get("PG_BIN_DIR")
    candidates = [Path(configured) / name] if configured else [
        Path(f"/usr/lib/postgresql/{server_major}/bin/{name}"), Path(shutil.which(name) or "/nonexistent")]
    program = next((str(path) for path in candidates if path.is_file() and os.access(path, os.X_OK)), None)
    if program is None:
        raise BackupError(f"{name} not found: apt-get install postgresql-client-{server_major}, "
                          f"or set PG_BIN_DIR to the folder that holds it")
    shown = subprocess.run([program, "--version"], capture_output=True, text=True, check=False).stdout
    found = re.search(r"\) (\d+)", shown)
    client_major = int(found.group(1)) if found else 0
    if client_major < server_major:
        raise BackupError(f"{program} is PostgreSQL {client_major}, older than the server ({server_major}): "
                          f"apt-get install postgresql-client-{server_major} and set "
                          f"PG_BIN_DIR=/usr/lib/postgresql/{server_major}/bin")
    return program


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {(done.stderr or done.stdout).strip()[-2000:]}")


# --- create ------------------------------------------------------------------------------------

def create(directory: Path) -> dict:
    """Write a consistent backup of the configured database into ``directory`` (new or empty)."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: give a new folder for each backup")
    directory.mkdir(parents=True, exist_ok=True)
    kind = dialect()
    if kind not in DUMP_FILES:
        raise BackupError(f"no backup for {kind} databases")
    dump = directory / DUMP_FILES[kind]
    if kind == "postgresql":
        state, server = _dump_postgres(dump)
    else:
        state, server = _copy_sqlite(dump), sqlite3.sqlite_version
    manifest = {
        "format": FORMAT,
        "created_at": clock.now().isoformat(timespec="seconds"),
        "database": kind,
        "server_version": server,
        "dump": {"file": dump.name, "sha256": _sha256_file(dump), "size": dump.stat().st_size},
        "state": state,
    }
    partial = directory / (MANIFEST + ".part")
    partial.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(partial, directory / MANIFEST)  # a manifest exists only for a complete dump
    return manifest


def _dump_postgres(dump: Path) -> tuple[dict, str]:
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            connection.execute(text("SET TRANSACTION READ ONLY"))
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            state = read_state(connection)
            server = connection.execute(text("SHOW server_version")).scalar_one()
            program = pg_program("pg_dump", _server_major(connection))
            conninfo, env = _libpq(db.engine.url)
            # pg_dump reads the snapshot this transaction exported: it sees what ``state`` describes.
            _run([program, "--format=custom", f"--snapshot={snapshot}", f"--file={dump}", f"--dbname={conninfo}"],
                 env, "pg_dump")
    return state, server


def _sqlite_path(url) -> Path:
    database = make_url(str(url)).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _copy_sqlite(dump: Path) -> dict:
    source = sqlite3.connect(_sqlite_path(db.engine.url))
    target = sqlite3.connect(dump)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    engine = create_engine(f"sqlite:///{dump}")
    try:
        with engine.connect() as connection:
            return read_state(connection)
    finally:
        engine.dispose()


# --- reading a backup ------------------------------------------------------------------------------

def load(directory: Path) -> tuple[dict, Path]:
    """The manifest and the dump, after checking the dump against the manifest's checksum."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(f"{directory / MANIFEST} is missing: not a backup, or one that did not finish") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BackupError(f"{directory / MANIFEST} is not readable JSON: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{directory / MANIFEST}: format must be {FORMAT!r}")
    dump = directory / manifest["dump"]["file"]
    if not dump.is_file():
        raise BackupError(f"{dump} is missing")
    if dump.stat().st_size != manifest["dump"]["size"] or _sha256_file(dump) != manifest["dump"]["sha256"]:
        raise BackupError(f"{dump} does not match the manifest's checksum: the file was changed or damaged")
    return manifest, dump


# --- checking a database against a manifest ----------------------------------------------------------

def check_database(manifest: dict) -> list[str]:
    """Every difference between the configured database and the manifest (in an app context)."""
    problems: list[str] = []
    expected = manifest["state"]
    with db.engine.connect() as connection:
        found = read_state(connection)
    if found["revision"] != expected["revision"]:
        problems.append(f"schema revision {found['revision']} differs from the manifest's {expected['revision']}")
    for name in sorted(set(expected["tables"]) | set(found["tables"])):
        if expected["tables"].get(name) != found["tables"].get(name):
            problems.append(f"table {name}: {found['tables'].get(name)} rows, the manifest says "
                            f"{expected['tables'].get(name)}")
    for label, key in (("audit chain", "audit_chains"), ("vote chain", "vote_chains")):
        for name in sorted(set(expected[key]) | set(found[key])):
            if expected[key].get(name) != found[key].get(name):
                problems.append(f"{label} {name}: head {found[key].get(name)}, the manifest says "
                                f"{expected[key].get(name)}")
    if found["stored_files"] != expected["stored_files"]:
        problems.append("stored files differ from the manifest's list")
    problems += [f"audit chain {b.chain} broken at seq {b.seq}: {b.reason}" for b in audit.verify()]
    problems += _check_votes()
    problems += _check_files()
    return problems


def _check_votes() -> list[str]:
    """Each vote's ballots re-chained from their content; counted votes also re-counted (the bundle
    that ``governance-audit verify`` reads)."""
    problems = []
    for vote in db.session.scalars(select(Vote).join(VoteChainHead, VoteChainHead.vote_id == Vote.id)
                                   .order_by(Vote.id)):
        data = voting.audit_bundle(vote)
        try:
            if data.get("result") is None:
                del data["result"]  # a bundle holds a result only once counted
                data["result"] = bundle.tally(data)  # not counted yet: only trackers and chain are checked
            mismatch = bundle.verify(data)
        except bundle.BundleError as error:
            mismatch = str(error)
        if mismatch:
            problems.append(f"vote {vote.uid}: {mismatch}")
        head = db.session.get(VoteChainHead, vote.id)
        ballots = data["ballots"]
        if head.seq != len(ballots) or (ballots and head.chain != ballots[-1]["chain"]):
            problems.append(f"vote {vote.uid}: the chain's head does not follow its ballots")
    db.session.rollback()
    return problems


def _check_files() -> list[str]:
    problems = []
    rows = db.session.execute(select(StoredFile.id, StoredFile.sha256, StoredFile.size, StoredFile.content)
                              .order_by(StoredFile.id).execution_options(yield_per=50))
    for file_id, digest, size, content in rows:
        if len(content) != size or hashlib.sha256(content).hexdigest() != digest:
            problems.append(f"stored file {file_id}: its content does not match its SHA-256")
    db.session.rollback()
    return problems


# --- restore and verify ------------------------------------------------------------------------------

def _refuse_mixed(manifest: dict, kind: str) -> None:
    if manifest["database"] != kind:
        raise BackupError(f"this is a backup of a {manifest['database']} database; the target is {kind}")


def _restore_into(manifest: dict, dump: Path, url) -> None:
    """Load the dump into the empty database at ``url``."""
    kind = make_url(str(url)).get_backend_name()
    _refuse_mixed(manifest, kind)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = _empty(connection)
            server_major = _server_major(connection) if kind == "postgresql" else 0
    finally:
        engine.dispose()
    if tables:
        raise BackupError(f"the target database is not empty ({len(tables)} tables, e.g. {tables[0]}): "
                          f"restore only into a new, empty database")
    if kind == "postgresql":
        conninfo, env = _libpq(url)
        _run([pg_program("pg_restore", server_major), "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", f"--dbname={conninfo}", str(dump)], env, "pg_restore")
    else:
        source, target = sqlite3.connect(dump), sqlite3.connect(_sqlite_path(url))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()


def restore(directory: Path) -> Report:
    """Restore the backup into the configured database (refused unless it is empty), then check it."""
    manifest, dump = load(directory)
    db.session.remove()
    db.engine.dispose()
    _restore_into(manifest, dump, db.engine.url.render_as_string(hide_password=False))
    db.engine.dispose()
    return Report(manifest, check_database(manifest))


@contextmanager
def _scratch(kind: str, given: str | None) -> Iterator[str]:
    """An empty database to restore into: ``given``, or one made for the check and dropped after
    (a temporary SQLite file; on PostgreSQL a database beside the configured one)."""
    if given:
        yield given
        return
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="governance-verify-")
        try:
            yield f"sqlite:///{folder}/scratch.sqlite3"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    url = db.engine.url
    name = f"{url.database}_verify_{os.getpid()}"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        server.dispose()
        raise BackupError(f"cannot create a scratch database to check the backup in ({error.__class__.__name__}); "
                          f"give an empty one with --scratch-url") from error
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def verify(directory: Path, scratch_url: str | None = None) -> Report:
    """Check a backup without touching the configured database: its checksum, then a restore into a
    scratch database and every check of ``check_database`` there."""
    from .. import create_app  # the package's factory; importing it at the top would be circular

    manifest, dump = load(directory)
    with _scratch(manifest["database"], scratch_url) as url:
        _restore_into(manifest, dump, url)
        scratch = create_app({**current_app.config, "SQLALCHEMY_DATABASE_URI": url,
                              "SQLALCHEMY_ENGINE_OPTIONS": {}})
        with scratch.app_context():
            try:
                problems = check_database(manifest)
            finally:
                db.session.remove()
                db.engine.dispose()
    return Report(manifest, problems)
