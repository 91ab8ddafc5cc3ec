"""roll entries indexed by vote and voter

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 10:20:00

Every cast request reads the frozen units of a voter in one vote. An index on the voter alone
left PostgreSQL, before the table had statistics, to join the whole roll against itself.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('vote_roll_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_vote_roll_entry_voter')
        batch_op.create_index('ix_vote_roll_entry_vote_id_voter', ['vote_id', 'voter'], unique=False)


def downgrade():
    with op.batch_alter_table('vote_roll_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_vote_roll_entry_vote_id_voter')
        batch_op.create_index('ix_vote_roll_entry_voter', ['voter'], unique=False)
