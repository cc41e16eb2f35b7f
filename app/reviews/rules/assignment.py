"""Step 4: assigning evaluators, automatically (never an affiliated one) or by hand, and
removing one."""

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.auth.models import User
from app.calls.models import Call
from app.core.db import db, transaction
from app.core.email import enqueue
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.permissions import require
from app.core.time import utcnow
from app.proposals import access as proposal_access
from app.reviews import permissions
from app.reviews.assignment import eligible, plan
from app.reviews.facts import (
    admissible_proposals,
    assignments_of,
    evaluator_infos,
    evaluators,
    kept_and_excluded,
    proposal_info,
    proposal_infos,
    settings_of,
)
from app.reviews.models import Assignment, AssignmentStatus, ReviewStatus


@dataclass
class AssignmentResult:
    created: list[Assignment]
    short: dict[int, int]  # proposal id -> evaluators still missing


def auto_assign(actor: User | None, call_id: int) -> AssignmentResult:
    """Fill every admissible proposal up to N evaluators; keeps what is already there."""
    if actor is not None:
        require(permissions.can_manage(actor))
    with transaction():
        call = db.session.get(Call, call_id)
        if call is None:
            raise NotFound()
        settings = settings_of(call)
        candidates = admissible_proposals(call_id)
        existing = assignments_of(call_id)
        kept, conflicts = kept_and_excluded(existing)
        result = plan(
            proposal_infos(call, candidates),
            evaluator_infos(evaluators()),
            per_proposal=settings.reviews_per_proposal,
            kept=kept,
            conflicts=conflicts,
        )
        created = []
        by_key = {(a.proposal_id, a.evaluator_id): a for a in existing}
        for proposal_id, evaluator_id in result.new:
            assignment = by_key.get((proposal_id, evaluator_id))
            if assignment is None:
                assignment = Assignment(proposal_id=proposal_id, evaluator_id=evaluator_id)
                db.session.add(assignment)
            assignment.status = AssignmentStatus.awaiting_declaration
            assignment.automatic = True
            assignment.assigned_by_id = getattr(actor, "id", None)
            assignment.assigned_at = utcnow()
            created.append(assignment)
        db.session.flush()
        audit.record(
            actor,
            "call.evaluators_assigned",
            call,
            after={
                "new": [[p, e] for p, e in result.new],
                "short": {str(k): v for k, v in result.short.items()},
            },
        )
        _notify_assigned(created)
    return AssignmentResult(created=created, short=result.short)


def assign(actor: User, proposal_id: int, evaluator_id: int) -> Assignment:
    """Assign one evaluator by hand; refused when affiliated or after a declared conflict."""
    require(permissions.can_manage(actor))
    with transaction():
        proposal = proposal_access.get_proposal(actor, proposal_id)
        if not admissible_proposals(proposal.call_id, versions=False, proposal_id=proposal.id):
            raise DomainError(_("Only admissible proposals are evaluated."))
        evaluator = db.session.get(User, evaluator_id)
        if evaluator is None or not evaluator.is_evaluator:
            raise ValidationFailed({"evaluator_id": _("Choose an evaluator.")})
        [info] = evaluator_infos([evaluator])
        existing = db.session.scalar(
            sa.select(Assignment).where(
                Assignment.proposal_id == proposal.id, Assignment.evaluator_id == evaluator.id
            )
        )
        conflicts = (
            {(proposal.id, evaluator.id)}
            if existing is not None and existing.status is AssignmentStatus.conflict
            else set()
        )
        if not eligible(proposal_info(proposal), info, conflicts):
            raise ValidationFailed(
                {
                    "evaluator_id": _(
                        "%(name)s is affiliated with the applicant or a partner, or declared a "
                        "conflict of interest for this proposal.",
                        name=evaluator.name,
                    )
                }
            )
        if existing is not None and existing.is_active:
            raise DomainError(
                _("%(name)s is already assigned to this proposal.", name=evaluator.name)
            )
        if existing is None:
            existing = Assignment(proposal_id=proposal.id, evaluator_id=evaluator.id)
            db.session.add(existing)
        existing.status = AssignmentStatus.awaiting_declaration
        existing.automatic = False
        existing.assigned_by_id = actor.id
        existing.assigned_at = utcnow()
        db.session.flush()
        audit.record(
            actor,
            "assignment.created",
            existing,
            after={"proposal": proposal.reference, "evaluator": evaluator.email},
        )
        _notify_assigned([existing])
    return existing


def remove_assignment(actor: User, assignment_id: int, reason: str) -> Assignment:
    require(permissions.can_manage(actor))
    if not reason.strip():
        raise ValidationFailed({"reason": _("Give the reason for removing the evaluator.")})
    with transaction():
        assignment = db.session.get(Assignment, assignment_id)
        if assignment is None:
            raise NotFound()
        if assignment.review is not None and assignment.review.status is ReviewStatus.submitted:
            raise DomainError(_("This evaluator has submitted a review; reopen it instead."))
        before = assignment.status.value
        assignment.status = AssignmentStatus.removed
        audit.record(
            actor,
            "assignment.removed",
            assignment,
            before={"status": before},
            after={"status": "removed"},
            reason=reason.strip(),
        )
    return assignment


def _notify_assigned(assignments: Iterable[Assignment]) -> None:
    for assignment in assignments:
        evaluator = db.session.get_one(User, assignment.evaluator_id)
        enqueue(
            "evaluation_assigned",
            to=evaluator.email,
            language=evaluator.language,
            dedupe_key=f"assigned:{assignment.id}:{assignment.assigned_at.isoformat()}",
            subject=_l("A proposal to evaluate"),
            template="reviews/email/assigned.txt",
            evaluator=evaluator,
            assignment=assignment,
        )
