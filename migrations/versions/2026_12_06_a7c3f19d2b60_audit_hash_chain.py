"""audit records: a hash chain (each record carries its predecessor's hash and its own)

Adds ``previous_hash`` and ``hash`` to audit_records and computes them for the records that
exist, in id order, exactly as app.audit.chain does (the canonical form is copied here so
this migration keeps meaning what it meant when it ran). On PostgreSQL the append-only
trigger is disabled for the backfill only.

Revision ID: a7c3f19d2b60
Revises: 7c2e4a9d1f35
Create Date: 2026-12-06 21:20:00

"""
import hashlib
import json
import warnings
from datetime import UTC

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7c3f19d2b60'
down_revision = '7c2e4a9d1f35'
branch_labels = None
depends_on = None

GENESIS = "0" * 64

records = sa.table(
    "audit_records",
    sa.column("id", sa.Integer), sa.column("at", sa.DateTime),
    sa.column("actor_id", sa.Integer), sa.column("action", sa.String),
    sa.column("entity_type", sa.String), sa.column("entity_id", sa.Integer),
    sa.column("before", sa.JSON), sa.column("after", sa.JSON),
    sa.column("reason", sa.Text), sa.column("address", sa.String),
    sa.column("previous_hash", sa.String), sa.column("hash", sa.String),
)


def _hash(row, previous: str) -> str:
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
    fields = {
        "id": row.id, "at": at.astimezone(UTC).isoformat(), "actor_id": row.actor_id,
        "action": row.action, "entity_type": row.entity_type, "entity_id": row.entity_id,
        "before": row.before or {}, "after": row.after or {}, "reason": row.reason,
        "address": row.address, "previous": previous,
    }
    return hashlib.sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":"), default=str).encode("utf-8")
                          ).hexdigest()


def upgrade():
    # Adding a column needs no table rebuild on SQLite; making it NOT NULL does (below).
    op.add_column('audit_records', sa.Column('previous_hash', sa.String(length=64)))
    op.add_column('audit_records', sa.Column('hash', sa.String(length=64)))

    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    if postgresql:
        op.execute("ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only")
    previous, last = GENESIS, None
    while True:
        query = sa.select(records.c.id, records.c.at, records.c.actor_id, records.c.action,
                          records.c.entity_type, records.c.entity_id, records.c.before,
                          records.c.after, records.c.reason, records.c.address
                          ).order_by(records.c.id).limit(2000)
        if last is not None:
            query = query.where(records.c.id > last)
        rows = bind.execute(query).all()
        if not rows:
            break
        updates = []
        for row in rows:
            digest = _hash(row, previous)
            updates.append({"key": row.id, "previous_hash": previous, "hash": digest})
            previous, last = digest, row.id
        bind.execute(records.update().where(records.c.id == sa.bindparam("key"))
                     .values(previous_hash=sa.bindparam("previous_hash"),
                             hash=sa.bindparam("hash")), updates)
    if postgresql:
        op.execute("ALTER TABLE audit_records ENABLE TRIGGER audit_records_append_only")

    # SQLite rebuilds the table; reflecting it warns about the expression index on users.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        with op.batch_alter_table('audit_records', schema=None) as batch_op:
            batch_op.alter_column('previous_hash', existing_type=sa.String(length=64),
                                  nullable=False)
            batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)


def downgrade():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        with op.batch_alter_table('audit_records', schema=None) as batch_op:
            batch_op.drop_column('hash')
            batch_op.drop_column('previous_hash')
