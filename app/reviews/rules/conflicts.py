"""Step 3: evaluators, their expertise and affiliations, and the declaration of a conflict of
interest before reading a proposal."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.auth.models import User, UserRole
from app.calls.models import Technology
from app.core.db import db, transaction
from app.core.email import enqueue
from app.core.errors import DomainError, ValidationFailed
from app.core.permissions import Role, require
from app.core.time import utcnow
from app.organisations.enterprise_number import InvalidEnterpriseNumber, normalise
from app.reviews.facts import affiliations_of, get_assignment, replacement_for
from app.reviews.models import Affiliation, Assignment, AssignmentStatus, EvaluatorProfile

# ---------------------------------------------------------------------------- evaluators


@dataclass(frozen=True)
class AffiliationInput:
    organisation_name: str
    enterprise_number: str
    relation: str = ""


def update_profile(
    actor: User, expertise: Iterable[str], affiliations: Sequence[AffiliationInput]
) -> EvaluatorProfile:
    """An evaluator records their expertise and every organisation they work for or with."""
    require(actor.is_evaluator)
    codes: list[str] = [code for code in (t.value for t in Technology) if code in set(expertise)]
    errors: dict[str, str] = {}
    numbers = []
    for index, item in enumerate(affiliations):
        try:
            numbers.append(normalise(item.enterprise_number))
        except InvalidEnterpriseNumber:
            errors[f"affiliations-{index}-enterprise_number"] = _(
                "Enter a valid enterprise number, like 0123.456.749."
            )
        if not item.organisation_name.strip():
            errors[f"affiliations-{index}-organisation_name"] = _("Name the organisation.")
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        profile = db.session.get(EvaluatorProfile, actor.id)
        if profile is None:
            profile = EvaluatorProfile(user_id=actor.id)
            db.session.add(profile)
        before = {
            "expertise": list(profile.expertise or []),
            "affiliations": [a.enterprise_number for a in affiliations_of(actor.id)],
        }
        profile.expertise = codes
        profile.updated_at = utcnow()
        db.session.execute(sa.delete(Affiliation).where(Affiliation.user_id == actor.id))
        seen = set()
        for item, number in zip(affiliations, numbers, strict=True):
            if number in seen:
                continue
            seen.add(number)
            db.session.add(
                Affiliation(
                    user_id=actor.id,
                    enterprise_number=number,
                    organisation_name=item.organisation_name.strip(),
                    relation=item.relation.strip(),
                )
            )
        db.session.flush()
        audit.record(
            actor,
            "evaluator.profile_updated",
            actor,
            before=before,
            after={"expertise": codes, "affiliations": sorted(seen)},
        )
    return profile


# ---------------------------------------------------------------------------- conflicts


def declare(actor: User, assignment_id: int, has_conflict: bool, reason: str = "") -> Assignment:
    """Declare, before reading, that there is no conflict of interest, or that there is one."""
    if has_conflict and not reason.strip():
        raise ValidationFailed({"reason": _("Describe the conflict of interest.")})
    with transaction():
        assignment = get_assignment(actor, assignment_id)
        if assignment.status is not AssignmentStatus.awaiting_declaration:
            raise DomainError(_("You have already made this declaration."))
        assignment.declared_at = utcnow()
        if has_conflict:
            assignment.status = AssignmentStatus.conflict
            assignment.conflict_reason = reason.strip()
        else:
            assignment.status = AssignmentStatus.accepted
        db.session.flush()
        audit.record(
            actor,
            "assignment.conflict_declared" if has_conflict else "assignment.no_conflict_declared",
            assignment,
            after={"proposal_id": assignment.proposal_id, "status": assignment.status.value},
            reason=assignment.conflict_reason or None,
        )
        if has_conflict:
            proposal = assignment.proposal
            suggestion = replacement_for(proposal.id)
            for official in _officials():
                enqueue(
                    "conflict_declared",
                    to=official.email,
                    language=official.language,
                    dedupe_key=f"conflict:{assignment.id}:{official.id}",
                    subject=_l(
                        "Conflict of interest declared on %(reference)s",
                        reference=proposal.reference,
                    ),
                    template="reviews/email/conflict.txt",
                    official=official,
                    assignment=assignment,
                    proposal=proposal,
                    suggestion=suggestion,
                )
    return assignment


def _officials() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.official, User.active.is_(True))
            .order_by(User.id)
        )
    )
