"""review quorum overrides

Revision ID: a940df14ac45
Revises: d4b6f8a01c23
Create Date: 2026-11-30 08:29:48.575579

"""
from alembic import op
import sqlalchemy as sa

import app.core.db


# revision identifiers, used by Alembic.
revision = 'a940df14ac45'
down_revision = 'd4b6f8a01c23'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('review_quorum_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reviews_submitted', sa.Integer(), nullable=False),
    sa.Column('reviews_required', sa.Integer(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', app.core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_review_quorum_overrides_decided_by_id_users')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_review_quorum_overrides_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_quorum_overrides')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_review_quorum_overrides_proposal_id'))
    )


def downgrade():
    op.drop_table('review_quorum_overrides')
