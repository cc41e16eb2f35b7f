"""Officials' verification of the technologies a proposal declared.

Append-only: each verification (or correction) is a new row, so the verified figures can be
computed as of any past moment. The latest row at or before a moment is the one in force.
"""

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Model
from app.core.time import utcnow

if TYPE_CHECKING:
    from app.auth.models import User


class TechnologyVerification(Model):
    __tablename__ = "technology_verifications"
    __table_args__ = (
        sa.Index("ix_technology_verifications_proposal_at", "proposal_id", "verified_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"))
    # The submitted version the official looked at.
    version_number: Mapped[int]
    # Codes from the call's vocabulary, in the vocabulary's order; may be empty.
    technologies: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    verified_at: Mapped[datetime] = mapped_column(default=utcnow)
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    verified_by: Mapped["User | None"] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<TechnologyVerification {self.proposal_id} {self.technologies}>"


@sa.event.listens_for(TechnologyVerification, "before_update")
@sa.event.listens_for(TechnologyVerification, "before_delete")
def _refuse_change(_mapper, _connection, target: TechnologyVerification) -> None:
    raise RuntimeError("technology verifications are append-only; add a new one")
