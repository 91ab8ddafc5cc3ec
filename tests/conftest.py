"""Shared fixtures: one database per test session, emptied after every test.

The database is SQLite in a temporary folder, or PostgreSQL when
``TEST_DATABASE_URL`` is set. Its schema is built by the migrations, never by
``create_all``, so every run also exercises them.
"""
from __future__ import annotations

import csv
import io
import os

import pytest
from flask_migrate import upgrade
from sqlalchemy import MetaData, text

from governance_app import create_app
from governance_app.config import normalise_database_url
from governance_app.extensions import db

ROLL_HEADER = ["楼栋", "房号", "面积", "面积来源", "业主姓名", "证件号码", "电话", "共有组", "代表人", "开发商持有"]


def pytest_configure(config):
    """Compile the translation catalogues if they are missing or older than their sources."""
    from pathlib import Path

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
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


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
    })
    with app.app_context():
        drop_everything()
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


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
            for table in reversed(db.metadata.sorted_tables):
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
