"""admissibility results released in one confirmed step; a second official's approval of a
decision's publication

Revision ID: c4d8e1f25a70
Revises: 7a1c4e2b9d30
Create Date: 2026-12-07 00:30:00.000000

"""
import warnings

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4d8e1f25a70'
down_revision = '7a1c4e2b9d30'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('admissibility_checks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('released_result', sa.Enum('admissible', 'inadmissible', name='admissibility', native_enum=False, length=32), nullable=True))
        batch_op.add_column(sa.Column('released_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('released_at', sa.DateTime(), nullable=True))
    # Decisions taken before this revision were emailed at once: they count as released.
    op.execute(
        "UPDATE admissibility_checks SET released_result = result, released_reason = reason,"
        " released_at = checked_at"
    )
    with op.batch_alter_table('evaluation_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('second_approval', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        'admissibility_releases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('call_id', sa.Integer(), nullable=False),
        sa.Column('released_at', sa.DateTime(), nullable=False),
        sa.Column('released_by_id', sa.Integer(), nullable=True),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_admissibility_releases_call_id_calls')),
        sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('fk_admissibility_releases_released_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admissibility_releases')),
    )
    with op.batch_alter_table('admissibility_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admissibility_releases_call_id'), ['call_id'], unique=False)
    op.create_table(
        'publication_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('call_id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('status', sa.Enum('pending', 'approved', 'withdrawn', name='publicationstatus', native_enum=False, length=32), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('record_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_publication_requests_call_id_calls')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_publication_requests_decided_by_id_users')),
        sa.ForeignKeyConstraint(['record_id'], ['decision_records.id'], name=op.f('fk_publication_requests_record_id_decision_records')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_publication_requests_requested_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_requests')),
    )
    with op.batch_alter_table('publication_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_requests_call_id'), ['call_id'], unique=False)


def downgrade():
    with op.batch_alter_table('publication_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_requests_call_id'))
    op.drop_table('publication_requests')
    with op.batch_alter_table('admissibility_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admissibility_releases_call_id'))
    op.drop_table('admissibility_releases')
    # SQLite rebuilds the tables; reflecting them warns about the expression index on users.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        with op.batch_alter_table('evaluation_settings', schema=None) as batch_op:
            batch_op.drop_column('second_approval')
        with op.batch_alter_table('admissibility_checks', schema=None) as batch_op:
            batch_op.drop_column('released_at')
            batch_op.drop_column('released_reason')
            batch_op.drop_column('released_result')
