"""Passwords: a reset by a signed link for a forgotten one, a change for a known one; both
end the account's sessions and tokens."""

from types import SimpleNamespace
from typing import cast

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.auth.links import (
    RESET,
    WELCOME,
    LinkInvalid,
    link_url,
    make_link_token,
    read_link_token,
)
from app.auth.login import dummy_hash
from app.auth.models import User
from app.auth.passwords import check_password, hash_password, password_problem
from app.auth.services import get_user_by_email, printable
from app.auth.sessions import end_user_sessions
from app.auth.tokens import revoke_all_tokens
from app.core import throttle
from app.core.db import transaction
from app.core.email import enqueue
from app.core.errors import ValidationFailed
from app.core.time import utcnow


def request_password_reset(email: str, *, address: str | None = None) -> None:
    """Send a reset link when the account exists; say nothing either way (no enumeration).

    Without an account the same link and email are still made and rendered (then dropped),
    so the time the answer takes does not tell whether the address has an account.
    From the web (``address`` given) requests are throttled like logins, per address and per
    address-and-email, whether or not the account exists; ``Throttled`` says how long to wait."""
    if address is not None:
        config = current_app.config
        key = printable((email or "").strip().lower(), 254)
        address = printable(address, 64) or "unknown"
        window, delay = config["LOGIN_THROTTLE_WINDOW"], config["LOGIN_THROTTLE_DELAY"]
        throttle.reserve(
            [
                throttle.Rule(
                    f"reset:addr:{address}", config["RESET_THROTTLE_MAX_PER_ADDRESS"], window, delay
                ),
                throttle.Rule(
                    f"reset:acct:{key}|{address}",
                    config["RESET_THROTTLE_MAX_PER_ACCOUNT"],
                    window,
                    delay,
                ),
            ]
        )
    with transaction():
        user = get_user_by_email(email)
        if user is None or not user.active:
            stand_in = SimpleNamespace(
                id=0,
                name="",
                email=(email or "").strip().lower(),
                password_hash=dummy_hash(),
                language="nl",
            )
            with force_locale("nl"):
                render_template(
                    "auth/email/reset.txt",
                    user=stand_in,
                    link=link_url(
                        "auth.reset_password", make_link_token(cast(User, stand_in), RESET)
                    ),
                    minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60,
                )
            return
        enqueue(
            "password_reset",
            to=user.email,
            language=user.language,
            subject=_l("Reset your password"),
            template="auth/email/reset.txt",
            user=user,
            link=link_url("auth.reset_password", make_link_token(user, RESET)),
            minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60,
        )
        audit.record(None, "user.password_reset_requested", user)


def check_reset_token(token: str) -> User:
    """The owner of a link to choose a password: a reset link (``RESET_TOKEN_MAX_AGE``) or
    the welcome link of an account an administrator made (``WELCOME_TOKEN_MAX_AGE``). Each
    kind is signed for its own purpose, so a reset link never lives as long as a welcome one."""
    config = current_app.config
    try:
        return read_link_token(token, RESET, config["RESET_TOKEN_MAX_AGE"])
    except LinkInvalid:
        return read_link_token(token, WELCOME, config["WELCOME_TOKEN_MAX_AGE"])


def reset_password(token: str, new_password: str) -> User:
    with transaction():
        user = check_reset_token(token)
        if problem := password_problem(new_password, email=user.email, name=user.name):
            raise ValidationFailed({"password": problem})
        user.password_hash = hash_password(new_password)
        end_user_sessions(user)
        revoke_all_tokens(user)
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()  # the link proved the address
        throttle.clear_prefix(f"login:acct:{user.email.lower()}|")
        audit.record(user, "user.password_reset", user)
    return user


def change_password(
    actor: User, current: str, new_password: str, *, keep_session: str | None = None
) -> User:
    """Change the password; every other session of the account ends (``keep_session`` is the
    key of the browser that made the change)."""
    with transaction():
        if not check_password(actor.password_hash, current):
            raise ValidationFailed({"current_password": _("Your current password is not correct.")})
        if problem := password_problem(new_password, email=actor.email, name=actor.name):
            raise ValidationFailed({"new_password": problem})
        actor.password_hash = hash_password(new_password)
        end_user_sessions(actor, keep=keep_session)
        revoke_all_tokens(actor)
        audit.record(actor, "user.password_changed", actor)
    return actor
