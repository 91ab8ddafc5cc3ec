"""surveys and the owners' rating of the property-service company (issue 20)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 09:09:48

New tables only: surveys with their questions and one response per owner key (R-15), kept
under a keyed hash of the key (``respondent``); the estate's property-service companies; one
rating per owner key and period; the periods published as a notice. ``survey.origin_kind`` and
``origin_id`` may name the object a survey was started from (a proposal).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('buildings', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('origin_kind', sa.String(length=32), nullable=True),
    sa.Column('origin_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_survey_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], name=op.f('fk_survey_estate_id_estate')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey'))
    )
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_estate_id'), ['estate_id'], unique=False)

    op.create_table('survey_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('max_choices', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_question_survey_id_survey')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_question')),
    sa.UniqueConstraint('survey_id', 'position', name=op.f('uq_survey_question_survey_id_position'))
    )
    with op.batch_alter_table('survey_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_question_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('respondent', sa.String(length=64), nullable=False),
    sa.Column('area', sa.Integer(), nullable=False),
    sa.Column('buildings', sa.JSON(), nullable=False),
    sa.Column('units', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], name=op.f('fk_survey_response_estate_id_estate')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_response_survey_id_survey')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response')),
    sa.UniqueConstraint('survey_id', 'respondent', name=op.f('uq_survey_response_survey_id_respondent'))
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_response_estate_id'), ['estate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_response_survey_id'), ['survey_id'], unique=False)

    op.create_table('service_company',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('contract_start', sa.Date(), nullable=False),
    sa.Column('contract_end', sa.Date(), nullable=False),
    sa.Column('contract_version_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contract_version_id'], ['estate_document_version.id'], name=op.f('fk_service_company_contract_version_id_estate_document_version')),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], name=op.f('fk_service_company_estate_id_estate')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_service_company_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_company'))
    )
    with op.batch_alter_table('service_company', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_company_estate_id'), ['estate_id'], unique=False)

    op.create_table('rating_publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['service_company.id'], name=op.f('fk_rating_publication_company_id_service_company')),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], name=op.f('fk_rating_publication_estate_id_estate')),
    sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], name=op.f('fk_rating_publication_notice_id_notice')),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_rating_publication_published_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_publication')),
    sa.UniqueConstraint('company_id', 'period_start', name=op.f('uq_rating_publication_company_id_period_start'))
    )
    with op.batch_alter_table('rating_publication', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_publication_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_publication_estate_id'), ['estate_id'], unique=False)

    op.create_table('service_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('respondent', sa.String(length=64), nullable=False),
    sa.Column('buildings', sa.JSON(), nullable=False),
    sa.Column('cleaning', sa.SmallInteger(), nullable=False),
    sa.Column('security', sa.SmallInteger(), nullable=False),
    sa.Column('greenery', sa.SmallInteger(), nullable=False),
    sa.Column('repairs', sa.SmallInteger(), nullable=False),
    sa.Column('complaints', sa.SmallInteger(), nullable=False),
    sa.Column('fees', sa.SmallInteger(), nullable=False),
    sa.Column('overall', sa.SmallInteger(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['service_company.id'], name=op.f('fk_service_rating_company_id_service_company')),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], name=op.f('fk_service_rating_estate_id_estate')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_rating')),
    sa.UniqueConstraint('company_id', 'period_start', 'respondent', name=op.f('uq_service_rating_company_id_period_start_respondent'))
    )
    with op.batch_alter_table('service_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_rating_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_rating_estate_id'), ['estate_id'], unique=False)



def downgrade():
    with op.batch_alter_table('service_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_rating_estate_id'))
        batch_op.drop_index(batch_op.f('ix_service_rating_company_id'))

    op.drop_table('service_rating')
    with op.batch_alter_table('rating_publication', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_publication_estate_id'))
        batch_op.drop_index(batch_op.f('ix_rating_publication_company_id'))

    op.drop_table('rating_publication')
    with op.batch_alter_table('service_company', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_company_estate_id'))

    op.drop_table('service_company')
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_response_survey_id'))
        batch_op.drop_index(batch_op.f('ix_survey_response_estate_id'))

    op.drop_table('survey_response')
    with op.batch_alter_table('survey_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_question_survey_id'))

    op.drop_table('survey_question')
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_estate_id'))

    op.drop_table('survey')
