"""person locale: each member of a household keeps their own language

Revision ID: 56966f053ca6
Revises: 7e2d4b6a8c10
Create Date: 2026-12-01 16:28:44.202591

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '56966f053ca6'
down_revision = '7e2d4b6a8c10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('locale')
