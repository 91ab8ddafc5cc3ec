"""Issue 12, point 9: on PostgreSQL the application's role, given its grants by
``flask ops grants``, cannot UPDATE or DELETE ballots, audit events, published statements, their
entries, or issued documents, and still does everything the application does: cast (online, and
paper confirmed by a second person), record an audit event, publish a statement, issue a document.

The test connects as a role of its own, made for it and dropped after it."""
from __future__ import annotations

import datetime as dt
import secrets

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError

from governance_app.core import clock as platform_clock
from governance_app import create_app
from governance_app.audit import services as audit
from governance_app.audit.models import AuditEvent
from governance_app.auth.models import Role, User
from governance_app.core import grants
from governance_app.documents import services as documents
from governance_app.documents.models import DocumentRecord
from governance_app.funds import printing as fund_printing
from governance_app.estates.models import Estate
from governance_app.extensions import db
from governance_app.funds import services as funds
from governance_app.funds.models import AccountKind, Entry, EntryState, Statement
from governance_app.voting import services as voting
from governance_app.voting.models import Ballot, Vote
from tests.support.voting_world import committee, draft_vote, estate, open_vote, owner_of  # noqa: F401
from tests.support.site import JPEG, choices

PASSWORD = "grants-test-password"


@pytest.fixture
def app_role(app_context, is_postgres):
    if not is_postgres:
        pytest.skip("grants and row-level security are PostgreSQL's: this runs on PostgreSQL "
                    "(TEST_DATABASE_URL, the CI's second pass)")
    role = f"governance_app_{secrets.token_hex(4)}"
    with db.engine.begin() as connection:
        connection.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'"))
    yield role
    db.session.remove()  # the test's transaction would hold the locks these statements wait for
    with db.engine.begin() as connection:
        connection.execute(text(f"DROP OWNED BY {role}"))
        connection.execute(text(f"DROP ROLE {role}"))
        for name in grants.POLICIES:  # leave the database as the migrations built it
            connection.execute(text(f"DROP POLICY IF EXISTS {name} ON fund_entry"))
        connection.execute(text("ALTER TABLE fund_entry DISABLE ROW LEVEL SECURITY"))


