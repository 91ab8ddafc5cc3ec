"""A database that is full while evidence is uploaded (issue 21): the person gets the "busy" page,
and no evidence is referenced without its content; once there is room, the same upload works.

On SQLite the database really is full: ``PRAGMA max_page_count`` caps the file at its size on every
connection the request takes. On PostgreSQL (the CI pass with ``TEST_DATABASE_URL``) the server is
shared, so a trigger makes it answer exactly as a full disk does (SQLSTATE 53100, disk_full);
tests/ops/test_postgres_faults.py fills a private server's disk limit for real.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os

from sqlalchemy import event, select, text as sql

from governance_app.audit.services import verify
from governance_app.extensions import db
from governance_app.files.models import StoredFile
from governance_app.funds.models import EntryEvidence
from tests.funds.support import INCOME, count, events, flashes
from tests.support.site import text

BUSY = "系统繁忙，请稍后再试"


@contextlib.contextmanager
def database_full(is_postgres: bool):
    if is_postgres:
        with db.engine.begin() as connection:
            connection.execute(sql("CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                                   "RAISE EXCEPTION 'could not extend file: No space left on device' "
                                   "USING ERRCODE = 'disk_full'; END $$"))
            connection.execute(sql("CREATE TRIGGER disk_full BEFORE INSERT ON stored_file "
                                   "FOR EACH ROW EXECUTE FUNCTION disk_full()"))
        try:
            yield
        finally:
            with db.engine.begin() as connection:
                connection.execute(sql("DROP TRIGGER disk_full ON stored_file"))
                connection.execute(sql("DROP FUNCTION disk_full()"))
        return

    # Free pages left by earlier tests' deletions would take the upload without the file growing.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM")

    def cap(dbapi_connection, _record, _proxy):
        cursor = dbapi_connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages + 1}")
        cursor.close()

    def uncap(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA max_page_count = 4294967294")

    event.listen(db.engine, "checkout", cap)
    try:
        yield
    finally:
        event.remove(db.engine, "checkout", cap)
        event.listen(db.engine, "checkin", uncap, once=False)
        db.engine.dispose()
        event.remove(db.engine, "checkin", uncap)


def test_a_full_database_refuses_the_upload_whole_and_says_so(world, is_postgres):
    world.open_accounts()
    entry = world.entry(INCOME, dt.date(2026, 2, 1), "out", 800_00, "management_cost", counterparty="某公司")
    scan = b"%PDF-1.4\n" + os.urandom(256 * 1024)
    url = f"/estates/{entry.estate_id}/funds/entries/{entry.id}/evidence"
    member = world.pages(world.member, language="zh_CN")
    before = len(events())
    with database_full(is_postgres):
        response = member.post(url, data={"file": (io.BytesIO(scan), "发票.pdf"), "label": "发票"},
                               content_type="multipart/form-data")
    assert response.status_code == 503
    assert BUSY in text(response) and response.headers["Retry-After"]
    assert (count(EntryEvidence), count(StoredFile), len(events())) == (0, 0, before)
    response = member.post(url, data={"file": (io.BytesIO(scan), "发票.pdf"), "label": "发票"},
                           content_type="multipart/form-data", follow_redirects=True)
    assert ("success", "凭证已上传。") in flashes(response)
    [evidence] = db.session.scalars(select(EntryEvidence)).all()
    stored = db.session.get(StoredFile, evidence.file_id)
    assert stored.content == scan and stored.sha256 == hashlib.sha256(scan).hexdigest()
    assert verify() == []
