"""Domain errors: each carries a message for the user, in the user's language."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A business rule said no. ``user_message()`` explains why, translated."""

    default_message = _l("This action is not possible.")

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def user_message(self) -> str:
        return str(self.message or self.default_message)


class PermissionDenied(DomainError):
    default_message = _l("You are not allowed to do this.")


class NotFound(DomainError):
    default_message = _l("This page does not exist or is not yours to see.")


class ValidationFailed(DomainError):
    """Several input problems at once: ``errors`` maps field names to messages."""

    default_message = _l("Please correct the errors below.")

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(None)
        self.errors = errors

    def user_message(self) -> str:
        return "; ".join(self.errors.values()) or _("Please correct the errors below.")


class Throttled(DomainError):
    default_message = _l("Too many attempts. Please wait a few minutes and try again.")


def raise_if_unseen(exc: DomainError) -> None:
    """Let NotFound and PermissionDenied reach their error pages; a view shows other domain
    errors as a message."""
    if isinstance(exc, NotFound | PermissionDenied):
        raise exc
