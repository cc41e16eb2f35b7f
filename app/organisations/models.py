"""Training providers and their members."""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Model, str_enum
from app.core.time import utcnow

if TYPE_CHECKING:
    from app.auth.models import User


class ProviderType(StrEnum):
    public = "public"
    private = "private"

    @property
    def label(self):
        """A lazy translated label: forms built at import time still render per request."""
        return {"public": _l("Public"), "private": _l("Private")}[self.value]


class OrganisationStatus(StrEnum):
    """A self-registered organisation is pending until an official confirms it (with the
    evidence its registrant uploads); officials, operators and the demo create confirmed ones."""

    pending = "pending"
    confirmed = "confirmed"
    refused = "refused"

    @property
    def label(self):
        return {
            "pending": _l("Waiting for confirmation"),
            "confirmed": _l("Confirmed"),
            "refused": _l("Refused"),
        }[self.value]


class MembershipStatus(StrEnum):
    pending = "pending"
    active = "active"
    rejected = "rejected"

    @property
    def label(self):
        return {
            "pending": _l("Waiting for approval"),
            "active": _l("Active"),
            "rejected": _l("Refused"),
        }[self.value]


class Organisation(Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(sa.String(200), index=True)  # lists sort on it
    # Canonical form 0123.456.749 (see app.organisations.enterprise_number)
    enterprise_number: Mapped[str] = mapped_column(sa.String(12), unique=True)
    provider_type: Mapped[ProviderType] = mapped_column(str_enum(ProviderType))
    street: Mapped[str] = mapped_column(sa.String(200), default="")
    postal_code: Mapped[str] = mapped_column(sa.String(10), default="")
    city: Mapped[str] = mapped_column(sa.String(100), default="")
    contact_name: Mapped[str] = mapped_column(sa.String(200), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[OrganisationStatus] = mapped_column(
        str_enum(OrganisationStatus), default=OrganisationStatus.confirmed, index=True
    )
    # Who registered it themselves (becomes a member administrator once it is confirmed).
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    refusal_reason: Mapped[str] = mapped_column(sa.Text, default="")

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="organisation", foreign_keys="Membership.organisation_id"
    )

    evidence: Mapped[list["OrganisationEvidence"]] = relationship(
        back_populates="organisation",
        order_by="OrganisationEvidence.id",
        cascade="all, delete-orphan",
    )

    @property
    def is_confirmed(self) -> bool:
        return self.status is OrganisationStatus.confirmed

    def __repr__(self) -> str:
        return f"<Organisation {self.enterprise_number} {self.legal_name}>"


class Membership(Model):
    __tablename__ = "memberships"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "organisation_id", name="uq_memberships_user_organisation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    status: Mapped[MembershipStatus] = mapped_column(
        str_enum(MembershipStatus), default=MembershipStatus.pending
    )
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Member administrators approve or refuse requests to join the organisation.
    is_admin: Mapped[bool] = mapped_column(default=False)

    user: Mapped["User"] = relationship(back_populates="memberships", foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship(
        back_populates="memberships", foreign_keys=[organisation_id], lazy="joined"
    )

    @property
    def is_active(self) -> bool:
        return self.status is MembershipStatus.active


class OrganisationEvidence(Model):
    """A PDF (a mandate, the statutes) showing the registrant may act for the organisation.
    The file lives under its SHA-256 hash, like proposal attachments."""

    __tablename__ = "organisation_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(255))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    organisation: Mapped[Organisation] = relationship(back_populates="evidence")
