"""a publication request names the upheld objection it answers

With a second official's approval on, decision n+1 after an upheld objection is requested
by one official and approved by another, like any publication; the request keeps the
objection, so the approval marks it as answered by the new decision.

Revision ID: b81f3c6d2e94
Revises: 5217f0894022
Create Date: 2026-12-07 04:00:00

"""
import warnings

import sqlalchemy as sa
from alembic import op

revision = 'b81f3c6d2e94'
down_revision = '5217f0894022'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite rebuilds the table (no other table refers to it); reflecting it warns about the
    # expression index on users.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        with op.batch_alter_table('publication_requests', schema=None) as batch_op:
            batch_op.add_column(sa.Column('objection_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f('fk_publication_requests_objection_id_objections'),
                'objections',
                ['objection_id'],
                ['id'],
            )


def downgrade():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        with op.batch_alter_table('publication_requests', schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f('fk_publication_requests_objection_id_objections'), type_='foreignkey'
            )
            batch_op.drop_column('objection_id')
