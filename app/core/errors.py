"""Errors a service raises: each carries a message for the user, in the user's language.

``NotFound`` and ``PermissionDenied`` are not ``DomainError``s: a view never catches them,
and the error handlers turn them into the 404 and 403 pages (JSON under /api). A
``DomainError`` is a rule's "no" the user can mend, which views show beside the form."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext


class PortalError(Exception):
    """Anything a service refuses. ``user_message()`` explains why, translated. Catch it
    whole only where every refusal becomes a message (the command line)."""

    default_message = _l("This action is not possible.")

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def user_message(self) -> str:
        return str(self.message or self.default_message)


class DomainError(PortalError):
    """A business rule said no."""


class PermissionDenied(PortalError):
    default_message = _l("You are not allowed to do this.")


class NotFound(PortalError):
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
            return ngettext(
                "Too many attempts. Try again in %(num)s second.",
                "Too many attempts. Try again in %(num)s seconds.",
                self.retry_after,
            )
        minutes = -(-self.retry_after // 60)
        return ngettext(
            "Too many attempts. Try again in %(num)s minute.",
            "Too many attempts. Try again in %(num)s minutes.",
            minutes,
        )
