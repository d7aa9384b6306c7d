"""signed-in devices replace the session version

Each signed-in phone or browser gets a row whose token its cookies carry, so that
signing out ends that device for real; the per-account session version is no longer
needed. Existing sessions end with this revision: everyone signs in once more.

Revision ID: ba3aa3345c6b
Revises: 3b0485994df0
Create Date: 2026-12-01 15:29:26.487025

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ba3aa3345c6b'
down_revision = '3b0485994df0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signed_in_device',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_signed_in_device_account_id_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signed_in_device')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_signed_in_device_token_hash'))
    )
    op.create_index(op.f('ix_signed_in_device_account_id'), 'signed_in_device', ['account_id'], unique=False)
    op.create_index(op.f('ix_signed_in_device_expires_at'), 'signed_in_device', ['expires_at'], unique=False)
    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of the account
    # table would cascade-delete the rows that refer to it while foreign keys are on.
    op.drop_column('account', 'session_version')


def downgrade():
    op.add_column('account', sa.Column('session_version', sa.Integer(), nullable=False,
                                       server_default='1'))
    op.drop_index(op.f('ix_signed_in_device_expires_at'), table_name='signed_in_device')
    op.drop_index(op.f('ix_signed_in_device_account_id'), table_name='signed_in_device')
    op.drop_table('signed_in_device')
