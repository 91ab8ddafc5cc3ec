"""ballots without a redundant index; room for in-place updates of sessions and accounts

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 15:30:00

Every cast writes one ballot and updates its account (the code's step) and its session (the
second factor's time); every signed-in minute updates the session again. The index on
``ballot.vote_id`` repeated the first column of both unique constraints, which every insert
already maintains. On PostgreSQL, pages of ``user_session`` and ``user_account`` keep free room
(fillfactor), so that these updates stay on their page without touching the tables' indexes
(heap-only tuples).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

FILLFACTOR = {'user_session': 70, 'user_account': 85}


def upgrade():
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_index('ix_ballot_vote_id')
    if op.get_bind().dialect.name == 'postgresql':
        for table, fillfactor in FILLFACTOR.items():
            op.execute(f'ALTER TABLE {table} SET (fillfactor = {fillfactor})')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in FILLFACTOR:
            op.execute(f'ALTER TABLE {table} RESET (fillfactor)')
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.create_index('ix_ballot_vote_id', ['vote_id'], unique=False)
