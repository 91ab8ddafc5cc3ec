"""a candidate's optional photo (issue 14)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 09:40:00

One nullable column on vote_candidate pointing at the stored file of the candidate's photo (a JPEG
or PNG checked by content, as evidence files). NULL for every existing candidate: adding it
rewrites no row on PostgreSQL or SQLite.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('vote_candidate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photo_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_vote_candidate_photo_id_stored_file'), 'stored_file',
                                    ['photo_id'], ['id'])


def downgrade():
    with op.batch_alter_table('vote_candidate', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_vote_candidate_photo_id_stored_file'), type_='foreignkey')
        batch_op.drop_column('photo_id')
