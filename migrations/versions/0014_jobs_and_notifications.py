"""jobs, the inbox, notification preferences, announcements made once; accounts' e-mail and language

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 09:09:25

- ``job``: long work run by a Celery worker (issue 16): state, attempts, the result file's name,
  type and size (the file is in JOBS_DIR, kept 24 hours). Its id is random: it is in addresses.
- ``inbox_message``: one message per person, its words drawn from ``kind`` and ``values`` when
  read (in the reader's language); read and e-mail state. Kept one year.
- ``notification_preference``: a group of kinds a person does not want by e-mail (no row: wanted).
- ``notification_announced``: keys of what the hourly task announced (a duty two days ahead or
  overdue, a vote closing), so that each is announced once.
- ``user_account.email`` and ``.language``: nullable, no default: no row is rewritten.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification_announced',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_notification_announced'))
    )
    op.create_table('inbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('mail_state', sa.String(length=10), nullable=True),
    sa.Column('mailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_inbox_message_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_message'))
    )
    with op.batch_alter_table('inbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_message_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbox_message_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_inbox_message_user_id_read_at', ['user_id', 'read_at'], unique=False)

    op.create_table('job',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('estate_id', sa.Integer(), nullable=True),
    sa.Column('permission', sa.String(length=60), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', name='job_state', native_enum=False, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('failure', sa.String(length=40), nullable=True),
    sa.Column('result_name', sa.String(length=200), nullable=True),
    sa.Column('result_type', sa.String(length=100), nullable=True),
    sa.Column('result_size', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], name=op.f('fk_job_estate_id_estate')),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_job_owner_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job'))
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_estate_id'), ['estate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_state'), ['state'], unique=False)

    op.create_table('notification_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('email', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_preference_user_id_user_account')),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notification_preference'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))



def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('language')
        batch_op.drop_column('email')

    op.drop_table('notification_preference')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_state'))
        batch_op.drop_index(batch_op.f('ix_job_owner_id'))
        batch_op.drop_index(batch_op.f('ix_job_estate_id'))

    op.drop_table('job')
    with op.batch_alter_table('inbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_message_user_id_read_at')
        batch_op.drop_index(batch_op.f('ix_inbox_message_user_id'))
        batch_op.drop_index(batch_op.f('ix_inbox_message_created_at'))

    op.drop_table('inbox_message')
    op.drop_table('notification_announced')
