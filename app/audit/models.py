"""The append-only audit trail."""

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.core.db import Model
from app.core.time import utcnow

if TYPE_CHECKING:
    from app.auth.models import User


class AuditRecord(Model):
    __tablename__ = "audit_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    entity_type: Mapped[str] = mapped_column(sa.String(50))
    entity_id: Mapped[int | None]
    before: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    address: Mapped[str | None] = mapped_column(sa.String(64))
    # The hash chain (app.audit.chain): the record before this one's hash, and this one's.
    previous_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    actor: Mapped["User | None"] = relationship(lazy="joined")

    __table_args__ = (sa.Index("ix_audit_records_entity", "entity_type", "entity_id"),)


@sa.event.listens_for(AuditRecord, "before_update")
@sa.event.listens_for(AuditRecord, "before_delete")
def _refuse_change(_mapper: object, _connection: object, target: AuditRecord) -> None:
    raise RuntimeError("audit records are append-only")


@sa.event.listens_for(Session, "before_flush")
def _chain_new_records(session: Session, _context: object, _instances: object) -> None:
    """Every new audit record joins the hash chain, however it was added."""
    from app.audit.chain import chain_new_records

    chain_new_records(session)
