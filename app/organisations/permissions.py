"""Who may see and change an organisation: pure predicates."""

from app.organisations.models import Membership, Organisation


def can_view(user, organisation: Organisation) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_official or user.is_admin or organisation.id in user.organisation_ids


def can_edit(user, organisation: Organisation) -> bool:
    return can_view(user, organisation) and (
        user.is_official or user.is_admin or organisation.id in user.organisation_ids)


def can_decide_membership(user, membership: Membership) -> bool:
    """Active members of the organisation, and officials, approve requests to join."""
    if user.id == membership.user_id:
        return False
    return user.is_official or user.is_admin or membership.organisation_id in user.organisation_ids
