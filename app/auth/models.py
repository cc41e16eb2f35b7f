"""Users, their roles, API tokens and sessions."""

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Model, str_enum
from app.core.permissions import Role
from app.core.time import utcnow

if TYPE_CHECKING:
    from app.organisations.models import Membership, Organisation


class User(UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (
        # One account per address regardless of case: the service lower-cases, the index guards.
        sa.Index("uq_users_email_lower", sa.func.lower(sa.text("email")), unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    email_verified_at: Mapped[datetime | None]
    language: Mapped[str] = mapped_column(sa.String(5), default="nl")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Set when an administrator anonymised the account: name and email are placeholders,
    # the password unusable, and it can never log in again.
    anonymised_at: Mapped[datetime | None]

    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user",
        lazy="selectin",
        primaryjoin="User.id == Membership.user_id",
        foreign_keys="Membership.user_id",
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    # Flask-Login
    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        # Only the id: the session is bound to a UserSession row by its own random key.
        return str(self.id)

    # Roles
    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, *roles: Role | str) -> bool:
        mine = self.roles
        return any(Role(role) in mine for role in roles)

    @property
    def is_official(self) -> bool:
        return self.has_role(Role.official)

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.admin)

    @property
    def is_evaluator(self) -> bool:
        return self.has_role(Role.evaluator)

    @property
    def is_applicant(self) -> bool:
        return self.has_role(Role.applicant)

    # Organisations
    @property
    def organisation_ids(self) -> frozenset[int]:
        """Organisations whose proposals this user may see (approved memberships only)."""
        return frozenset(m.organisation_id for m in self.memberships if m.is_active)

    @property
    def organisations(self) -> list["Organisation"]:
        return [m.organisation for m in self.memberships if m.is_active]


class UserRole(Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class ApiToken(Model):
    """A personal API token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))  # shown to recognise a token
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]  # API_TOKEN_DAYS after creation

    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > utcnow()

    @property
    def is_expired(self) -> bool:
        return self.revoked_at is None and self.expires_at <= utcnow()


class UserSession(Model):
    """One logged-in browser. The session cookie holds a random key; only its SHA-256 is
    stored, and a request counts as logged in only while the row exists, so logging out,
    logging out everywhere and a password change end sessions on the server at once."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
