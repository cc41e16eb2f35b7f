"""``record()``: the one helper every service calls inside its own transaction."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request

from app.audit.models import AuditRecord
from app.core.db import db, transaction
from app.core.time import utcnow


def record(
    actor: Any,
    action: str,
    entity: Any,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str | None = None,
) -> AuditRecord:
    """Append an audit record; never commits on its own (the caller's transaction does)."""
    if getattr(entity, "id", None) is None:
        db.session.flush()  # new rows need their id
    actor_id = getattr(actor, "id", None) if getattr(actor, "is_authenticated", True) else None
    entry = AuditRecord(
        at=utcnow(),
        actor_id=actor_id,
        action=action,
        entity_type=entity.__tablename__,
        entity_id=entity.id,
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason,
        address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def record_read(
    actor: Any, document: str, entity: Any, details: Mapping[str, Any] | None = None
) -> AuditRecord:
    """A confidential document was read by someone other than its owner: who, what, when.
    The action is ``read.<document>``; committed at once (the read itself changes nothing)."""
    with transaction():
        return record(actor, f"read.{document}", entity, after=details)


def _jsonable(values: Mapping[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (values or {}).items():
        if isinstance(value, datetime):
            value = value.isoformat()
        elif hasattr(value, "value") and not isinstance(value, (int, float, str, bool)):
            value = value.value  # enums
        elif not isinstance(value, (int, float, str, bool, list, dict, type(None))):
            value = str(value)
        out[key] = value
    return out


def list_records(
    *,
    action: str | None = None,
    entity_type: str | None = None,
    entity_id: int | None = None,
    actor_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[AuditRecord], int]:
    """Filtered audit records, newest first, with the total count for paging."""
    query = sa.select(AuditRecord)
    if action:
        query = query.where(AuditRecord.action.startswith(action))
    if entity_type:
        query = query.where(AuditRecord.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditRecord.entity_id == entity_id)
    if actor_id is not None:
        query = query.where(AuditRecord.actor_id == actor_id)
    if since is not None:
        query = query.where(AuditRecord.at >= since)
    if until is not None:
        query = query.where(AuditRecord.at < until)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(AuditRecord.at.desc(), AuditRecord.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(rows), total


def list_actions() -> list[str]:
    return list(
        db.session.scalars(sa.select(AuditRecord.action).distinct().order_by(AuditRecord.action))
    )
