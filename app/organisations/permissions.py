"""Who may see and change an organisation: pure predicates."""

from app.organisations.models import Membership, Organisation


def can_view(user, organisation: Organisation) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_official or user.is_admin or organisation.id in user.organisation_ids


def can_edit(user, organisation: Organisation) -> bool:
    return can_view(user, organisation) and (
        user.is_official or user.is_admin or organisation.id in user.organisation_ids
    )


def is_member_admin(user, organisation_id: int) -> bool:
    """An active member administrator of the organisation."""
    return any(
        m.organisation_id == organisation_id and m.is_active and m.is_admin
        for m in getattr(user, "memberships", ())
    )


def can_decide_membership(user, membership: Membership) -> bool:
    """Member administrators of the organisation, and officials, approve requests to join;
    plain members do not, and nobody decides their own request."""
    if user.id == membership.user_id:
        return False
    return user.is_official or user.is_admin or is_member_admin(user, membership.organisation_id)


def can_add_evidence(user, organisation: Organisation) -> bool:
    """Members supply the evidence for their own organisation; officials judge it."""
    return organisation.id in getattr(user, "organisation_ids", ())


def can_confirm(user) -> bool:
    """Officials (and administrators) confirm or refuse self-registered organisations."""
    return getattr(user, "is_authenticated", False) and (user.is_official or user.is_admin)
