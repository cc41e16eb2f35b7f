"""declaration on honour in versions

Each submitted version keeps the declaration on honour ticked when it was submitted: its
text as shown, who ticked it and when. New versions use fingerprint scheme 3, whose header
covers the declaration; existing versions keep their scheme, so their fingerprints still
verify.

Revision ID: 5217f0894022
Revises: c4d8e1f25a70
Create Date: 2026-12-07 00:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '5217f0894022'
down_revision = 'c4d8e1f25a70'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('proposal_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declaration', sa.JSON(), nullable=True))


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch copy of the table would
    # drop proposal_versions, which other tables' foreign keys refer to.
    op.execute("ALTER TABLE proposal_versions DROP COLUMN declaration")
