"""household phone, address note and active flags on households and people

Revision ID: a1c3e5f7b9d2
Revises: 4cfa4e6d0d5f
Create Date: 2026-12-01 15:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c3e5f7b9d2'
down_revision = '4cfa4e6d0d5f'
branch_labels = None
depends_on = None


def upgrade():
    # Existing households and people are active: the server default fills their rows.
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address_note', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
        batch_op.create_unique_constraint(batch_op.f('uq_household_phone'), ['phone'])

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))

    # A household that already signs in on its shared phone has that phone.
    op.execute("UPDATE household SET phone = (SELECT MIN(account.phone) FROM account "
               "WHERE account.household_id = household.id)")


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('active')

    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_household_phone'), type_='unique')
        batch_op.drop_column('active')
        batch_op.drop_column('phone')
        batch_op.drop_column('address_note')
