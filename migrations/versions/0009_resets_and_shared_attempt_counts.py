"""staff-assisted resets without a credential staff can hold; wrong codes counted in the database

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:00:00

- ``account_reset``: every staff-assisted reset (who, when, how the person gets back in); a
  staff account's one-time reset code is kept here as a keyed hash.
- ``activation_code.user_id``: a letter issued by a reset re-opens that existing account.
- ``user_account.second_factor_attempts`` / ``second_factor_window_at``: the wrong codes of the
  current 15-minute window, counted in the row so that the lock holds across workers and
  machines (they replace the rate limiter's per-process count). Existing accounts start at 0.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_reset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reset_by_id', sa.Integer(), nullable=True),
    sa.Column('reset_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.Enum('letter', 'code', name='reset_kind', native_enum=False, length=16), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('told_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['reset_by_id'], ['user_account.id'], name=op.f('fk_account_reset_reset_by_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_account_reset_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_reset')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_account_reset_code_hash'))
    )
    with op.batch_alter_table('account_reset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_reset_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('activation_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_activation_code_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_activation_code_user_id_user_account'), 'user_account',
                                    ['user_id'], ['id'])

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('second_factor_attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('second_factor_window_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('second_factor_window_at')
        batch_op.drop_column('second_factor_attempts')

    with op.batch_alter_table('activation_code', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_activation_code_user_id_user_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_activation_code_user_id'))
        batch_op.drop_column('user_id')

    with op.batch_alter_table('account_reset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_reset_user_id'))

    op.drop_table('account_reset')
