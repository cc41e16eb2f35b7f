"""indexes for the caches' change keys

The statistics' and the ranking's change keys read a call's latest withdrawal and its
latest consensus score; these indexes answer both from the index alone (the withdrawal
by one seek), instead of reading every proposal's and every consensus score's row.
The consensus scores' new index starts with the proposal, so it replaces the old one.

Revision ID: 3b8f2c6d9e14
Revises: b81f3c6d2e94
Create Date: 2026-12-07 05:00:00

"""
from alembic import op

revision = '3b8f2c6d9e14'
down_revision = 'b81f3c6d2e94'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_proposals_call_withdrawn', 'proposals', ['call_id', 'withdrawn_at'])
    op.create_index(
        'ix_consensus_scores_proposal_recorded', 'consensus_scores', ['proposal_id', 'recorded_at']
    )
    op.drop_index('ix_consensus_scores_proposal_id', table_name='consensus_scores')


def downgrade():
    op.create_index('ix_consensus_scores_proposal_id', 'consensus_scores', ['proposal_id'])
    op.drop_index('ix_consensus_scores_proposal_recorded', table_name='consensus_scores')
    op.drop_index('ix_proposals_call_withdrawn', table_name='proposals')
