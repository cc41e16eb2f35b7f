"""Calls for proposals: deadlines (stored in UTC), budgets, vocabulary, extensions."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Model, str_enum
from app.core.time import before_deadline, utcnow
from app.organisations.models import Organisation, ProviderType


class ProjectType(StrEnum):
    convert = "convert"
    adapt = "adapt"
    new = "new"

    @property
    def label(self):
        return {
            "convert": _l("Convert an existing training into an e-training"),
            "adapt": _l("Adapt an existing e-training"),
            "new": _l("Develop a new e-training"),
        }[self.value]

    @property
    def short_label(self):
        return {"convert": _l("Convert"), "adapt": _l("Adapt"), "new": _l("New")}[self.value]


class Technology(StrEnum):
    """The fixed vocabulary of technologies and methods (DESIGN.md)."""

    vr = "vr"
    ar = "ar"
    ai = "ai"
    gamification = "gamification"
    webinar = "webinar"
    group_work = "group_work"
    lms = "lms"
    blended = "blended"
    other = "other"

    @property
    def label(self):
        return {
            "vr": _l("Virtual reality (VR)"),
            "ar": _l("Augmented reality (AR)"),
            "ai": _l("Artificial intelligence (AI)"),
            "gamification": _l("Gamification"),
            "webinar": _l("Webinars"),
            "group_work": _l("Group work"),
            "lms": _l("Learning platform (LMS)"),
            "blended": _l("Blended learning"),
            "other": _l("Other"),
        }[self.value]


class CallPhase(StrEnum):
    """What officials decided; the status shown also depends on the clock."""

    draft = "draft"
    published = "published"
    evaluation = "evaluation"
    decided = "decided"

    @property
    def label(self):
        return {
            "draft": _l("Draft"),
            "published": _l("Published"),
            "evaluation": _l("In evaluation"),
            "decided": _l("Decided"),
        }[self.value]


class CallStatus(StrEnum):
    draft = "draft"
    upcoming = "upcoming"
    open = "open"
    closed = "closed"
    evaluation = "evaluation"
    decided = "decided"

    @property
    def label(self):
        return {
            "draft": _l("Draft"),
            "upcoming": _l("Not yet open"),
            "open": _l("Open"),
            "closed": _l("Closed"),
            "evaluation": _l("In evaluation"),
            "decided": _l("Decided"),
        }[self.value]


ALL_PROJECT_TYPES = [t.value for t in ProjectType]
ALL_TECHNOLOGIES = [t.value for t in Technology]
ALL_PROVIDER_TYPES = [t.value for t in ProviderType]


class Call(Model):
    __tablename__ = "calls"
    __table_args__ = (
        sa.CheckConstraint("deadline > opens_at", name="deadline_after_opening"),
        sa.CheckConstraint("budget_eur >= 0", name="budget_not_negative"),
        sa.CheckConstraint("max_request_eur >= 0", name="max_request_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    opens_at: Mapped[datetime]
    deadline: Mapped[datetime]
    # An official may close a call before its deadline (an emergency); None otherwise.
    closed_at: Mapped[datetime | None]
    closed_reason: Mapped[str] = mapped_column(sa.Text, default="")
    phase: Mapped[CallPhase] = mapped_column(str_enum(CallPhase), default=CallPhase.draft)
    budget_eur: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal("0"))
    max_request_eur: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal("0"))
    # Minimum own contribution as a percentage of the total project cost (0 = none).
    min_own_contribution_pct: Mapped[Decimal] = mapped_column(
        sa.Numeric(5, 2), default=Decimal("0")
    )
    # Projects must run within this period (None = no limit).
    project_start_earliest: Mapped[date | None]
    project_end_latest: Mapped[date | None]
    provider_types: Mapped[list[str]] = mapped_column(
        sa.JSON, default=lambda: list(ALL_PROVIDER_TYPES)
    )
    project_types: Mapped[list[str]] = mapped_column(
        sa.JSON, default=lambda: list(ALL_PROJECT_TYPES)
    )
    technologies: Mapped[list[str]] = mapped_column(sa.JSON, default=lambda: list(ALL_TECHNOLOGIES))
    # Who applicants may ask about the call (shown on the public call page).
    contact_name: Mapped[str] = mapped_column(sa.String(200), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    # How many proposal references were handed out: only grows, so a deleted draft's
    # reference is never reused (app.proposals numbers proposals from it).
    proposals_numbered: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    extensions: Mapped[list["DeadlineExtension"]] = relationship(
        back_populates="call", order_by="DeadlineExtension.id"
    )

    def __repr__(self) -> str:
        return f"<Call {self.code}>"

    @property
    def closes_at(self) -> datetime:
        """The instant submissions stop for everyone without an extension."""
        if self.closed_at is not None and self.closed_at < self.deadline:
            return self.closed_at
        return self.deadline

    def status_at(self, moment: datetime) -> CallStatus:
        if self.phase is CallPhase.draft:
            return CallStatus.draft
        if self.phase is CallPhase.evaluation:
            return CallStatus.evaluation
        if self.phase is CallPhase.decided:
            return CallStatus.decided
        if self.closed_at is not None and not before_deadline(moment, self.closed_at):
            return CallStatus.closed
        if moment < self.opens_at:
            return CallStatus.upcoming
        if before_deadline(moment, self.closes_at):
            return CallStatus.open
        return CallStatus.closed

    @property
    def status(self) -> CallStatus:
        return self.status_at(utcnow())

    @property
    def is_published(self) -> bool:
        return self.phase is not CallPhase.draft

    @property
    def technology_choices(self) -> list[Technology]:
        return [Technology(code) for code in self.technologies]

    @property
    def project_type_choices(self) -> list[ProjectType]:
        return [ProjectType(code) for code in self.project_types]

    def allows_provider_type(self, provider_type: ProviderType) -> bool:
        return provider_type.value in self.provider_types


class DeadlineExtension(Model):
    """One organisation's individual deadline for one call, granted by an official."""

    __tablename__ = "deadline_extensions"
    __table_args__ = (
        sa.UniqueConstraint(
            "call_id", "organisation_id", name="uq_deadline_extensions_call_organisation"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    deadline: Mapped[datetime]
    reason: Mapped[str] = mapped_column(sa.Text)
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    call: Mapped[Call] = relationship(back_populates="extensions")
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class CallDocument(Model):
    """A document of a call (the call text, a template, a guide): a PDF that officials upload
    and everyone can download once the call is published. Stored under its SHA-256."""

    __tablename__ = "call_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    filename: Mapped[str] = mapped_column(sa.String(255))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
