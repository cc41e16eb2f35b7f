"""Domain errors: each carries a message for the user, in the user's language."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext


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
    """Too many attempts: ``retry_after`` says in how many seconds the next one is counted."""

    default_message = _l("Too many attempts. Please wait a few minutes and try again.")

    def __init__(self, message: str | None = None, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def user_message(self) -> str:
        if self.message or self.retry_after is None:
            return super().user_message()
        if self.retry_after <= 90:
            return ngettext("Too many attempts. Try again in %(num)d second.",
                            "Too many attempts. Try again in %(num)d seconds.", self.retry_after)
        minutes = -(-self.retry_after // 60)
        return ngettext("Too many attempts. Try again in %(num)d minute.",
                        "Too many attempts. Try again in %(num)d minutes.", minutes)


def raise_if_unseen(exc: DomainError) -> None:
    """Let NotFound and PermissionDenied reach their error pages; a view shows other domain
    errors as a message."""
    if isinstance(exc, NotFound | PermissionDenied):
        raise exc
