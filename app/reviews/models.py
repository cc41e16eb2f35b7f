"""Evaluation: criteria, admissibility, evaluators, assignments, reviews, consensus, decisions."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.calls.models import Call
from app.core.db import Model, str_enum
from app.core.time import utcnow
from app.proposals.models import Proposal, ProposalVersion

if TYPE_CHECKING:
    from app.auth.models import User


class Criterion(Model):
    """One evaluation criterion of a call: a weight, a scale with a step, a threshold."""

    __tablename__ = "criteria"
    __table_args__ = (
        sa.UniqueConstraint("call_id", "position", name="uq_criteria_call_position"),
        sa.CheckConstraint("weight > 0", name="weight_positive"),
        sa.CheckConstraint("scale_max > 0 AND step > 0", name="scale_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id"), index=True)
    position: Mapped[int]
    name_nl: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    guidance_nl: Mapped[str] = mapped_column(sa.Text, default="")
    guidance_en: Mapped[str] = mapped_column(sa.Text, default="")
    weight: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    scale_max: Mapped[Decimal] = mapped_column(sa.Numeric(4, 1), default=Decimal("5"))
    step: Mapped[Decimal] = mapped_column(sa.Numeric(3, 1), default=Decimal("0.5"))
    threshold: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 1))

    call: Mapped[Call] = relationship()

    @property
    def name(self) -> str:
        return self.name_en if str(get_locale() or "nl") == "en" else self.name_nl

    @property
    def guidance(self) -> str:
        return self.guidance_en if str(get_locale() or "nl") == "en" else self.guidance_nl


# A call's evaluation rules until an official sets them: their one home (the public call
# page, the first read of a call's settings and the table's column defaults read them here).
DEFAULT_REVIEWS_PER_PROPOSAL = 3
DEFAULT_TOTAL_THRESHOLD = Decimal("60")
DEFAULT_DISAGREEMENT_SPREAD = Decimal("20")
DEFAULT_OBJECTION_DAYS = 15
DEFAULT_RESERVE_SIZE = 5


class EvaluationSettings(Model):
    """A call's evaluation rules beyond its criteria."""

    __tablename__ = "evaluation_settings"

    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id"), primary_key=True)
    reviews_per_proposal: Mapped[int] = mapped_column(default=DEFAULT_REVIEWS_PER_PROPOSAL)
    total_threshold: Mapped[Decimal] = mapped_column(
        sa.Numeric(5, 2), default=DEFAULT_TOTAL_THRESHOLD
    )
    # Reviews of one proposal whose weighted totals differ more than this are flagged.
    disagreement_spread: Mapped[Decimal] = mapped_column(
        sa.Numeric(5, 2), default=DEFAULT_DISAGREEMENT_SPREAD
    )
    objection_days: Mapped[int] = mapped_column(default=DEFAULT_OBJECTION_DAYS)
    # A criterion of one proposal is flagged when its individual scores spread more than
    # this share of the criterion's scale; None means a third.
    criterion_spread_share: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 3))
    # How many passing proposals below the budget line form the reserve list.
    reserve_size: Mapped[int] = mapped_column(default=DEFAULT_RESERVE_SIZE)
    # When on, one official requests the publication of a decision and another approves it.
    second_approval: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    @classmethod
    def defaults(cls, call_id: int) -> "EvaluationSettings":
        """A call's settings before an official sets them (not added to the session)."""
        return cls(
            call_id=call_id,
            reviews_per_proposal=DEFAULT_REVIEWS_PER_PROPOSAL,
            total_threshold=DEFAULT_TOTAL_THRESHOLD,
            disagreement_spread=DEFAULT_DISAGREEMENT_SPREAD,
            objection_days=DEFAULT_OBJECTION_DAYS,
            reserve_size=DEFAULT_RESERVE_SIZE,
            second_approval=False,
        )


class Admissibility(StrEnum):
    admissible = "admissible"
    inadmissible = "inadmissible"

    @property
    def label(self):
        return {"admissible": _l("Admissible"), "inadmissible": _l("Inadmissible")}[self.value]


