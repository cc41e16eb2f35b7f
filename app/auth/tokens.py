"""API tokens: made on the profile, shown once, stored as a hash, revoked by their owner."""

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from app.audit import services as audit
from app.auth.models import ApiToken, User
from app.core import throttle
from app.core.db import affected, db, transaction
from app.core.errors import NotFound
from app.core.permissions import require
from app.core.time import utcnow

# ---------------------------------------------------------------- API tokens

TOKEN_PREFIX = "esf_"  # noqa: S105 (a prefix, not a secret)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    actor: User, user: User, name: str, *, throttled: bool = False
) -> tuple[ApiToken, str]:
    """Create a personal API token; the plain token is returned once and never stored.
    From the web (``throttled``) at most ``TOKEN_THROTTLE_MAX`` per window run at once per
    account, then each waits like a login."""
    require(actor.id == user.id or actor.is_admin)
    if throttled:
        config = current_app.config
        throttle.reserve(
            [
                throttle.Rule(
                    f"token:user:{user.id}",
                    config["TOKEN_THROTTLE_MAX"],
                    config["LOGIN_THROTTLE_WINDOW"],
                    config["LOGIN_THROTTLE_DELAY"],
                )
            ]
        )
    name = (name or "").strip()[:100] or _("API token")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    with transaction():
        token = ApiToken(
            user_id=user.id,
            name=name,
            token_hash=hash_token(plain),
            prefix=plain[:12],
            created_at=now,
            expires_at=now + timedelta(days=current_app.config["API_TOKEN_DAYS"]),
        )
        db.session.add(token)
        audit.record(actor, "api_token.created", token, after={"user": user.email, "name": name})
    return token, plain


def revoke_token(actor: User, token_id: int) -> ApiToken:
    with transaction():
        token = db.session.get(ApiToken, token_id)
        if token is None or not (token.user_id == actor.id or actor.is_admin):
            raise NotFound()
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            audit.record(actor, "api_token.revoked", token, after={"name": token.name})
    return token


def revoke_all_tokens(user: User) -> int:
    """A new password revokes every API token: one made with a stolen password stops."""
    return affected(
        db.session.execute(
            sa.update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    )


def list_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc())
        )
    )


def user_for_token(plain: str, now: datetime | None = None) -> User | None:
    """The active user owning an active token, recording when it was last used."""
    if not plain:
        return None
    now = now or utcnow()
    token = db.session.scalar(
        sa.select(ApiToken)
        .where(
            ApiToken.token_hash == hash_token(plain),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
        )
        # the user with the token, in the same query; their organisations only if asked
        .options(joinedload(ApiToken.user).lazyload(User.memberships))
    )
    if token is None or not token.user.active:
        return None
    # Write at most once a minute per token, so reads do not all become writes.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        with transaction():
            token.last_used_at = now
    return token.user
