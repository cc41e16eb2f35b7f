"""indexes for the list pages and the statistics at ten times a real call

Revision ID: 7a1c4e2b9d30
Revises: 7b3e9d2f4a61
Create Date: 2026-12-06 21:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7a1c4e2b9d30'
down_revision = '7b3e9d2f4a61'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index('ix_proposals_call_status_updated', ['call_id', 'status', 'updated_at'], unique=False)
        batch_op.create_index('ix_proposals_call_reference', ['call_id', 'reference'], unique=False)
    with op.batch_alter_table('proposal_versions', schema=None) as batch_op:
        batch_op.create_index('ix_proposal_versions_proposal_submitted', ['proposal_id', 'submitted_at', 'number'], unique=False)
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisations_legal_name'), ['legal_name'], unique=False)


def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_legal_name'))
    with op.batch_alter_table('proposal_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_versions_proposal_submitted')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_proposals_call_reference')
        batch_op.drop_index('ix_proposals_call_status_updated')
