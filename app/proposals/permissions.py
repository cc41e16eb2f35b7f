"""Who may see and change a proposal: pure predicates.

An organisation's members see and edit its proposals; officials see all of them;
nobody else (administrators included: they run the system, not the call) may learn that a
proposal exists (views answer 404).
"""

from app.proposals.models import Proposal


def is_member(user, proposal: Proposal) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False))
        and proposal.organisation_id in user.organisation_ids
    )


def can_view(user, proposal: Proposal) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return is_member(user, proposal) or user.is_official


def can_edit(user, proposal: Proposal) -> bool:
    return is_member(user, proposal) and user.is_applicant
