"""conventions' clauses and signatures; the red/black board with its due process (issue 19)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 09:10:00

New tables only. Numbered clauses belong to estate documents (disclosure); a board entry keeps
the owner it is about by id, never a copy of the name (R-61 masks the roll's name when drawn).
The document kinds of the two new conventions (居民公约, 楼组公约) are string enums without a
constraint, so no existing table changes.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('convention_clause',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['estate_document.id'], name=op.f('fk_convention_clause_document_id_estate_document')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_convention_clause')),
    sa.UniqueConstraint('document_id', 'number', name=op.f('uq_convention_clause_document_id_number'))
    )
    with op.batch_alter_table('convention_clause', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_convention_clause_document_id'), ['document_id'], unique=False)

    op.create_table('convention_signature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['estate_document.id'], name=op.f('fk_convention_signature_document_id_estate_document')),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], name=op.f('fk_convention_signature_estate_id_estate')),
    sa.ForeignKeyConstraint(['owner_id'], ['owner.id'], name=op.f('fk_convention_signature_owner_id_owner')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['user_account.id'], name=op.f('fk_convention_signature_signed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_convention_signature')),
    sa.UniqueConstraint('document_id', 'owner_id', name=op.f('uq_convention_signature_document_id_owner_id'))
    )
    with op.batch_alter_table('convention_signature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_convention_signature_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_convention_signature_estate_id'), ['estate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_convention_signature_owner_id'), ['owner_id'], unique=False)

    op.create_table('board_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('board', sa.Enum('red', 'black', name='board_kind', native_enum=False, length=16), nullable=False),
    sa.Column('step', sa.Enum('nominated', 'shown', 'warned', 'evidenced', 'approved', 'notified', 'removed', name='board_step', native_enum=False, length=16), nullable=False),
    sa.Column('subject_owner_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('subject_member_id', sa.Integer(), nullable=True),
    sa.Column('clause_id', sa.Integer(), nullable=True),
    sa.Column('deed', sa.Enum('clause_kept', 'volunteering', 'mediation', 'neighbour_help', name='board_deed', native_enum=False, length=16), nullable=True),
    sa.Column('severity', sa.Enum('minor', 'general', name='board_severity', native_enum=False, length=16), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('service_eligible', sa.Boolean(), nullable=False),
    sa.Column('nominated_as', sa.String(length=16), nullable=False),
    sa.Column('nominated_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('warned_on', sa.Date(), nullable=True),
    sa.Column('warned_by', sa.String(length=100), nullable=False),
    sa.Column('warned_how', sa.Text(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notified_on', sa.Date(), nullable=True),
    sa.Column('notified_how', sa.String(length=200), nullable=False),
    sa.Column('objection_days', sa.Integer(), nullable=True),
    sa.Column('shows_from', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('rectified_on', sa.Date(), nullable=True),
    sa.Column('pledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removal', sa.Enum('objection_upheld', 'rectified', 'declined', name='board_removal', native_enum=False), nullable=True),
    sa.ForeignKeyConstraint(['clause_id'], ['convention_clause.id'], name=op.f('fk_board_entry_clause_id_convention_clause')),
    sa.ForeignKeyConstraint(['decision_id'], ['committee_decision.id'], name=op.f('fk_board_entry_decision_id_committee_decision')),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], name=op.f('fk_board_entry_estate_id_estate')),
    sa.ForeignKeyConstraint(['nominated_by_id'], ['user_account.id'], name=op.f('fk_board_entry_nominated_by_id_user_account')),
    sa.ForeignKeyConstraint(['subject_member_id'], ['committee_member.id'], name=op.f('fk_board_entry_subject_member_id_committee_member')),
    sa.ForeignKeyConstraint(['subject_owner_id'], ['owner.id'], name=op.f('fk_board_entry_subject_owner_id_owner')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_board_entry_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_entry'))
    )
    with op.batch_alter_table('board_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_entry_estate_id'), ['estate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_board_entry_subject_owner_id'), ['subject_owner_id'], unique=False)

    op.create_table('board_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], name=op.f('fk_board_evidence_added_by_id_user_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['board_entry.id'], name=op.f('fk_board_evidence_entry_id_board_entry')),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_board_evidence_file_id_stored_file')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_evidence'))
    )
    with op.batch_alter_table('board_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_evidence_entry_id'), ['entry_id'], unique=False)

    op.create_table('board_objection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('filed_by_id', sa.Integer(), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('upheld', sa.Boolean(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decision_id'], ['committee_decision.id'], name=op.f('fk_board_objection_decision_id_committee_decision')),
    sa.ForeignKeyConstraint(['entry_id'], ['board_entry.id'], name=op.f('fk_board_objection_entry_id_board_entry')),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_board_objection_file_id_stored_file')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['user_account.id'], name=op.f('fk_board_objection_filed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_objection')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_board_objection_entry_id'))
    )


def downgrade():
    op.drop_table('board_objection')
    with op.batch_alter_table('board_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_evidence_entry_id'))

    op.drop_table('board_evidence')
    with op.batch_alter_table('board_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_entry_subject_owner_id'))
        batch_op.drop_index(batch_op.f('ix_board_entry_estate_id'))

    op.drop_table('board_entry')
    with op.batch_alter_table('convention_signature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_convention_signature_owner_id'))
        batch_op.drop_index(batch_op.f('ix_convention_signature_estate_id'))
        batch_op.drop_index(batch_op.f('ix_convention_signature_document_id'))

    op.drop_table('convention_signature')
    with op.batch_alter_table('convention_clause', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_convention_clause_document_id'))

    op.drop_table('convention_clause')
