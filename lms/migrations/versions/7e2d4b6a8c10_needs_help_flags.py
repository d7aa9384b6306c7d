"""needs-help flags

Revision ID: 7e2d4b6a8c10
Revises: 553330ba2ef1
Create Date: 2026-12-01 15:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7e2d4b6a8c10'
down_revision = '553330ba2ef1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('needs_help',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Enum('quiz_failed', 'silent', 'no_start', name='needshelpreason', native_enum=False, length=12), nullable=False),
    sa.Column('course', sa.String(length=64), nullable=False),
    sa.Column('lesson', sa.String(length=64), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_needs_help_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_needs_help')),
    sa.UniqueConstraint('person_id', 'reason', 'course', 'lesson', name=op.f('uq_needs_help_person_id'))
    )
    with op.batch_alter_table('needs_help', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_needs_help_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('needs_help', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_needs_help_person_id'))

    op.drop_table('needs_help')
