"""Signed links by email (confirming an address, resetting a password): made, read and sent."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.audit import services as audit
from app.auth.models import User
from app.core.db import db, transaction
from app.core.email import enqueue, external_url
from app.core.errors import DomainError
from app.core.time import utcnow


class LinkInvalid(DomainError):
    default_message = _l("This link is not valid. Request a new one.")


class LinkExpired(DomainError):
    default_message = _l("This link has expired. Request a new one.")


# What a link is for: each purpose signs with its own salt, so a link of one purpose is
# never read as another (and never with another's lifetime).
VERIFY, RESET, WELCOME = "verify", "reset", "welcome"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portal.{purpose}")


def make_link_token(user: User, purpose: str) -> str:
    # The hash fragment makes a reset link single-use: once the password changes it is void.
    return _serializer(purpose).dumps(
        {"id": user.id, "h": user.password_hash[-12:], "e": user.email.lower()}
    )


def read_link_token(token: str, purpose: str, max_age: int) -> User:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkExpired() from exc
    except BadSignature as exc:
        raise LinkInvalid() from exc
    user = db.session.get(User, data.get("id"))
    if (
        user is None
        or user.password_hash[-12:] != data.get("h")
        or user.email.lower() != data.get("e")
    ):
        raise LinkInvalid()
    return user


def link_url(endpoint: str, token: str) -> str:
    return external_url(endpoint, token=token)


def send_verification_email(user: User) -> None:
    with transaction():
        enqueue(
            "verify_email",
            to=user.email,
            language=user.language,
            subject=_l("Confirm your email address"),
            template="auth/email/verify.txt",
            user=user,
            link=link_url("auth.verify_email", make_link_token(user, VERIFY)),
        )


def verify_email(token: str) -> User:
    with transaction():
        user = read_link_token(token, VERIFY, current_app.config["EMAIL_TOKEN_MAX_AGE"])
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()
            audit.record(user, "user.email_verified", user, after={"email": user.email})
    return user
