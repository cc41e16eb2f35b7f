"""technology verifications: officials' verified technologies per proposal, append-only

Each verification or correction is a new row, so verified figures can be computed as of any
past moment. On PostgreSQL a trigger refuses UPDATE and DELETE, as for submitted versions.

Revision ID: 2298a8de3046
Revises: 0d5da15e48e7
Create Date: 2026-11-23 17:35:40.345527

"""
from alembic import op
import sqlalchemy as sa

import app.core.db


# revision identifiers, used by Alembic.
revision = '2298a8de3046'
down_revision = '0d5da15e48e7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('technology_verifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('version_number', sa.Integer(), nullable=False),
    sa.Column('technologies', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('verified_at', app.core.db.UTCDateTime(), nullable=False),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_technology_verifications_proposal_id_proposals')),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_technology_verifications_verified_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_technology_verifications'))
    )
    with op.batch_alter_table('technology_verifications', schema=None) as batch_op:
        batch_op.create_index('ix_technology_verifications_proposal_at', ['proposal_id', 'verified_at'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION technology_verifications_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'technology verifications are append-only';
            END;
            $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER technology_verifications_append_only
            BEFORE UPDATE OR DELETE ON technology_verifications
            FOR EACH ROW EXECUTE FUNCTION technology_verifications_append_only()
        """)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER technology_verifications_append_only ON technology_verifications")
        op.execute("DROP FUNCTION technology_verifications_append_only()")
    with op.batch_alter_table('technology_verifications', schema=None) as batch_op:
        batch_op.drop_index('ix_technology_verifications_proposal_at')

    op.drop_table('technology_verifications')
