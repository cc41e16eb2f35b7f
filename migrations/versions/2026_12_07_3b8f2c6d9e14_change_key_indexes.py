"""indexes for the caches' change keys and the evaluation's call-wide counts

The statistics' and the ranking's change keys read a call's latest withdrawal and its
latest consensus score; the evaluation's lists count a call's admissible proposals and
its active assignments per evaluator. These indexes answer them from the index alone (the
withdrawal by one seek), instead of reading every row. The consensus scores' and the
assignments' new indexes start with the proposal, so they replace the old ones.

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
    op.create_index(
        'ix_admissibility_checks_proposal_result', 'admissibility_checks', ['proposal_id', 'result']
    )
    op.create_index(
        'ix_assignments_proposal_status', 'assignments', ['proposal_id', 'status', 'evaluator_id']
    )
    op.drop_index('ix_assignments_proposal_id', table_name='assignments')


def downgrade():
    op.create_index('ix_assignments_proposal_id', 'assignments', ['proposal_id'])
    op.drop_index('ix_assignments_proposal_status', table_name='assignments')
    op.drop_index('ix_admissibility_checks_proposal_result', table_name='admissibility_checks')
    op.create_index('ix_consensus_scores_proposal_id', 'consensus_scores', ['proposal_id'])
    op.drop_index('ix_consensus_scores_proposal_recorded', table_name='consensus_scores')
    op.drop_index('ix_proposals_call_withdrawn', table_name='proposals')
