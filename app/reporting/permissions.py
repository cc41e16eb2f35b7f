"""Who may see the statistics and verify technologies: pure predicates."""


def can_view_statistics(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_official


def can_verify(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_official
