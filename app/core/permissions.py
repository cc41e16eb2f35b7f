"""The one permission helper every view and service uses."""

from collections.abc import Callable
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from app.core.errors import PermissionDenied


class Role(StrEnum):
    applicant = "applicant"
    evaluator = "evaluator"
    official = "official"
    admin = "admin"

    @property
    def label(self) -> str:
        from flask_babel import lazy_gettext as _l

        return {
            "applicant": _l("Applicant"),
            "evaluator": _l("Evaluator"),
            "official": _l("Official"),
            "admin": _l("Administrator"),
        }[self.value]


class Actor(Protocol):
    id: int
    is_authenticated: bool

    def has_role(self, *roles: Role | str) -> bool: ...


def has_role(user: object, *roles: Role | str) -> bool:
    """True when ``user`` is logged in and holds one of ``roles``; safe for anonymous users."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*roles)  # type: ignore[attr-defined]


def require(allowed: bool, message: str | None = None) -> None:
    """Raise ``PermissionDenied`` (a 403 page or JSON error) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(message)


F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: Role | str) -> Callable[[F], F]:
    """View decorator: log in first, then hold one of ``roles`` (else 403)."""
    from functools import wraps

    from flask_login import current_user, login_required

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            require(has_role(current_user, *roles))
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
