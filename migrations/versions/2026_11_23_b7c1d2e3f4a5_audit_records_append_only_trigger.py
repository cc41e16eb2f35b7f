"""audit records: append-only enforced by the database on PostgreSQL

Revision ID: b7c1d2e3f4a5
Revises: e6a6889597ec
Create Date: 2026-11-23

On PostgreSQL a trigger refuses UPDATE and DELETE on audit_records, so not even a bulk
statement or raw SQL can rewrite history. (TRUNCATE, an operator's deliberate act, is not a
row change.) SQLite, the embedded default, relies on the ORM's refusal.
"""
from alembic import op

revision = "b7c1d2e3f4a5"
down_revision = "e6a6889597ec"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE FUNCTION audit_records_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'audit records are append-only';
        END;
        $$ LANGUAGE plpgsql
    """)
    op.execute("""
        CREATE TRIGGER audit_records_append_only
        BEFORE UPDATE OR DELETE ON audit_records
        FOR EACH ROW EXECUTE FUNCTION audit_records_append_only()
    """)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER audit_records_append_only ON audit_records")
    op.execute("DROP FUNCTION audit_records_append_only()")
