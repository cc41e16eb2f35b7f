"""Login: the attempt is counted before the password is checked, throttled per address
and per account on that address."""

import secrets
from datetime import datetime

from flask import current_app

from app.audit import services as audit
from app.auth.models import User
from app.auth.passwords import check_password, hash_password
from app.auth.services import AccountInactive, InvalidCredentials, get_user_by_email, printable
from app.core import throttle
from app.core.db import transaction
from app.core.time import utcnow

# A hash to compare against when the account does not exist, so timing reveals nothing.
_DUMMY_HASH: str | None = None


def login_rules(email: str, address: str) -> list[throttle.Rule]:
    """Failures count per client address (an address trying many accounts) and per account
    on that address (guessing one password). A correct password from another address is
    never slowed down by failures elsewhere; the owner on the same address waits, never
    more than the window."""
    config = current_app.config
    window, delay = config["LOGIN_THROTTLE_WINDOW"], config["LOGIN_THROTTLE_DELAY"]
    return [
        throttle.Rule(
            f"login:addr:{address}", config["LOGIN_THROTTLE_MAX_PER_ADDRESS"], window, delay
        ),
        throttle.Rule(
            f"login:acct:{email}|{address}", config["LOGIN_THROTTLE_MAX_PER_ACCOUNT"], window, delay
        ),
    ]


def authenticate(email: str, password: str, *, address: str, now: datetime | None = None) -> User:
    """Check credentials, throttled per address and per account-and-address.

    The attempt is counted (atomically, in the database or Redis) before the password is
    checked, so parallel tries never check more passwords than the limit allows.
    Raises ``Throttled`` (with ``retry_after``), ``InvalidCredentials`` or ``AccountInactive``.
    """
    now = now or utcnow()
    key = printable(email.strip().lower() if email else "", 254)
    address = printable(address or "unknown", 64) or "unknown"
    by_address, by_account = login_rules(key, address)
    throttle.reserve([by_address, by_account], now=now)
    user = get_user_by_email(key)
    ok = check_password(user.password_hash if user else dummy_hash(), password or "")
    if not ok or user is None:
        raise InvalidCredentials()
    with transaction():
        # A right password is no failure: give the address its attempt back and forget the
        # account's count on this address (in the order reserve() locks them).
        throttle.release(by_address, now=now)
        throttle.clear(by_account.key, now=now)
        if user.active:
            user.last_login_at = now
            audit.record(user, "user.logged_in", user)
    if not user.active:
        raise AccountInactive()
    return user


def dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_hex(16))
    return _DUMMY_HASH
