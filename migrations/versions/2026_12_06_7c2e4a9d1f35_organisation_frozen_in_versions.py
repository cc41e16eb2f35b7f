"""organisation frozen in versions

Each submitted version keeps the organisation's identifying data (legal name, enterprise
number, provider type, address) as it was at submission. Existing versions are filled in
from the organisation's current data and keep fingerprint scheme 1 (its header holds the
enterprise number only), so their fingerprints still verify; new versions use scheme 2,
whose header covers the whole frozen organisation.

Revision ID: 7c2e4a9d1f35
Revises: 7c2d4e6f8a13
Create Date: 2026-12-06 21:30:00

"""
import warnings

import sqlalchemy as sa
from alembic import op

revision = '7c2e4a9d1f35'
down_revision = '7c2d4e6f8a13'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('proposal_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('fingerprint_scheme', sa.Integer(), nullable=False,
                                      server_default='1'))
    bind = op.get_bind()
    versions = sa.table('proposal_versions', sa.column('id', sa.Integer),
                        sa.column('organisation', sa.JSON))
    rows = bind.execute(sa.text(
        "SELECT v.id, o.legal_name, o.enterprise_number, o.provider_type, o.street, "
        "o.postal_code, o.city FROM proposal_versions v "
        "JOIN proposals p ON p.id = v.proposal_id "
        "JOIN organisations o ON o.id = p.organisation_id")).all()
    postgresql = bind.dialect.name == "postgresql"
    if postgresql:  # the versions are otherwise immutable (trigger of 0d5da15e48e7)
        op.execute("ALTER TABLE proposal_versions DISABLE TRIGGER proposal_versions_immutable")
    for vid, name, number, provider, street, postal_code, city in rows:
        bind.execute(versions.update().where(versions.c.id == vid).values(organisation={
            "legal_name": name, "enterprise_number": number, "provider_type": provider,
            "street": street or "", "postal_code": postal_code or "", "city": city or ""}))
    if postgresql:
        op.execute("ALTER TABLE proposal_versions ENABLE TRIGGER proposal_versions_immutable")


def downgrade():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        with op.batch_alter_table('proposal_versions', schema=None) as batch_op:
            batch_op.drop_column('fingerprint_scheme')
            batch_op.drop_column('organisation')
