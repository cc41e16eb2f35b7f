"""Proposals: the working copy, its attachments and its immutable submitted versions."""

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.calls.models import Call, ProjectType
from app.core.db import Model, str_enum
from app.core.time import utcnow
from app.organisations.models import Organisation, ProviderType

if TYPE_CHECKING:
    from app.auth.models import User


class ProposalStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    withdrawn = "withdrawn"

    @property
    def label(self):
        return {"draft": _l("Draft"), "submitted": _l("Submitted"), "withdrawn": _l("Withdrawn")}[
            self.value
        ]


class Proposal(Model):
    """The working copy that members edit. Submitting freezes a ProposalVersion."""

    __tablename__ = "proposals"

    if TYPE_CHECKING:  # mapped below, once ProposalVersion exists (column_property)
        frozen_organisation_json: Mapped[str | None]
    __table_args__ = (
        sa.CheckConstraint(
            "requested_eur IS NULL OR requested_eur >= 0", name="requested_not_negative"
        ),
        sa.CheckConstraint(
            "own_contribution_eur IS NULL OR own_contribution_eur >= 0",
            name="own_contribution_not_negative",
        ),
        # A call's proposals by status, their ids and the call's last change from the index
        # alone: the change keys, the call-wide counts and their joins by proposal id
        # (PostgreSQL then reads no table row).
        sa.Index("ix_proposals_call_status_id", "call_id", "status", "id", "updated_at"),
        # The list pages: a call's proposals in reference order.
        sa.Index("ix_proposals_call_reference", "call_id", "reference"),
        # A call's latest withdrawal in one seek (the caches' change keys).
        sa.Index("ix_proposals_call_withdrawn", "call_id", "withdrawn_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)
    status: Mapped[ProposalStatus] = mapped_column(
        str_enum(ProposalStatus), default=ProposalStatus.draft, index=True
    )
    # Optimistic locking: every save raises it; a save based on an older one is refused.
    revision: Mapped[int] = mapped_column(default=1)

    # General
    title: Mapped[str] = mapped_column(sa.String(250), default="")
    acronym: Mapped[str] = mapped_column(sa.String(40), default="")
    project_type: Mapped[ProjectType | None] = mapped_column(str_enum(ProjectType))
    training_name: Mapped[str] = mapped_column(sa.String(250), default="")
    training_current_form: Mapped[str] = mapped_column(sa.Text, default="")
    training_hours: Mapped[int | None]
    training_reference: Mapped[str] = mapped_column(sa.String(40), default="")
    # E-learning design
    learning_objectives: Mapped[str] = mapped_column(sa.Text, default="")
    content: Mapped[str] = mapped_column(sa.Text, default="")
    didactic_approach: Mapped[str] = mapped_column(sa.Text, default="")
    target_group: Mapped[str] = mapped_column(sa.Text, default="")
    disadvantaged_groups: Mapped[str] = mapped_column(sa.Text, default="")
    practice_oriented: Mapped[bool | None]
    practice_explanation: Mapped[str] = mapped_column(sa.Text, default="")
    guidance_before: Mapped[str] = mapped_column(sa.Text, default="")
    guidance_during: Mapped[str] = mapped_column(sa.Text, default="")
    guidance_after: Mapped[str] = mapped_column(sa.Text, default="")
    lms_follow_up: Mapped[str] = mapped_column(sa.Text, default="")
    # Technologies: codes from the call's vocabulary, plus free text for "other"
    technologies: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    technology_other: Mapped[str] = mapped_column(sa.String(250), default="")
    # Planning
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    milestones: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    # Budget (exact decimals, euro)
    requested_eur: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    own_contribution_eur: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    # Partners: [{"name", "enterprise_number", "role"}]
    partners: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    expected_participants: Mapped[int | None]

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]  # of the latest version
    withdrawn_at: Mapped[datetime | None]
    withdrawal_reason: Mapped[str] = mapped_column(sa.Text, default="")

    call: Mapped[Call] = relationship(lazy="joined", innerjoin=True)
    organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="proposal", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    versions: Mapped[list["ProposalVersion"]] = relationship(
        back_populates="proposal", order_by="ProposalVersion.number"
    )
    updated_by: Mapped["User | None"] = relationship(foreign_keys=[updated_by_id])

    __mapper_args__ = {"version_id_col": revision}

    def __repr__(self) -> str:
        return f"<Proposal {self.reference}>"

    @property
    def display_title(self) -> str:
        return self.title or str(_l("Untitled proposal"))

    @property
    def submitted_organisation(self) -> "SubmittedOrganisation":
        """The organisation as the latest submitted version froze it: what evaluators,
        officials and exports show, so a later edit of the organisation changes nothing
        there. Before a first submission (or for a value a version lacks) the live one.
        Read with the proposal's own row (``frozen_organisation_json``): no extra query."""
        frozen = json.loads(self.frozen_organisation_json or "null") or {}
        return SubmittedOrganisation(
            frozen.get("legal_name") or self.organisation.legal_name,
            frozen.get("enterprise_number") or self.organisation.enterprise_number,
            ProviderType(frozen["provider_type"])
            if frozen.get("provider_type")
            else self.organisation.provider_type,
        )


@dataclass(frozen=True)
class SubmittedOrganisation:
    legal_name: str
    enterprise_number: str
    provider_type: ProviderType


class Attachment(Model):
    """A PDF attached to the working copy. The file lives under its SHA-256 hash."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(255))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    proposal: Mapped[Proposal] = relationship(back_populates="attachments")


class ProposalVersion(Model):
    """An immutable snapshot made by submitting: all fields and attachment hashes."""

    __tablename__ = "proposal_versions"
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "number", name="uq_proposal_versions_proposal_number"),
        # The version in force at a moment (the last submitted at or before it), per proposal.
        sa.Index(
            "ix_proposal_versions_proposal_submitted", "proposal_id", "submitted_at", "number"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), index=True)
    number: Mapped[int]
    submitted_at: Mapped[datetime] = mapped_column(index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    data: Mapped[dict] = mapped_column(sa.JSON)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    # The organisation's deadline at the moment of submission (extensions included), so a
    # later extension never changes what the receipt of this version says.
    deadline_in_force: Mapped[datetime | None]
    # The organisation's identifying data at submission (legal name, enterprise number,
    # provider type, address): receipts, statistics and exports read it from here, so a
    # later edit of the organisation never changes what was submitted.
    organisation: Mapped[dict | None] = mapped_column(sa.JSON)
    # The declaration on honour ticked when submitting: its text as shown, who ticked it
    # and when ({"text", "accepted_by_id", "accepted_by", "accepted_at"}); None for versions
    # submitted before the declaration existed, or by scripts that declare nothing.
    declaration: Mapped[dict | None] = mapped_column(sa.JSON)
    # 1: the fingerprint's header holds the enterprise number only (versions submitted
    # before the organisation was frozen in); 2: it holds ``organisation`` entire; 3: it
    # holds ``declaration`` as well.
    fingerprint_scheme: Mapped[int] = mapped_column(default=3, server_default="1")

    proposal: Mapped[Proposal] = relationship(back_populates="versions")
    submitted_by: Mapped["User | None"] = relationship(lazy="joined")

    @property
    def declared_at(self) -> datetime | None:
        """When the declaration on honour was ticked (the moment of submission)."""
        return datetime.fromisoformat(self.declaration["accepted_at"]) if self.declaration else None

    @property
    def organisation_data(self) -> dict:
        """The frozen organisation (empty values if ever missing)."""
        return self.organisation or {}

    def __repr__(self) -> str:
        return f"<ProposalVersion {self.proposal_id} v{self.number}>"


def _latest_version(column):
    """A correlated subquery: ``column`` of the proposal's latest submitted version."""
    return (
        sa.select(column)
        .where(ProposalVersion.proposal_id == Proposal.id)
        .order_by(ProposalVersion.number.desc())
        .limit(1)
        .correlate_except(ProposalVersion)
        .scalar_subquery()
    )


# The latest version's frozen organisation as JSON text, loaded with every proposal (text,
# not json, so a proposal row stays comparable on PostgreSQL).
Proposal.frozen_organisation_json = column_property(
    _latest_version(sa.cast(ProposalVersion.organisation, sa.Text))
)

# To sort by: the legal name a proposal was submitted under (the live one for drafts).
submitted_legal_name = sa.func.coalesce(
    _latest_version(ProposalVersion.organisation["legal_name"].as_string()),
    sa.select(Organisation.legal_name)
    .where(Organisation.id == Proposal.organisation_id)
    .correlate_except(Organisation)
    .scalar_subquery(),
)


@sa.event.listens_for(ProposalVersion, "before_update")
@sa.event.listens_for(ProposalVersion, "before_delete")
def _refuse_change(_mapper, _connection, target: ProposalVersion) -> None:
    raise RuntimeError("submitted versions are immutable")
