"""api token expiry: every token stops working API_TOKEN_DAYS after it was created

Tokens that exist today get 90 days from the upgrade.

Revision ID: d4b6f8a01c23
Revises: c3a5e7f90b12
Create Date: 2026-11-30 09:20:00

"""
import warnings
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa

import app.core.db


# revision identifiers, used by Alembic.
revision = 'd4b6f8a01c23'
down_revision = 'c3a5e7f90b12'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', app.core.db.UTCDateTime(), nullable=True))
    tokens = sa.table('api_tokens', sa.column('expires_at', app.core.db.UTCDateTime()))
    op.execute(tokens.update().values(expires_at=datetime.now(UTC) + timedelta(days=90)))
    # On SQLite the table is copied; reflecting users says it skips lower(email), which it
    # does not need.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        with op.batch_alter_table('api_tokens', schema=None) as batch_op:
            batch_op.alter_column('expires_at', existing_type=app.core.db.UTCDateTime(),
                                  nullable=False)


def downgrade():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        with op.batch_alter_table('api_tokens', schema=None) as batch_op:
            batch_op.drop_column('expires_at')
