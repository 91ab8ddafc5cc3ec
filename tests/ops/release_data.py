"""A database of the previous release, kept as data, for the upgrade test.

``tests/ops/data/release-<revision>.json`` holds every row of a database that the release at that
schema revision wrote (tests/ops/scene.py: votes with ballots online and on paper, a published
result, an open vote, evidence, a published statement, audit events), table by table, as JSON:
times in ISO 8601 with their offset, bytes in base64, a JSON column's value as ``{"json": value}``
(``null`` is SQL's NULL). It was written by that release's code, so the
test upgrades what that release really stored. Before a release that changes the schema, write
the next one with the code of the release going out:

    .venv/bin/python -m tests.ops.release_data write tests/ops/data/release-<head>.json

``load`` puts the rows back into a database migrated to the file's revision (SQLite or PostgreSQL).
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

from sqlalchemy import JSON, Date, DateTime, LargeBinary, MetaData, Text, cast, insert, null, select, text

DATA = Path(__file__).parent / "data"


def _plain(value):
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def _typed(column, value):
    kind = column.type
    if isinstance(kind, JSON):
        return null() if value is None else value["json"]
    if value is None:
        return None
    if isinstance(kind, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return dt.date.fromisoformat(value)
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value["base64"])
    return value


def dump(connection) -> dict:
    """Every row of every table but alembic_version, by table, in primary-key order."""
    metadata = MetaData()
    metadata.reflect(bind=connection)
    revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    tables = {}
    for table in metadata.sorted_tables:
        if table.name == "alembic_version":
            continue
        # A JSON column is read as its text, to tell SQL NULL (None) from a JSON value ({"json": ...},
        # JSON null included): the application writes both.
        columns = [column.name for column in table.columns]
        read = [cast(column, Text) if isinstance(column.type, JSON) else column for column in table.columns]
        rows = connection.execute(select(*read).order_by(*table.primary_key.columns)).all()
        tables[table.name] = {"columns": columns, "rows": [
            [({"json": json.loads(value)} if value is not None else None) if isinstance(column.type, JSON)
             else _plain(value) for column, value in zip(table.columns, row)] for row in rows]}
    return {"revision": revision, "tables": tables}


def load(connection, data: dict) -> None:
    """Insert the rows into a database whose schema is at ``data["revision"]`` (in order of the
    foreign keys), then move PostgreSQL's id sequences past them."""
    metadata = MetaData()
    metadata.reflect(bind=connection)
    found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert found == data["revision"], f"the database is at {found}, the data at {data['revision']}"
    for table in metadata.sorted_tables:
        saved = data["tables"].get(table.name)
        if not saved or not saved["rows"]:
            continue
        columns = [table.columns[name] for name in saved["columns"]]
        rows = [{column.name: _typed(column, value) for column, value in zip(columns, row)} for row in saved["rows"]]
        connection.execute(insert(table), rows)
        if connection.dialect.name == "postgresql" and "id" in table.columns:
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                                    f"(SELECT max(id) FROM \"{table.name}\"))"))


def _text(data: dict) -> str:
    """JSON with one row per line, so that a new release's file reads as a diff of rows."""
    line = lambda value: json.dumps(value, ensure_ascii=False, sort_keys=True)  # noqa: E731
    parts = [f'{{"revision": {line(data["revision"])}, "tables": {{']
    for index, (name, table) in enumerate(sorted(data["tables"].items())):
        rows = ",\n".join("  " + line(row) for row in table["rows"])
        parts.append(f'{"," if index else ""}\n{line(name)}: {{"columns": {line(table["columns"])}, "rows": [\n{rows}]}}')
    parts.append("\n}}\n")
    return "".join(parts)


def write(path: Path) -> None:
    """Build the scene with this checkout's code in a fresh SQLite database and save its rows."""
    from flask_migrate import upgrade

    from governance_app import create_app
    from governance_app.extensions import db
    from tests.ops import scene

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"GOVERNANCE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/release.db",
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
        with app.app_context():
            upgrade()
            scene.build(8, counted_vote=True, name="上一版小区")
            db.session.remove()
            with db.engine.connect() as connection:
                data = dump(connection)
            db.engine.dispose()
    path.write_text(_text(data), encoding="utf-8")
    print(f"{path}: revision {data['revision']}, {sum(len(t['rows']) for t in data['tables'].values())} rows")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "write":
        sys.exit("usage: python -m tests.ops.release_data write tests/ops/data/release-<revision>.json")
    write(Path(sys.argv[2]))
