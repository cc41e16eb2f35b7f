"""Password policy: at least 12 characters, not a common password, not the email."""

from functools import cache

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash


@cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords from leaked password sets.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """The reason a password is refused, translated, or ``None`` when it is acceptable."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return _("Use at least %(n)s characters.", n=minimum)
    lowered = password.lower()
    if lowered in _common_passwords() or lowered.rstrip("0123456789!") in _common_passwords():
        return _("This password is too common. Choose one that is harder to guess.")
    if len(set(password)) < 4:
        return _("This password is too easy to guess.")
    local_part = email.split("@")[0].lower()
    if (local_part and len(local_part) >= 4 and local_part in lowered) or (
        len(name.strip()) >= 4 and name.lower().replace(" ", "") in lowered.replace(" ", "")
    ):
        return _("Do not use your name or email address in your password.")
    return None


def hash_password(password: str) -> str:
    """Hash with ``PASSWORD_HASH_METHOD``: scrypt in production, a cheap one in the tests."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)
