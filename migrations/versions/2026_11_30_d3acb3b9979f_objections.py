"""objections

Revision ID: d3acb3b9979f
Revises: a940df14ac45
Create Date: 2026-11-30 08:43:07.751721

"""
from alembic import op
import sqlalchemy as sa

import app.core.db


# revision identifiers, used by Alembic.
revision = 'd3acb3b9979f'
down_revision = 'a940df14ac45'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('decision_record_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('explanation', 'objection', name='objectionkind', native_enum=False, length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('lodged_by_id', sa.Integer(), nullable=True),
    sa.Column('lodged_at', app.core.db.UTCDateTime(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('outcome', sa.Enum('upheld', 'rejected', name='objectionoutcome', native_enum=False, length=32), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', app.core.db.UTCDateTime(), nullable=True),
    sa.Column('new_decision_number', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_objections_answered_by_id_users')),
    sa.ForeignKeyConstraint(['decision_record_id'], ['decision_records.id'], name=op.f('fk_objections_decision_record_id_decision_records')),
    sa.ForeignKeyConstraint(['lodged_by_id'], ['users.id'], name=op.f('fk_objections_lodged_by_id_users')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_objections_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objections'))
    )
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objections_decision_record_id'), ['decision_record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objections_proposal_id'), ['proposal_id'], unique=False)



def downgrade():
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objections_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_objections_decision_record_id'))

    op.drop_table('objections')
