"""criterion disagreement share

Revision ID: 762b3c74a1a9
Revises: d3acb3b9979f
Create Date: 2026-11-30 08:52:36.697133

"""
import warnings

from alembic import op
import sqlalchemy as sa

import app.core.db


# revision identifiers, used by Alembic.
revision = '762b3c74a1a9'
down_revision = 'd3acb3b9979f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evaluation_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('criterion_spread_share', sa.Numeric(precision=4, scale=3), nullable=True))


def downgrade():
    # SQLite rebuilds the table; reflecting it warns about the expression index on users.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        with op.batch_alter_table('evaluation_settings', schema=None) as batch_op:
            batch_op.drop_column('criterion_spread_share')

