"""What the suite's cleanup after each test costs: emptying every table (as the suite did) against
emptying only the tables that hold rows, with commits that do not wait for the disk (as it does
now, ``tests/conftest.py``).

    .venv/bin/python bench/suite_cleanup.py [--rounds 200] [--postgres-url URL]

On SQLite (a file in a temporary folder, as the suite's) and on PostgreSQL (a fresh database
``bench_cleanup_<pid>``, dropped at the end; skipped with a line when it cannot be reached). Each
round writes what a small test writes (a sub-district, a community, an estate) and cleans up; the
figures are milliseconds per round, median and 90th percentile. Prints figures; never fails on time.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.postgres import DEFAULT_POSTGRES_URL, PostgresDatabase, Unreachable  # noqa: E402


def _old_cleanup(db) -> None:
    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


def _new_cleanup(db) -> None:
    from tests.conftest import _tables_with_rows

    db.session.remove()
    with db.engine.begin() as connection:
        for table in _tables_with_rows(connection):
            connection.execute(table.delete())


def _write_a_little(number: int) -> None:
    from governance_app.estates import services
    from governance_app.extensions import db

    services.ensure_estate(services.ensure_community(services.ensure_sub_district(f"街道{number}"),
                                                     f"居民区{number}"), f"小区{number}")
    db.session.commit()


def _measure(url: str, rounds: int, quick: bool, cleanup) -> list[float]:
    from flask_migrate import upgrade

    from governance_app import create_app
    from governance_app.extensions import db
    from tests.conftest import _quick_commits, drop_everything

    app = create_app({"GOVERNANCE_ENV": "testing", "TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.engine.dispose()
        if quick:
            _quick_commits(db.engine)
            if db.engine.dialect.name == "postgresql":
                from sqlalchemy import event

                @event.listens_for(db.engine, "connect")
                def no_wait(dbapi_connection, _record):
                    with dbapi_connection.cursor() as cursor:
                        cursor.execute("SET synchronous_commit = off")
                    dbapi_connection.commit()
        drop_everything()
        upgrade()
        times = []
        for number in range(rounds):
            _write_a_little(number)
            started = time.perf_counter()
            cleanup(db)
            times.append((time.perf_counter() - started) * 1000)
        db.engine.dispose()
    return times


def _report(name: str, url: str, rounds: int) -> None:
    for label, quick, cleanup in (("every table emptied, commits wait for the disk (before)", False, _old_cleanup),
                                  ("tables with rows emptied, commits do not wait (now)", True, _new_cleanup)):
        times = sorted(_measure(url, rounds, quick, cleanup))
        print(f"{name:<10} {label:<58} median {statistics.median(times):7.1f} ms   "
              f"p90 {times[int(len(times) * 0.9)]:7.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _report("SQLite", f"sqlite:///{folder}/bench.sqlite3", args.rounds)
    database = PostgresDatabase(args.postgres_url, "bench_cleanup")
    try:
        url = database.create()
    except Unreachable as error:
        print(f"PostgreSQL skipped: {error}")
        return 0
    try:
        _report("PostgreSQL", url, args.rounds)
    finally:
        database.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
