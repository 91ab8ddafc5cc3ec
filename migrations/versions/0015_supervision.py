"""supervision: re-elections with their stages, group, nominees and objections; by-election items

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 09:12:05

Five new tables of the supervision package (a process per estate and election, its recorded stages,
the group's members, the candidates with their R-44 review, the objections to the posted list),
and two flags on vote items: a by-election (R-43) and major works or a fee change (R-47). The two
flags are NOT NULL with a false server default, so existing items read as neither.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reelection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('reelection', 'first_election', 'by_election', name='process_kind', native_enum=False, length=20), nullable=False),
    sa.Column('term_ends_on', sa.Date(), nullable=True),
    sa.Column('started_by_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=True),
    sa.Column('structure', sa.Text(), nullable=False),
    sa.Column('structure_by_community', sa.Boolean(), nullable=False),
    sa.Column('posting_days', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=True),
    sa.Column('filing_returned', sa.Text(), nullable=False),
    sa.Column('handover', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], name=op.f('fk_reelection_estate_id_estate')),
    sa.ForeignKeyConstraint(['started_by_id'], ['user_account.id'], name=op.f('fk_reelection_started_by_id_user_account')),
    sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], name=op.f('fk_reelection_vote_id_vote')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reelection'))
    )
    with op.batch_alter_table('reelection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reelection_estate_id'), ['estate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reelection_vote_id'), ['vote_id'], unique=False)

    op.create_table('reelection_group_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reelection_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.Enum('community_staff', 'party_organisation', 'owner_representative', name='group_role', native_enum=False, length=24), nullable=False),
    sa.ForeignKeyConstraint(['reelection_id'], ['reelection.id'], name=op.f('fk_reelection_group_member_reelection_id_reelection')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reelection_group_member'))
    )
    with op.batch_alter_table('reelection_group_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reelection_group_member_reelection_id'), ['reelection_id'], unique=False)

    op.create_table('reelection_nominee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reelection_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('source', sa.Enum('self', 'joint', 'community', 'party', name='nomination', native_enum=False, length=16), nullable=False),
    sa.Column('nominated_by', sa.String(length=200), nullable=False),
    sa.Column('decision', sa.Enum('approved', 'rejected', name='review_decision', native_enum=False, length=16), nullable=True),
    sa.Column('grounds', sa.JSON(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('pledge_signed', sa.Boolean(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['reelection_id'], ['reelection.id'], name=op.f('fk_reelection_nominee_reelection_id_reelection')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], name=op.f('fk_reelection_nominee_reviewed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reelection_nominee'))
    )
    with op.batch_alter_table('reelection_nominee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reelection_nominee_reelection_id'), ['reelection_id'], unique=False)

    op.create_table('reelection_objection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reelection_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['reelection_id'], ['reelection.id'], name=op.f('fk_reelection_objection_reelection_id_reelection')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reelection_objection'))
    )
    with op.batch_alter_table('reelection_objection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reelection_objection_reelection_id'), ['reelection_id'], unique=False)

    op.create_table('reelection_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reelection_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_reelection_stage_file_id_stored_file')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_reelection_stage_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['reelection_id'], ['reelection.id'], name=op.f('fk_reelection_stage_reelection_id_reelection')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reelection_stage')),
    sa.UniqueConstraint('reelection_id', 'stage', name=op.f('uq_reelection_stage_reelection_id_stage'))
    )
    with op.batch_alter_table('reelection_stage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reelection_stage_reelection_id'), ['reelection_id'], unique=False)

    with op.batch_alter_table('vote_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('by_election', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('major_or_fee', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade():
    with op.batch_alter_table('vote_item', schema=None) as batch_op:
        batch_op.drop_column('major_or_fee')
        batch_op.drop_column('by_election')

    with op.batch_alter_table('reelection_stage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reelection_stage_reelection_id'))

    op.drop_table('reelection_stage')
    with op.batch_alter_table('reelection_objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reelection_objection_reelection_id'))

    op.drop_table('reelection_objection')
    with op.batch_alter_table('reelection_nominee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reelection_nominee_reelection_id'))

    op.drop_table('reelection_nominee')
    with op.batch_alter_table('reelection_group_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reelection_group_member_reelection_id'))

    op.drop_table('reelection_group_member')
    with op.batch_alter_table('reelection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reelection_vote_id'))
        batch_op.drop_index(batch_op.f('ix_reelection_estate_id'))

    op.drop_table('reelection')
