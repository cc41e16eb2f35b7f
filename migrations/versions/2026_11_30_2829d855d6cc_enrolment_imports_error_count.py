"""enrolment imports: the total number of errors (the list keeps the first ones)

Revision ID: 2829d855d6cc
Revises: d96a4ab593db
Create Date: 2026-11-30 08:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '2829d855d6cc'
down_revision = 'd96a4ab593db'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enrolment_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_count', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade():
    # SQLite 3.35+ and PostgreSQL drop a column in place: no batch copy of the table (whose
    # reflection would also reflect users and warn about its expression index).
    op.drop_column('enrolment_imports', 'error_count')
