"""STYLE 10: the migrations build exactly the schema the models describe, both ways."""
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from governance_app.extensions import db


def _differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_to_head_matches_the_models(app_context):
    # The session's database was built from empty by `upgrade()` in conftest.
    assert _differences() == []


def test_downgrade_to_base_then_upgrade_again(app_context):
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert _differences() == []
    assert "unit" in inspect(db.engine).get_table_names()


def test_0008_ballots_keep_only_their_constraints_and_sessions_leave_room_on_their_pages(app_context):
    """Every cast inserts a ballot and updates an account and a session: no index repeats the
    unique constraints' leading column, and on PostgreSQL the two updated tables keep free room
    on each page (fillfactor), so that these updates stay off their indexes."""
    indexes = {index["name"] for index in inspect(db.engine).get_indexes("ballot")}
    assert "ix_ballot_vote_id" not in indexes
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect() as connection:
        options = dict(connection.exec_driver_sql(
            "SELECT relname, reloptions FROM pg_class WHERE relname IN ('user_session', 'user_account')").all())
    assert options == {"user_session": ["fillfactor=70"], "user_account": ["fillfactor=85"]}
