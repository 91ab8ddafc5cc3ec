"""a project's milestone can be marked reached

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 12:50:00

The day the committee marked it reached; empty for every existing milestone (none was marked).
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('proposal_milestone', schema=None) as batch_op:
        batch_op.add_column(sa.Column('done_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('proposal_milestone', schema=None) as batch_op:
        batch_op.drop_column('done_on')
