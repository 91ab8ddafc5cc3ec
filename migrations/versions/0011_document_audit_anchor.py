"""documents record the audit chain's head at their issue

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 10:00:00

Every PDF prints the head of its estate's audit chain (the platform's for a platform
document) at the moment it is issued: the chain, the event's number and its hash. The register
keeps them too, so ``flask audit verify`` and the check page can compare the chain with what
paper already posted on a board says it was (issue 12, point 9). Documents issued before this
revision have none (NULL).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('document_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audit_chain', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('audit_seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('audit_hash', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('document_record', schema=None) as batch_op:
        batch_op.drop_column('audit_hash')
        batch_op.drop_column('audit_seq')
        batch_op.drop_column('audit_chain')
