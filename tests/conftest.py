"""Shared fixtures: one database per test session, emptied after every test (only the tables the
test wrote to, found with one query).

The database is SQLite in a temporary folder, or PostgreSQL when
``TEST_DATABASE_URL`` is set. Its schema is built by the migrations, never by
``create_all``, so every run also exercises them.
"""
from __future__ import annotations

import csv
import io
import os

import pytest

pytest_plugins = ["tests.support.clock"]
from flask_migrate import upgrade
from sqlalchemy import MetaData, event, exists, literal, select, text, union_all

from governance_app import create_app
from governance_app.config import normalise_database_url
from governance_app.extensions import db

ROLL_HEADER = ["楼栋", "房号", "面积", "面积来源", "业主姓名", "证件号码", "电话", "共有组", "代表人", "开发商持有"]


def pytest_configure(config):
    """Compile the translation catalogues if they are missing or older than their sources
    (once: with pytest-xdist, before the workers start)."""
    from pathlib import Path

    if hasattr(config, "workerinput"):
        return

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in Path(__file__).parent.parent.glob("governance_app/translations/*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    url = normalise_database_url(url)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _worker_database(url, worker, create=True) if worker else url


def _worker_database(url: str, worker: str, *, create: bool) -> str:
    """With pytest-xdist each worker has its own PostgreSQL database beside the given one
    (``<name>_gw0`` ...), made empty at its start and dropped at its end."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    given = make_url(url)
    name = f"{given.database}_{worker}"
    server = create_engine(given, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if create:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
                # A test database need not survive a power cut: commits do not wait for the disk.
                connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    finally:
        server.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


def _quick_commits(engine) -> None:
    """SQLite commits of the suite's database do not wait for the disk (the suite needs no
    durability; the fault tests run their own servers)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def no_disk_sync(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA synchronous = OFF")


def drop_everything() -> None:
    """Empty the database completely, including tables no model knows about."""
    reflected = MetaData()
    reflected.reflect(bind=db.engine)
    reflected.drop_all(bind=db.engine)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app({
        "GOVERNANCE_ENV": "testing",
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": True,
        # A fast hash keeps the suite quick; production uses scrypt (see config.py).
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "JOBS_DIR": str(tmp_path_factory.mktemp("jobs")),
    })
    with app.app_context():
        db.engine.dispose()
        _quick_commits(db.engine)
        drop_everything()
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()
    worker, given = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("TEST_DATABASE_URL")
    if worker and given:
        _worker_database(normalise_database_url(given), worker, create=False)


@pytest.fixture
def another_app():
    """Make further applications (on the suite's database or another); their connection pools are
    closed when the test ends, so no open connection is left for the garbage collector."""
    made = []

    def make(config: dict):
        made.append(create_app(config))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


_written_tables = None


def _tables_with_rows(connection) -> list:
    """The tables that hold a row, in an order that deletes children first: one query (emptying
    all 76 tables after every test cost more than most tests)."""
    global _written_tables
    tables = list(reversed(db.metadata.sorted_tables))
    if _written_tables is None:
        _written_tables = union_all(*[select(literal(index)).where(exists().select_from(table))
                                      for index, table in enumerate(tables)])
    found = set(connection.execute(_written_tables).scalars())
    return [table for index, table in enumerate(tables) if index in found]


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Every test starts from empty tables (only for tests that use the app)."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in _tables_with_rows(connection):
                connection.execute(table.delete())
        from governance_app.extensions import limiter
        limiter.reset()


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_estate(app_context):
    """Factory: ``make_estate("梅园")`` creates an estate (with sub-district and community)."""
    from governance_app.estates import services

    def make(name: str = "测试小区", community: str = "测试居民区", sub_district: str = "测试街道"):
        estate = services.ensure_estate(
            services.ensure_community(services.ensure_sub_district(sub_district), community), name)
        db.session.commit()
        return estate

    return make


def roll_csv(rows: list[list[str]], header: list[str] | None = None, encoding: str = "utf-8") -> bytes:
    """A roll file as bytes; rows are padded to the header's width."""
    header = header or ROLL_HEADER
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(list(row) + [""] * (len(header) - len(row)))
    return out.getvalue().encode(encoding)


def owner_row(building: str, unit: str, area: str, name: str, document: str, *, source: str = "登记",
              phone: str = "", group: str = "", representative: str = "", developer: str = "否") -> list[str]:
    return [building, unit, area, source, name, document, phone, group, representative, developer]


@pytest.fixture
def is_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def count(model) -> int:
    return db.session.scalar(text(f"SELECT count(*) FROM {model.__tablename__}"))


PASSWORD = "correct-horse-battery"


@pytest.fixture
def make_user(app_context):
    """Factory: ``make_user(Role.COMMITTEE_MEMBER, estate)`` makes an enrolled account with that
    role over ``scope`` (an estate, community or sub-district object, or ``None`` for the
    platform); ``owner=`` links an owner instead. ``user.totp`` computes its codes."""
    from governance_app.auth import services as auth_services
    from governance_app.auth.models import ScopeKind, utcnow
    from governance_app.auth.totp import Totp
    from governance_app.estates.models import Community, Estate, SubDistrict

    made = []

    def make(role=None, scope=None, *, owner=None, login=None, name="测试用户", password=PASSWORD):
        grants = []
        if role is not None:
            if scope is None:
                grants.append((role, ScopeKind.PLATFORM, None))
            else:
                kind = {Estate: ScopeKind.ESTATE, Community: ScopeKind.COMMUNITY,
                        SubDistrict: ScopeKind.SUB_DISTRICT}[type(scope)]
                grants.append((role, kind, scope.id))
        login = login or f"user{len(made) + 1}-{role.value if role else 'owner'}"
        user = auth_services.create_user(login, name, password, actor=None, grants=grants, owner=owner)
        secret = auth_services.start_totp_enrolment(user)
        user.totp_confirmed_at = utcnow()
        db.session.commit()
        user.totp = Totp(secret)
        made.append(user)
        return user

    return make


@pytest.fixture
def login(app, client):
    """``login(user)`` signs ``user`` in on the test client (or on ``client=``) without the
    sign-in pages, which have their own tests; the second factor counts as just given."""
    from governance_app.auth import services as auth_services

    def sign_in(user, client=client):
        session = auth_services.open_session(user, "127.0.0.1", "pytest")
        db.session.commit()
        with client.session_transaction() as cookie_session:
            cookie_session["_user_id"] = session.token
            cookie_session["_fresh"] = True
        # Requests made while a test holds an app context share its ``g``, where
        # Flask-Login caches the user: forget the previous one.
        from flask import g, has_app_context

        if has_app_context():
            g.pop("_login_user", None)
        return client

    return sign_in


@pytest.fixture
def supervisor_client(client, make_user, login):
    """The test client signed in as the supervisor of 测试街道, the sub-district that
    ``make_estate`` uses by default: may see and import rolls of its estates."""
    from governance_app.auth.models import Role
    from governance_app.estates import services

    sub_district = services.ensure_sub_district("测试街道")
    db.session.commit()
    return login(make_user(Role.SUBDISTRICT_SUPERVISOR, sub_district, login="supervisor"))
