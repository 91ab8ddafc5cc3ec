"""files download under the names they were uploaded with

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 09:30:00

A stored file is kept once per content, so its name belongs to the row that attaches it: a
notice's attachment and a fund entry's evidence each get the name it was uploaded with. Both
columns have an empty default, so no row is rewritten beyond the column's addition. A notice's
attachment was labelled with its file's name, so existing ones take the label as their name.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notice_attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('filename', sa.String(length=255), server_default='', nullable=False))
    with op.batch_alter_table('fund_entry_evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('filename', sa.String(length=255), server_default='', nullable=False))
    op.execute("UPDATE notice_attachment SET filename = label")


def downgrade():
    with op.batch_alter_table('fund_entry_evidence', schema=None) as batch_op:
        batch_op.drop_column('filename')
    with op.batch_alter_table('notice_attachment', schema=None) as batch_op:
        batch_op.drop_column('filename')
