"""The administrators' accounts list (searched, filtered and paged in SQL) and accounts they
create, who then choose their own password from a link."""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.auth import links, services
from app.auth.models import User, UserRole
from app.core.db import db, transaction
from app.core.email import enqueue, external_url
from app.core.errors import NotFound
from app.core.pagination import Page, choice
from app.core.permissions import Role, require
from app.core.time import utcnow

ACTIVE_CHOICES = ("", "yes", "no")


@dataclass(frozen=True)
class AccountFilters:
    """What the accounts list shows, read from (and written back to) the query string."""

    q: str = ""
    role: str = ""
    active: str = ""

    @classmethod
    def of(cls, args: Mapping[str, str]) -> "AccountFilters":
        return cls(
            q=(args.get("q") or "").strip()[:100],
            role=choice(args, "role", [r.value for r in Role], ""),
            active=choice(args, "active", ACTIVE_CHOICES, ""),
        )

    def as_args(self) -> dict[str, str]:
        """The non-empty filters, for links that keep them (paging)."""
        return {k: v for k, v in (("q", self.q), ("role", self.role), ("active", self.active)) if v}


def _filtered(filters: AccountFilters) -> sa.Select:
    query = sa.select(User)
    if filters.q:
        pattern = (
            "%"
            + filters.q.lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
            + "%"
        )
        query = query.where(
            sa.or_(
                sa.func.lower(User.name).like(pattern, escape="\\"),
                sa.func.lower(User.email).like(pattern, escape="\\"),
            )
        )
    if filters.role:
        query = query.where(
            sa.exists().where(UserRole.user_id == User.id, UserRole.role == Role(filters.role))
        )
    if filters.active:
        query = query.where(User.active.is_(filters.active == "yes"))
    return query


def get_account(actor: User, user_id: int) -> User:
    require(actor.is_admin)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def search_accounts(actor: User, filters: AccountFilters, args: Mapping[str, str]) -> Page:
    """One page (50) of the accounts matching ``filters``, by email address; two queries
    for the page and one for the roles of its accounts, whatever the number of accounts."""
    require(actor.is_admin)
    query = _filtered(filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    page = Page.of(args, total=total)
    page.items = list(
        db.session.scalars(
            query.order_by(sa.func.lower(User.email), User.id)
            .limit(page.per_page)
            .offset(page.offset)
        )
    )
    return page


def create_account(actor: User, name: str, email: str, roles: set[Role], language: str) -> User:
    """A verified account made by an administrator, with an unusable random password; its
    owner gets a welcome email with a link to choose a password, valid for
    ``WELCOME_TOKEN_MAX_AGE`` (days, where a reset link lives an hour) and used once."""
    require(actor.is_admin)
    data = services.AccountInput(
        email=email, name=name, password=secrets.token_urlsafe(24), language=language
    )
    user = services.create_user(actor, data, roles=roles, verified=True)
    max_age = int(current_app.config["WELCOME_TOKEN_MAX_AGE"])
    with transaction():
        enqueue(
            "account_created",
            to=user.email,
            language=user.language,
            subject=_l("An account was made for you"),
            template="auth/email/account_created.txt",
            user=user,
            link=external_url(
                "auth.reset_password", token=links.make_link_token(user, links.WELCOME)
            ),
            validity=max_age,
            until=utcnow() + timedelta(seconds=max_age),
        )
    return user
