"""votes commit to what is voted on; the roll keeps each key's holder; estates' voting settings

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 10:00:00

- ``vote.commitment`` (owners-vote/2): the SHA-256 of the vote's header, items and frozen roll,
  fixed with the notice; the ballot chain starts from it. ``vote.estate_name_at_notice`` keeps
  the estate's name the commitment covers. Votes noticed before keep owners-vote/1 (NULL).
- ``vote_roll_entry.holder_id`` (R-05): who cast the voter key's ballot at the notice, so that a
  key whose units were only partly sold stays with them. NULL in rolls frozen before.
- ``voting_settings``: the two-staff paper-ballot setting becomes the estate's, copied to each
  new vote. Each estate starts with the setting of its newest vote, so nothing changes for an
  estate that used it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('commitment', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('estate_name_at_notice', sa.String(length=100), nullable=True))
    with op.batch_alter_table('vote_roll_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_vote_roll_entry_holder_id_owner'), 'owner', ['holder_id'], ['id'])
        batch_op.create_index('ix_vote_roll_entry_vote_id_holder_id', ['vote_id', 'holder_id'], unique=False)
    op.create_table(
        'voting_settings',
        sa.Column('estate_id', sa.Integer(), nullable=False),
        sa.Column('two_staff_paper', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], name=op.f('fk_voting_settings_estate_id_estate')),
        sa.PrimaryKeyConstraint('estate_id', name=op.f('pk_voting_settings')),
    )
    op.execute(
        "INSERT INTO voting_settings (estate_id, two_staff_paper) "
        "SELECT estate_id, two_staff_paper FROM vote WHERE id IN (SELECT max(id) FROM vote GROUP BY estate_id)")


def downgrade():
    op.drop_table('voting_settings')
    with op.batch_alter_table('vote_roll_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_vote_roll_entry_vote_id_holder_id')
        batch_op.drop_constraint(batch_op.f('fk_vote_roll_entry_holder_id_owner'), type_='foreignkey')
        batch_op.drop_column('holder_id')
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.drop_column('estate_name_at_notice')
        batch_op.drop_column('commitment')
