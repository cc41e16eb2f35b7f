"""Who may see and run calls: pure predicates."""

from app.calls.models import Call


def can_manage(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_official


def can_view(user, call: Call) -> bool:
    """Published calls are public; drafts only for officials."""
    return call.is_published or can_manage(user)
