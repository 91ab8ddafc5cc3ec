"""the account's choice of 长辈版 (elder mode)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 05:30:00

One nullable column: NULL until the person chooses a display, so that the device's choice made
before sign-in can be taken over at the first sign-in (core/display.py). Adding a nullable column
without a default rewrites no row on PostgreSQL or SQLite.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('elder_mode', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('elder_mode')
