"""The application's database role in production: it may not change what must never change.

Issue 12, point 9. The chains are only as safe as the database: whoever holds the application's
credentials could otherwise rewrite a vote's ballots or an estate's audit log. On PostgreSQL the
tables belong to the role that runs the migrations (the owner); the application connects as
another role, given here:

- every table: SELECT, INSERT, UPDATE, DELETE (the sequences: USAGE, SELECT); ``alembic_version``
  only SELECT (migrations are the owner's);
- ``ballot``, ``audit_event``, ``fund_statement`` and ``document_record``: no UPDATE, DELETE or
  TRUNCATE at all. The application only ever inserts them: a paper ballot's confirmation writes
  ``paper_entry`` and then inserts the ballot; a statement row is inserted at its publication (a
  draft period is not a row); a document's being superseded is worked out when it is checked,
  never written; an audit event is appended and the chain's head (``audit_chain_head``, which
  stays writable) moves;
- ``fund_entry``: row-level security. An entry inside the period of a published statement (R-54)
  cannot be updated or deleted, nor can an entry be moved into such a period; drafts and entries
  of open periods stay writable, as the ORM guard ``funds.services._entry_frozen`` already says.
  An UPDATE or DELETE of a published entry then finds no row (0 rows), and the ORM reports it.
  The policies apply to every role but the owner and superusers (who bypass row-level security),
  so a reporting role given SELECT sees every row as before.

A table added by a later migration gets nothing until this is run again: run it after every
``flask db upgrade`` (it is idempotent).
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ..audit.models import AuditEvent
from ..documents.models import DocumentRecord
from ..funds.models import Entry, Statement
from ..voting.models import Ballot

APPEND_ONLY = tuple(model.__tablename__ for model in (Ballot, AuditEvent, Statement, DocumentRecord))
PERIODS_FROZEN = Entry.__tablename__
POLICIES = {  # name -> what it allows or restricts
    "governance_rows": "FOR ALL USING (true) WITH CHECK (true)",
    "governance_published_entry_update":
        "AS RESTRICTIVE FOR UPDATE USING (NOT {published}) WITH CHECK (NOT {published})",
    "governance_published_entry_delete": "AS RESTRICTIVE FOR DELETE USING (NOT {published})",
}
PUBLISHED = (f"EXISTS (SELECT 1 FROM {Statement.__tablename__} AS published"
             f" WHERE published.account_id = {PERIODS_FROZEN}.account_id"
             f" AND {PERIODS_FROZEN}.day BETWEEN published.period_start AND published.period_end)")


class GrantError(Exception):
    """The grants cannot be set for this role or on this database; the message says why."""


def statements(role: str, schema: str) -> list[str]:
    """The SQL that gives ``role`` (quoted) what the application needs, and no more, on ``schema``."""
    frozen = ", ".join(APPEND_ONLY)
    sql = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}",
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {frozen} FROM {role}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {role}",
        f"ALTER TABLE {PERIODS_FROZEN} ENABLE ROW LEVEL SECURITY",
    ]
    for name, clause in POLICIES.items():
        sql.append(f"DROP POLICY IF EXISTS {name} ON {PERIODS_FROZEN}")
        sql.append(f"CREATE POLICY {name} ON {PERIODS_FROZEN} {clause.format(published=PUBLISHED)}")
    return sql


def apply(connection: Connection, role: str) -> list[str]:
    """Set the grants for ``role`` on the connection's database (as the tables' owner); returns
    the statements run. The caller commits."""
    if connection.dialect.name != "postgresql":
        raise GrantError("grants are for PostgreSQL; SQLite has no roles")
    found = connection.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :role"),
                               {"role": role}).first()
    if found is None:
        raise GrantError(f"no role {role!r} on this server: CREATE ROLE it first")
    if found.rolsuper or found.rolbypassrls:
        raise GrantError(f"role {role!r} is a superuser or bypasses row-level security: no grant can hold it")
    owners = set(connection.scalars(text(
        "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = current_schema() AND tablename = ANY(:tables)"),
        {"tables": [*APPEND_ONLY, PERIODS_FROZEN]}))
    if role in owners:
        raise GrantError(f"role {role!r} owns the tables and can grant itself anything: run the migrations as "
                         "another role (the owner) and the application as this one")
    preparer = connection.dialect.identifier_preparer
    schema = connection.scalar(text("SELECT current_schema()"))
    sql = statements(preparer.quote(role), preparer.quote_schema(schema))
    for statement in sql:
        connection.execute(text(statement))
    return sql