@pytest.fixture
def as_app_role(app, app_role, runner):
    """The application, connected as the role ``flask ops grants`` prepared."""
    result = runner.invoke(args=["ops", "grants", "--role", app_role])
    assert result.exit_code == 0, result.output
    assert result.output == (f"{len(grants.statements('r', 's'))} statements run: {app_role} may no longer change "
                             "ballot, audit_event, fund_statement, document_record, nor fund_entry rows of "
                             "published periods\n")
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(username=app_role, password=PASSWORD)
    restricted = create_app({key: app.config[key] for key in (
        "GOVERNANCE_ENV", "TESTING", "WTF_CSRF_ENABLED", "PASSWORD_HASH_METHOD", "SECRET_KEY", "ID_HASH_KEY",
        "TOTP_ENCRYPTION_KEY")} | {"SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False)})
    yield restricted
    with restricted.app_context():
        db.engine.dispose()


def refused(engine, statement: str, **values) -> str:
    """The database's refusal of ``statement`` run on its own."""
    with pytest.raises((ProgrammingError, DBAPIError)) as caught, engine.begin() as connection:
        connection.execute(text(statement), values)
    return str(caught.value.orig).splitlines()[0]


def rows_changed(engine, statement: str, **values) -> int:
    with engine.begin() as connection:
        return connection.execute(text(statement), values).rowcount


def test_the_app_role_cannot_rewrite_ballots_log_statements_entries_or_documents_but_works(
        app, as_app_role, app_role, open_vote, owner_of, committee, make_user, clock):  # noqa: F811
    staff = [make_user(Role.COMMUNITY_STAFF, open_vote.estate.community, login=f"staff{n}") for n in (1, 2)]
    voter_user = owner_of("1-101")
    today = platform_clock.today()
    funds.open_accounts(open_vote.estate, opened_on=today - dt.timedelta(days=90), first_period_amount=0,
                        balances={kind: 0 for kind in AccountKind}, actor=committee)
    db.session.commit()
    ids = {"vote": open_vote.id, "estate": open_vote.estate_id, "voter": voter_user.id, "committee": committee.id,
           "staff": [user.id for user in staff]}

    # --- everything the application does, as the application's role -----------------------------------
    with as_app_role.app_context():
        vote, estate = db.session.get(Vote, ids["vote"]), db.session.get(Estate, ids["estate"])  # noqa: F811
        chair, voter_account = db.session.get(User, ids["committee"]), db.session.get(User, ids["voter"])
        first_staff, second_staff = (db.session.get(User, user_id) for user_id in ids["staff"])
        assert db.session.scalar(text("SELECT current_user")) == app_role

        mandate = voting.mandates(voter_account, vote)[0]
        assert voting.cast_online(vote, voter_account, mandate, choices(i1="approve"))
        db.session.commit()
        vote.two_staff_paper = True  # the paper ballot waits for a second person, then is inserted
        entry, waiting = voting.record_paper(vote, first_staff, unit="1-103", received_at=clock(), signed=True,
                                             signer_matches=True, choices=choices(i1="oppose"), scan=JPEG)
        assert waiting is None
        db.session.commit()
        paper_ballot = voting.confirm_paper(vote, entry, second_staff)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote.id)) == 2

        audit.record("test.recorded", estate_id=estate.id, details={"by": "the app role"}, actor=chair)
        db.session.commit()

        account = funds.get_account(estate, "common_income")
        published_entry = funds.add_entry(estate, account, day=today - dt.timedelta(days=80), direction="in",
                                          amount=500_00, category="parking", counterparty="停车场",
                                          description="", authority=funds.Authority(), actor=chair)
        statement = funds.publish_statement(estate, account, start=today - dt.timedelta(days=90),
                                            end=today - dt.timedelta(days=60), actor=chair)
        db.session.commit()
        open_entry = funds.add_entry(estate, account, day=today - dt.timedelta(days=10), direction="in",
                                     amount=100_00, category="parking", counterparty="", description="",
                                     authority=funds.Authority(), actor=chair)
        db.session.commit()
        draft = Entry(estate_id=estate.id, account_id=account.id, state=EntryState.DRAFT,
                      day=today - dt.timedelta(days=5), direction="in", amount=1_00, category="", counterparty="",
                      description="", created_by_id=chair.id, created_at=platform_clock.now())
        db.session.add(draft)
        db.session.commit()
        funds.post_draft(estate, draft, category="parking", counterparty="", description="",
                         authority=funds.Authority(), actor=chair)  # an entry of an open period still changes
        db.session.commit()

        with as_app_role.test_request_context():
            pdf = fund_printing.fund_statement_pdf(statement, chair)
            db.session.commit()
        assert pdf.startswith(b"%PDF-")
        number = db.session.scalar(select(DocumentRecord.number).order_by(DocumentRecord.id.desc()))
        assert documents.check(number).status == documents.Status.CURRENT
        assert documents.check(number).log == documents.LogState.INTACT
        assert audit.verify() == [] and audit.verify_anchors(audit.recorded_anchors()) == []
        rows = {"ballot": paper_ballot.id, "audit_event": db.session.scalar(select(func.max(AuditEvent.id))),
                "fund_statement": statement.id,
                "document_record": db.session.scalar(select(func.max(DocumentRecord.id)))}
        published_id, open_id, published_day = published_entry.id, open_entry.id, published_entry.day
        engine = db.engine

        # --- and nothing it must not: each UPDATE and DELETE refused by the database --------------------
        for table, row_id in rows.items():
            assert refused(engine, f"UPDATE {table} SET id = id WHERE id = :id", id=row_id) == \
                f"permission denied for table {table}"
            assert refused(engine, f"DELETE FROM {table} WHERE id = :id", id=row_id) == \
                f"permission denied for table {table}"
            assert refused(engine, f"TRUNCATE {table} CASCADE") == f"permission denied for table {table}"
        # An entry of a published period is not there to update or delete; none moves into one.
        assert rows_changed(engine, "UPDATE fund_entry SET amount = amount + 1 WHERE id = :id", id=published_id) == 0
        assert rows_changed(engine, "UPDATE fund_entry SET day = day + 100 WHERE id = :id", id=published_id) == 0
        assert rows_changed(engine, "DELETE FROM fund_entry WHERE id = :id", id=published_id) == 0
        assert refused(engine, "UPDATE fund_entry SET day = :day WHERE id = :id", day=published_day, id=open_id) == \
            'new row violates row-level security policy "governance_published_entry_update" for table "fund_entry"'
        assert rows_changed(engine, "UPDATE fund_entry SET description = 'x' WHERE id = :id", id=open_id) == 1
        assert refused(engine, "UPDATE alembic_version SET version_num = version_num") == \
            "permission denied for table alembic_version"

    # The owner sees every row as it was.
    db.session.rollback()
    assert db.session.get(Entry, published_id).amount == 500_00
    assert db.session.get(Statement, rows["fund_statement"]) is not None
    assert db.session.get(Ballot, rows["ballot"]) is not None


def test_grants_are_refused_for_a_role_that_owns_the_tables_or_does_not_exist(app, app_role, runner):
    owner = db.session.scalar(text("SELECT tableowner FROM pg_tables WHERE tablename = 'ballot'"))
    result = runner.invoke(args=["ops", "grants", "--role", owner])
    assert result.exit_code == 1
    assert "is a superuser" in result.output or "owns the tables" in result.output
    result = runner.invoke(args=["ops", "grants", "--role", app_role + "_missing"])
    assert result.exit_code == 1 and f"no role '{app_role}_missing' on this server" in result.output
    db.session.remove()
    with db.engine.begin() as connection:
        connection.execute(text(f"ALTER TABLE ballot OWNER TO {app_role}"))
    try:
        result = runner.invoke(args=["ops", "grants", "--role", app_role])
        assert result.exit_code == 1 and "owns the tables and can grant itself anything" in result.output
    finally:
        with db.engine.begin() as connection:
            connection.execute(text(f"ALTER TABLE ballot OWNER TO {owner}"))


def test_grants_are_for_postgresql(app, runner, is_postgres):
    if is_postgres:
        pytest.skip("on SQLite only: PostgreSQL runs the grants themselves")
    result = runner.invoke(args=["ops", "grants", "--role", "anyone"])
    assert result.exit_code == 1
    assert "grants are for PostgreSQL; SQLite has no roles" in result.output


def test_the_statements_can_be_read_before_they_are_run(runner):
    result = runner.invoke(args=["ops", "grants", "--role", "app", "--show"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "REVOKE UPDATE, DELETE, TRUNCATE ON ballot, audit_event, fund_statement, document_record FROM app;" in lines
    assert "ALTER TABLE fund_entry ENABLE ROW LEVEL SECURITY;" in lines
