"""monitoring: covering indexes for the year-over-year and mode/channel reports

Revision ID: 5e1f0c7a9b21
Revises: 2829d855d6cc
Create Date: 2026-11-30 09:42:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e1f0c7a9b21'
down_revision = '2829d855d6cc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_index('ix_enrolments_yoy', ['started_year', 'started_month', 'mode', 'late', 'project_id'], unique=False)
        batch_op.create_index('ix_enrolments_period_mode', ['started_on', 'mode', 'channel', 'project_id'], unique=False)


def downgrade():
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolments_period_mode')
        batch_op.drop_index('ix_enrolments_yoy')
