"""Who may see and report on a funded project: pure predicates.

The members of a project's organisation see and report on their own projects; officials see
and report on all of them. Nobody else (evaluators, administrators, other organisations) may
learn that a project exists: views answer 404 for a project, 403 for the project list.
"""

from app.core.permissions import Role, has_role
from app.monitoring.models import FundedProject


def is_member(user, project: FundedProject) -> bool:
    return has_role(user, Role.applicant) and project.organisation_id in user.organisation_ids


def can_list(user) -> bool:
    """The project list: applicants (their own organisations' projects) and officials."""
    return has_role(user, Role.applicant, Role.official)


def can_view(user, project: FundedProject) -> bool:
    return is_member(user, project) or has_role(user, Role.official)


def can_report(user, project: FundedProject) -> bool:
    """Upload enrolment files and edit the list of trainings."""
    return can_view(user, project)


def sees_all_projects(user) -> bool:
    return has_role(user, Role.official)
