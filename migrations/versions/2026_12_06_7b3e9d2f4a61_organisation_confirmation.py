"""organisations: confirmation by an official with evidence, member administrators

Self-registered organisations wait for an official's confirmation; the registrant uploads
evidence (a PDF). Member administrators approve requests to join. Every organisation that
exists already is confirmed, and its active members become its administrators.

Revision ID: 7b3e9d2f4a61
Revises: a7c3f19d2b60
Create Date: 2026-12-06 21:30:00.000000

"""
import warnings

import sqlalchemy as sa

import app.core.db
from alembic import op


# revision identifiers, used by Alembic.
revision = '7b3e9d2f4a61'
down_revision = 'a7c3f19d2b60'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite rebuilds organisations and memberships; reflecting them also reflects users and
    # warns about its expression index.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        _upgrade()


def downgrade():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        _downgrade()


def _upgrade():
    # Columns only, no table rebuild: on SQLite a rebuild of organisations (or memberships)
    # with rows that others reference fails while foreign keys are enforced, so SQLite gets
    # its foreign keys in ADD COLUMN. The server defaults stay; the application always sets
    # both columns.
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'status', sa.Enum('pending', 'confirmed', 'refused', name='organisationstatus',
                              native_enum=False, length=32),
            nullable=False, server_default='confirmed'))
        batch_op.add_column(sa.Column('decided_at', app.core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('refusal_reason', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.create_index('ix_organisations_status', ['status'], unique=False)
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("ALTER TABLE organisations ADD COLUMN registered_by_id INTEGER "
                   "CONSTRAINT fk_organisations_registered_by_id_users "
                   "REFERENCES users (id)")
        op.execute("ALTER TABLE organisations ADD COLUMN decided_by_id INTEGER "
                   "CONSTRAINT fk_organisations_decided_by_id_users REFERENCES users (id)")
    else:
        op.add_column('organisations', sa.Column('registered_by_id', sa.Integer(), nullable=True))
        op.add_column('organisations', sa.Column('decided_by_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_organisations_registered_by_id_users', 'organisations',
                              'users', ['registered_by_id'], ['id'])
        op.create_foreign_key('fk_organisations_decided_by_id_users', 'organisations', 'users',
                              ['decided_by_id'], ['id'])

    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_admin', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    # Existing organisations are confirmed (the default above); their active members were
    # the ones who approved joins until now, so they become member administrators.
    op.execute(sa.text("UPDATE memberships SET is_admin = :yes WHERE status = 'active'")
               .bindparams(yes=True))

    op.create_table(
        'organisation_evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', app.core.db.UTCDateTime(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('organisation_evidence', schema=None) as batch_op:
        batch_op.create_index('ix_organisation_evidence_organisation_id', ['organisation_id'],
                              unique=False)
        batch_op.create_index('ix_organisation_evidence_sha256', ['sha256'], unique=False)


def _downgrade():
    with op.batch_alter_table('organisation_evidence', schema=None) as batch_op:
        batch_op.drop_index('ix_organisation_evidence_sha256')
        batch_op.drop_index('ix_organisation_evidence_organisation_id')
    op.drop_table('organisation_evidence')
    # Plain DROP COLUMN, no table rebuild (SQLite 3.35+): as in the upgrade, a rebuild of
    # organisations or memberships fails on SQLite while other rows reference them.
    op.drop_index('ix_organisations_status', table_name='organisations')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint('fk_organisations_registered_by_id_users', 'organisations',
                           type_='foreignkey')
        op.drop_constraint('fk_organisations_decided_by_id_users', 'organisations',
                           type_='foreignkey')
    op.drop_column('memberships', 'is_admin')
    for column in ('refusal_reason', 'decided_by_id', 'decided_at', 'registered_by_id',
                   'status'):
        op.drop_column('organisations', column)
