"""calls: a contact on the public page, the call's documents (PDFs), a proposal counter

Revision ID: a7c1e2f3b4d5
Revises: 5e1f0c7a9b21
Create Date: 2026-12-06 21:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7c1e2f3b4d5'
down_revision = '5e1f0c7a9b21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_name', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('proposals_numbered', sa.Integer(), nullable=False,
                                      server_default='0'))
    # References were numbered by counting a call's proposals, and none was ever deleted.
    op.execute("UPDATE calls SET proposals_numbered = "
               "(SELECT count(*) FROM proposals WHERE proposals.call_id = calls.id)")
    op.create_table(
        'call_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('call_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['call_id'], ['calls.id'],
                                name=op.f('fk_call_documents_call_id_calls')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                                name=op.f('fk_call_documents_uploaded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_call_documents')),
    )
    with op.batch_alter_table('call_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_documents_call_id'), ['call_id'], unique=False)


def downgrade():
    with op.batch_alter_table('call_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_documents_call_id'))
    op.drop_table('call_documents')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('proposals_numbered')
        batch_op.drop_column('contact_email')
        batch_op.drop_column('contact_name')