class AdmissibilityCheck(Model):
    """An official's admissibility decision on the version that counts. ``result`` and
    ``reason`` are the official's (a draft until released); ``released_*`` are what the
    applicant was told, set when the results are released (app.reviews.rules.admissibility)."""

    __tablename__ = "admissibility_checks"
    __table_args__ = (
        # A call's admissible proposals from the index alone (the evaluation's lists).
        sa.Index("ix_admissibility_checks_proposal_result", "proposal_id", "result"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), unique=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal_versions.id"))
    result: Mapped[Admissibility] = mapped_column(str_enum(Admissibility))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    checks: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # rule key -> passed
    checked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_result: Mapped[Admissibility | None] = mapped_column(str_enum(Admissibility))
    released_reason: Mapped[str | None] = mapped_column(sa.Text)
    released_at: Mapped[datetime | None]

    proposal: Mapped[Proposal] = relationship()
    version: Mapped[ProposalVersion] = relationship()

    @property
    def unreleased(self) -> bool:
        """The applicant has not been told this result (or was told another one)."""
        return self.released_result is None or (self.released_result, self.released_reason) != (
            self.result,
            self.reason,
        )

    @classmethod
    def unreleased_in_sql(cls) -> sa.ColumnElement[bool]:
        """``unreleased`` as a condition, for filters and counts in SQL."""
        return sa.or_(
            cls.released_result.is_(None),
            cls.released_reason.is_(None),
            cls.released_result != cls.result,
            cls.released_reason != cls.reason,
        )


class AdmissibilityRelease(Model):
    """One confirmed release of a call's admissibility results to its applicants."""

    __tablename__ = "admissibility_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id"), index=True)
    released_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # {"admissible": n, "inadmissible": n, "corrections": n, "emails": n}
    counts: Mapped[dict] = mapped_column(sa.JSON, default=dict)


class EvaluatorProfile(Model):
    __tablename__ = "evaluator_profiles"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    expertise: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # technology codes
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    affiliations: Mapped[list["Affiliation"]] = relationship(
        primaryjoin="EvaluatorProfile.user_id == foreign(Affiliation.user_id)",
        order_by="Affiliation.id",
        viewonly=True,
    )


