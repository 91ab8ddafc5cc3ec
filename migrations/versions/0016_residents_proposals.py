"""residents' proposals (issue 18), money set aside for them, and entries that cite a project

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 09:10:12

New tables only, plus one nullable column (and its index) on fund_entry: project_id, the proposal
a payment is for. It has no foreign key so that the accounts do not depend on the proposals'
table; proposals.services.record_payment checks it. Adding a nullable column without a default
rewrites no row.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('proposal_settings',
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('answer_percent', sa.Integer(), nullable=False),
    sa.Column('answer_days', sa.Integer(), nullable=False),
    sa.Column('vote_days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], name=op.f('fk_proposal_settings_estate_id_estate')),
    sa.PrimaryKeyConstraint('estate_id', name=op.f('pk_proposal_settings'))
    )
    op.create_table('fund_reservation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_fund_reservation_amount_positive')),
    sa.ForeignKeyConstraint(['account_id'], ['fund_account.id'], name=op.f('fk_fund_reservation_account_id_fund_account')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_fund_reservation_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], name=op.f('fk_fund_reservation_estate_id_estate')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_reservation'))
    )
    with op.batch_alter_table('fund_reservation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_reservation_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_reservation_estate_id'), ['estate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_reservation_project_id'), ['project_id'], unique=False)

    op.create_table('proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('remedy', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('buildings', sa.JSON(), nullable=True),
    sa.Column('changes_use', sa.Boolean(), nullable=False),
    sa.Column('estimated_cost', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'support', 'awaiting_answer', 'declined', 'merged', 'preparation', 'voting', 'passed', 'failed', 'delivery', 'completed', name='proposal_state', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answer_threshold_on', sa.Date(), nullable=True),
    sa.Column('assembly_threshold_on', sa.Date(), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('vote_id', sa.Integer(), nullable=True),
    sa.Column('vote_plan_version', sa.Integer(), nullable=True),
    sa.Column('contractor', sa.String(length=200), nullable=False),
    sa.Column('contract_file_id', sa.Integer(), nullable=True),
    sa.Column('percent_complete', sa.Integer(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.CheckConstraint('estimated_cost >= 0', name=op.f('ck_proposal_cost_not_negative')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_proposal_author_id_user_account')),
    sa.ForeignKeyConstraint(['contract_file_id'], ['stored_file.id'], name=op.f('fk_proposal_contract_file_id_stored_file')),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], name=op.f('fk_proposal_estate_id_estate')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['proposal.id'], name=op.f('fk_proposal_merged_into_id_proposal')),
    sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], name=op.f('fk_proposal_vote_id_vote')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal'))
    )
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_estate_id'), ['estate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_state'), ['state'], unique=False)

    op.create_table('proposal_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('accepted', 'declined', 'merged', 'returned', 'coordination', name='proposal_answer_kind', native_enum=False, length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('author_role', sa.String(length=30), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_proposal_answer_author_id_user_account')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['proposal.id'], name=op.f('fk_proposal_answer_merged_into_id_proposal')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_answer_proposal_id_proposal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_answer'))
    )
    with op.batch_alter_table('proposal_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_answer_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_cosignature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('voter', sa.String(length=200), nullable=False),
    sa.Column('units', sa.JSON(), nullable=False),
    sa.Column('area', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_cosignature_proposal_id_proposal')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_proposal_cosignature_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_cosignature')),
    sa.UniqueConstraint('proposal_id', 'voter', name=op.f('uq_proposal_cosignature_proposal_id_voter'))
    )
    with op.batch_alter_table('proposal_cosignature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_cosignature_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_milestone_proposal_id_proposal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_milestone'))
    )
    with op.batch_alter_table('proposal_milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_milestone_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('total_cost', sa.BigInteger(), nullable=False),
    sa.Column('apportion_by', sa.String(length=10), nullable=False),
    sa.Column('owners_amount', sa.BigInteger(), nullable=False),
    sa.Column('subsidy_amount', sa.BigInteger(), nullable=False),
    sa.Column('subsidy_programme', sa.String(length=200), nullable=False),
    sa.Column('subsidy_status', sa.String(length=10), nullable=False),
    sa.Column('subsidy_file_id', sa.Integer(), nullable=True),
    sa.Column('common_income_amount', sa.BigInteger(), nullable=False),
    sa.Column('fund_amount', sa.BigInteger(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_proposal_plan_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_plan_proposal_id_proposal')),
    sa.ForeignKeyConstraint(['subsidy_file_id'], ['stored_file.id'], name=op.f('fk_proposal_plan_subsidy_file_id_stored_file')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_plan')),
    sa.UniqueConstraint('proposal_id', 'version', name=op.f('uq_proposal_plan_proposal_id_version'))
    )
    with op.batch_alter_table('proposal_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_plan_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('voter', sa.String(length=200), nullable=False),
    sa.Column('stars', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('stars BETWEEN 1 AND 5', name=op.f('ck_proposal_rating_stars_one_to_five')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_rating_proposal_id_proposal')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_proposal_rating_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_rating')),
    sa.UniqueConstraint('proposal_id', 'voter', name=op.f('uq_proposal_rating_proposal_id_voter'))
    )
    with op.batch_alter_table('proposal_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_rating_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('percent_complete', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_proposal_update_author_id_user_account')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_update_proposal_id_proposal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_update'))
    )
    with op.batch_alter_table('proposal_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_update_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_proposal_file_file_id_stored_file')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_file_proposal_id_proposal')),
    sa.ForeignKeyConstraint(['update_id'], ['proposal_update.id'], name=op.f('fk_proposal_file_update_id_proposal_update')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_file'))
    )
    with op.batch_alter_table('proposal_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_file_proposal_id'), ['proposal_id'], unique=False)

    with op.batch_alter_table('fund_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('project_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_fund_entry_project_id'), ['project_id'], unique=False)



def downgrade():
    with op.batch_alter_table('fund_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_entry_project_id'))
        batch_op.drop_column('project_id')

    with op.batch_alter_table('proposal_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_file_proposal_id'))

    op.drop_table('proposal_file')
    with op.batch_alter_table('proposal_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_update_proposal_id'))

    op.drop_table('proposal_update')
    with op.batch_alter_table('proposal_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_rating_proposal_id'))

    op.drop_table('proposal_rating')
    with op.batch_alter_table('proposal_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_plan_proposal_id'))

    op.drop_table('proposal_plan')
    with op.batch_alter_table('proposal_milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_milestone_proposal_id'))

    op.drop_table('proposal_milestone')
    with op.batch_alter_table('proposal_cosignature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_cosignature_proposal_id'))

    op.drop_table('proposal_cosignature')
    with op.batch_alter_table('proposal_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_answer_proposal_id'))

    op.drop_table('proposal_answer')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_state'))
        batch_op.drop_index(batch_op.f('ix_proposal_estate_id'))

    op.drop_table('proposal')
    with op.batch_alter_table('fund_reservation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_reservation_project_id'))
        batch_op.drop_index(batch_op.f('ix_fund_reservation_estate_id'))
        batch_op.drop_index(batch_op.f('ix_fund_reservation_account_id'))

    op.drop_table('fund_reservation')
    op.drop_table('proposal_settings')
