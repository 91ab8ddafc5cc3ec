"""The one PostgreSQL helper of the benchmarks: a fresh database ``<prefix>_<pid>`` on a server
(``--postgres-url`` or ``BENCH_POSTGRES_URL``, default the local one), created and dropped with
psycopg in autocommit, so that no benchmark ever meets another's rows or the suite's."""
from __future__ import annotations

import os
import sys

DEFAULT_POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")


class Unreachable(Exception):
    """PostgreSQL cannot be used; the message says why."""


class PostgresDatabase:
    """``PostgresDatabase(url, "bench_import")``: ``create()`` gives its SQLAlchemy URL (psycopg 3),
    ``drop()`` removes it even while connections are open; ``shown`` is the URL without password."""

    def __init__(self, server_url: str = DEFAULT_POSTGRES_URL, prefix: str = "bench"):
        from sqlalchemy.engine import make_url

        self.name = f"{prefix}_{os.getpid()}"
        server = make_url(server_url)
        self.admin_conninfo = server.set(drivername="postgresql", database="postgres").render_as_string(
            hide_password=False)
        self.url = server.set(drivername="postgresql+psycopg", database=self.name).render_as_string(
            hide_password=False)
        self.shown = server.set(database=self.name).render_as_string(hide_password=True)

    def _admin(self, statement: str) -> None:
        try:
            import psycopg
            from psycopg import sql
        except ImportError as error:
            raise Unreachable(f"psycopg is not installed ({error}); pip install -e '.[postgres]'") from error
        try:
            with psycopg.connect(self.admin_conninfo, autocommit=True, connect_timeout=5) as connection:
                connection.execute(sql.SQL(statement).format(sql.Identifier(self.name)))
        except psycopg.Error as error:  # refused, authentication, no right to create databases, ...
            raise Unreachable(str(error).strip().splitlines()[0] if str(error).strip() else repr(error)) from error

    def create(self) -> str:
        self._admin("DROP DATABASE IF EXISTS {}")
        self._admin("CREATE DATABASE {}")
        return self.url

    def drop(self) -> None:
        try:
            self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        except Unreachable as error:
            print(f"  could not drop database {self.name}: {error}", file=sys.stderr)
