"""deadline in force per version

Revision ID: d96a4ab593db
Revises: 762b3c74a1a9
Create Date: 2026-11-30 09:10:25.021799

"""
import warnings

from alembic import op
import sqlalchemy as sa

import app.core.db


# revision identifiers, used by Alembic.
revision = 'd96a4ab593db'
down_revision = '762b3c74a1a9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('proposal_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline_in_force', app.core.db.UTCDateTime(), nullable=True))


def downgrade():
    # SQLite rebuilds the table; reflecting it warns about the expression index on users.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        with op.batch_alter_table('proposal_versions', schema=None) as batch_op:
            batch_op.drop_column('deadline_in_force')

