"""Who may do what in the evaluation: pure predicates."""

from app.reviews.models import Assignment, AssignmentStatus


def can_manage(user) -> bool:
    """Officials run the evaluation: criteria, admissibility, assignment, consensus, ranking."""
    return bool(getattr(user, "is_authenticated", False)) and user.is_official


def is_assigned(user, assignment: Assignment) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False))
        and user.is_evaluator
        and assignment.evaluator_id == user.id
        and assignment.is_active
    )


def can_read_content(user, assignment: Assignment) -> bool:
    """An evaluator reads a proposal only after declaring no conflict of interest."""
    return is_assigned(user, assignment) and assignment.status is AssignmentStatus.accepted