class Affiliation(Model):
    """An organisation an evaluator works for or with: matched on its enterprise number."""

    __tablename__ = "evaluator_affiliations"
    __table_args__ = (
        sa.UniqueConstraint(
            "user_id", "enterprise_number", name="uq_evaluator_affiliations_user_number"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_name: Mapped[str] = mapped_column(sa.String(200))
    enterprise_number: Mapped[str] = mapped_column(sa.String(12), index=True)
    relation: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AssignmentStatus(StrEnum):
    awaiting_declaration = "awaiting_declaration"
    accepted = "accepted"  # declared no conflict of interest
    conflict = "conflict"  # declared a conflict: the assignment is void
    removed = "removed"  # taken away by an official

    @property
    def label(self):
        return {
            "awaiting_declaration": _l("Awaiting declaration"),
            "accepted": _l("No conflict of interest declared"),
            "conflict": _l("Conflict of interest"),
            "removed": _l("Removed"),
        }[self.value]


ACTIVE_ASSIGNMENT = (AssignmentStatus.awaiting_declaration, AssignmentStatus.accepted)


class Assignment(Model):
    __tablename__ = "assignments"
    __table_args__ = (
        sa.UniqueConstraint(
            "proposal_id", "evaluator_id", name="uq_assignments_proposal_evaluator"
        ),
        # A proposal's assignments; a call's active ones per evaluator from the index alone.
        sa.Index("ix_assignments_proposal_status", "proposal_id", "status", "evaluator_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"))
    evaluator_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[AssignmentStatus] = mapped_column(
        str_enum(AssignmentStatus), default=AssignmentStatus.awaiting_declaration
    )
    automatic: Mapped[bool] = mapped_column(default=False)
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    declared_at: Mapped[datetime | None]
    conflict_reason: Mapped[str] = mapped_column(sa.Text, default="")

    proposal: Mapped[Proposal] = relationship()
    evaluator: Mapped["User"] = relationship(foreign_keys=[evaluator_id])
    review: Mapped["Review | None"] = relationship(back_populates="assignment", uselist=False)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_ASSIGNMENT


class ReviewStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"

    @property
    def label(self):
        return {"draft": _l("Draft"), "submitted": _l("Submitted")}[self.value]


class Review(Model):
    """One evaluator's individual evaluation of one proposal (locked once submitted)."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignments.id"), unique=True)
    status: Mapped[ReviewStatus] = mapped_column(str_enum(ReviewStatus), default=ReviewStatus.draft)
    overall_comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]

    assignment: Mapped[Assignment] = relationship(back_populates="review")
    scores: Mapped[list["Score"]] = relationship(
        back_populates="review", cascade="all, delete-orphan"
    )


class Score(Model):
    __tablename__ = "review_scores"
    __table_args__ = (
        sa.UniqueConstraint("review_id", "criterion_id", name="uq_review_scores_review_criterion"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criteria.id"))
    score: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 1))
    justification: Mapped[str] = mapped_column(sa.Text, default="")

    review: Mapped[Review] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()


class ConsensusScore(Model):
    """The final score per criterion, recorded by an official with a consensus text."""

    __tablename__ = "consensus_scores"
    __table_args__ = (
        sa.UniqueConstraint(
            "proposal_id", "criterion_id", name="uq_consensus_scores_proposal_criterion"
        ),
        # A proposal's scores, and a call's latest one (the ranking's change key).
        sa.Index("ix_consensus_scores_proposal_recorded", "proposal_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"))
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criteria.id"))
    score: Mapped[Decimal] = mapped_column(sa.Numeric(4, 1))
    justification: Mapped[str] = mapped_column(sa.Text)
    minority_view: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    criterion: Mapped[Criterion] = relationship()


class Outcome(StrEnum):
    funded = "funded"
    reserve = "reserve"
    rejected = "rejected"
    below_threshold = "below_threshold"

    @property
    def label(self):
        return {
            "funded": _l("Approved"),
            "reserve": _l("Reserve list"),
            "rejected": _l("Rejected"),
            "below_threshold": _l("Below a threshold"),
        }[self.value]


class OutcomeOverride(Model):
    """An official's deliberate departure from the computed outcome, with a reason."""

    __tablename__ = "outcome_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), unique=True)
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome))
    reason: Mapped[str] = mapped_column(sa.Text)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class DecisionRecord(Model):
    """The frozen basis of a published decision: scores, consensus texts, ranking."""

    __tablename__ = "decision_records"
    __table_args__ = (
        sa.UniqueConstraint("call_id", "number", name="uq_decision_records_call_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id"), index=True)
    number: Mapped[int]
    published_at: Mapped[datetime]
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    data: Mapped[dict] = mapped_column(sa.JSON)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    notified_on: Mapped[date]
    objection_until: Mapped[date]

    call: Mapped[Call] = relationship()


class PublicationStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    withdrawn = "withdrawn"


class PublicationRequest(Model):
    """An official's request to publish a decision, for a call that wants a second
    official's approval: ``fingerprint`` is that of the ranking the requester saw (or, for
    decision n+1 after an upheld objection, the ranking when it was requested)."""

    __tablename__ = "publication_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[PublicationStatus] = mapped_column(
        str_enum(PublicationStatus), default=PublicationStatus.pending
    )
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    record_id: Mapped[int | None] = mapped_column(sa.ForeignKey("decision_records.id"))
    # The upheld objection this publication answers (decision n+1 after it), if any.
    objection_id: Mapped[int | None] = mapped_column(sa.ForeignKey("objections.id"))

    requested_by: Mapped["User"] = relationship(foreign_keys=[requested_by_id])


@sa.event.listens_for(DecisionRecord, "before_update")
@sa.event.listens_for(DecisionRecord, "before_delete")
def _refuse_change(_mapper, _connection, target: DecisionRecord) -> None:
    raise RuntimeError("decision records are immutable")


class ReviewQuorumOverride(Model):
    """An official's written decision to hold the consensus on one proposal with fewer
    submitted reviews than the call requires."""

    __tablename__ = "review_quorum_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), unique=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    # What the official saw when writing the reason.
    reviews_submitted: Mapped[int]
    reviews_required: Mapped[int]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
