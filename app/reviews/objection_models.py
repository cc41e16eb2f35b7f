"""Requests for explanation and objections against a published decision."""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Model, str_enum
from app.core.time import utcnow
from app.proposals.models import Proposal
from app.reviews.models import DecisionRecord

if TYPE_CHECKING:
    from app.auth.models import User


class ObjectionKind(StrEnum):
    explanation = "explanation"  # a request for explanation
    objection = "objection"

    @property
    def label(self):
        return {"explanation": _l("Request for explanation"), "objection": _l("Objection")}[
            self.value
        ]


class ObjectionOutcome(StrEnum):
    upheld = "upheld"
    rejected = "rejected"

    @property
    def label(self):
        return {"upheld": _l("Upheld"), "rejected": _l("Not upheld")}[self.value]


class Objection(Model):
    """What a member of the applicant's organisation lodged within the objection window of
    a decision record, and the official's answer."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    decision_record_id: Mapped[int] = mapped_column(
        sa.ForeignKey("decision_records.id"), index=True
    )
    kind: Mapped[ObjectionKind] = mapped_column(str_enum(ObjectionKind))
    text: Mapped[str] = mapped_column(sa.Text)
    filename: Mapped[str | None] = mapped_column(sa.String(200))
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    size: Mapped[int | None]
    lodged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    lodged_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[str] = mapped_column(sa.Text, default="")
    outcome: Mapped[ObjectionOutcome | None] = mapped_column(str_enum(ObjectionOutcome))
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]
    # The decision record published because this objection was upheld.
    new_decision_number: Mapped[int | None]

    proposal: Mapped[Proposal] = relationship()
    record: Mapped[DecisionRecord] = relationship()
    lodged_by: Mapped["User | None"] = relationship(foreign_keys=[lodged_by_id])

    @property
    def answered(self) -> bool:
        return self.answered_at is not None
