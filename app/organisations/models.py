"""Training providers and their members."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import db, str_enum
from app.core.time import utcnow


class ProviderType(StrEnum):
    public = "public"
    private = "private"

    @property
    def label(self):
        """A lazy translated label: forms built at import time still render per request."""
        return {"public": _l("Public"), "private": _l("Private")}[self.value]


class MembershipStatus(StrEnum):
    pending = "pending"
    active = "active"
    rejected = "rejected"


class Organisation(db.Model):
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

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="organisation", foreign_keys="Membership.organisation_id")

    def __repr__(self) -> str:
        return f"<Organisation {self.enterprise_number} {self.legal_name}>"


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("user_id", "organisation_id",
                                          name="uq_memberships_user_organisation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    status: Mapped[MembershipStatus] = mapped_column(str_enum(MembershipStatus),
                                                     default=MembershipStatus.pending)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user: Mapped["User"] = relationship(  # noqa: F821
        back_populates="memberships", foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship(
        back_populates="memberships", foreign_keys=[organisation_id], lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.status is MembershipStatus.active
