"""The audit trail as a hash chain: each record carries the SHA-256 of its own fields and
of the record before it, so changing, removing or inserting a record shows.

``hash = sha256(canonical JSON of {id, at, actor_id, action, entity_type, entity_id, before,
after, reason, address, previous})``, canonical meaning sorted keys, no spaces, UTF-8 text,
``at`` as an ISO 8601 UTC instant. The first record's ``previous`` is 64 zeros. The chain
runs in id order.

Appending is serialised: on PostgreSQL a transaction-scoped advisory lock is taken before the
head of the chain is read and held until commit; SQLite takes its one write lock first (every
write is serialised there already). The ids are assigned under that lock, so id order is
chain order.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.audit.models import AuditRecord

GENESIS = "0" * 64
# pg_advisory_xact_lock key: any constant unique to this use ("audit" in ASCII).
LOCK_KEY = 0x6175646974


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(
        fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode("utf-8")


def _instant(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def record_hash(
    *,
    id: int,
    at: datetime,
    actor_id: int | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    before: Any,
    after: Any,
    reason: str | None,
    address: str | None,
    previous: str,
) -> str:
    return hashlib.sha256(
        canonical(
            {
                "id": id,
                "at": _instant(at),
                "actor_id": actor_id,
                "action": action,
                "entity_type": entity_type,
                "entity_id": entity_id,
                "before": before or {},
                "after": after or {},
                "reason": reason,
                "address": address,
                "previous": previous,
            }
        )
    ).hexdigest()


def hash_of(record: AuditRecord, previous: str) -> str:
    return record_hash(
        id=record.id,
        at=record.at,
        actor_id=record.actor_id,
        action=record.action,
        entity_type=record.entity_type,
        entity_id=record.entity_id,
        before=record.before,
        after=record.after,
        reason=record.reason,
        address=record.address,
        previous=previous,
    )


def _lock_and_read_head(connection: sa.Connection) -> tuple[int, str]:
    """Serialise appenders, then read the last id and hash of the chain."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK_KEY)))
    else:
        # A write statement takes SQLite's write lock for this transaction (waiting for
        # busy_timeout), so no other writer can append between reading the head and inserting.
        connection.execute(sa.text("UPDATE audit_records SET id = id WHERE 0"))
    head = connection.execute(
        sa.select(AuditRecord.id, AuditRecord.hash).order_by(AuditRecord.id.desc()).limit(1)
    ).first()
    return (head.id, head.hash) if head else (0, GENESIS)


def _next_id(connection: sa.Connection, last_id: int) -> int:
    if connection.dialect.name == "postgresql":
        return int(
            connection.execute(
                sa.text("SELECT nextval(pg_get_serial_sequence('audit_records', 'id'))")
            ).scalar_one()
        )
    return last_id + 1


def chain_new_records(session: Session) -> None:
    """Give every new audit record its id, its predecessor's hash and its own hash."""
    new = [obj for obj in session.new if isinstance(obj, AuditRecord)]
    if not new:
        return
    connection = session.connection()
    last_id, previous = _lock_and_read_head(connection)
    for entry in new:
        entry.id = last_id = _next_id(connection, last_id)
        entry.at = entry.at or datetime.now(UTC)
        entry.before = entry.before or {}
        entry.after = entry.after or {}
        entry.previous_hash = previous
        entry.hash = previous = hash_of(entry, previous)


# ---------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class ChainReport:
    count: int
    head: str
    problem: str | None = None


def walk(connection: sa.Connection, batch: int = 5000) -> Iterator[Any]:
    """Every record's row in chain order, read in batches by id (keyset paging)."""
    columns = [
        AuditRecord.__table__.c[name]
        for name in (
            "id",
            "at",
            "actor_id",
            "action",
            "entity_type",
            "entity_id",
            "before",
            "after",
            "reason",
            "address",
            "previous_hash",
            "hash",
        )
    ]
    last = None
    while True:
        query = sa.select(*columns).order_by(AuditRecord.id).limit(batch)
        if last is not None:
            query = query.where(AuditRecord.id > last)
        rows = connection.execute(query).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def verify(connection: sa.Connection) -> ChainReport:
    """Walk the chain; the first record that does not fit is named."""
    previous, previous_id, count = GENESIS, None, 0
    for row in walk(connection):
        if row.previous_hash != previous:
            if previous_id is None:
                what = "the records before it were removed, or it was inserted"
            else:
                what = (
                    f"the record before it, {previous_id}, was altered and re-hashed, or "
                    "a record between them was removed or inserted"
                )
            return ChainReport(
                count, previous, f"audit record {row.id}: does not follow the chain ({what})"
            )
        expected = record_hash(
            id=row.id,
            at=row.at,
            actor_id=row.actor_id,
            action=row.action,
            entity_type=row.entity_type,
            entity_id=row.entity_id,
            before=row.before,
            after=row.after,
            reason=row.reason,
            address=row.address,
            previous=previous,
        )
        if row.hash != expected:
            return ChainReport(
                count,
                previous,
                f"audit record {row.id}: its content does not match its hash (altered, or forged)",
            )
        previous, previous_id, count = row.hash, row.id, count + 1
    return ChainReport(count, previous)
