"""Step 2: the evaluation starts after every deadline, and an official decides each
submitted proposal's admissibility on the version that counts."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.auth.models import User
from app.calls import deadlines
from app.calls.models import Call, CallPhase
from app.core.db import db, transaction
from app.core.email import enqueue
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.permissions import require
from app.core.time import before_deadline, format_brussels, utcnow
from app.organisations.services import active_members
from app.proposals import access as proposal_access
from app.proposals import services as proposals
from app.proposals.models import Proposal
from app.reviews import permissions
from app.reviews.facts import evaluated_version, last_deadline, missing_in_version
from app.reviews.models import Admissibility, AdmissibilityCheck

# ---------------------------------------------------------------------------- admissibility


def admissibility_checks(proposal: Proposal) -> dict[str, bool]:
    """The facts an official weighs: on time, complete, provider type, budget."""
    version = proposals.counting_version(proposal)
    call = proposal.call
    requested = Decimal(version.data.get("requested_eur") or "0") if version else None
    return {
        "on_time": version is not None,
        "complete": version is not None and not missing_in_version(version.data),
        "provider_type": call.allows_provider_type(proposal.organisation.provider_type),
        "budget": requested is not None and Decimal("0") < requested <= call.max_request_eur,
    }


def decide_admissibility(
    actor: User, proposal_id: int, result: Admissibility, reason: str = ""
) -> AdmissibilityCheck:
    require(permissions.can_manage(actor))
    if result is Admissibility.inadmissible and not reason.strip():
        raise ValidationFailed(
            {
                "reason": _(
                    "Give the reason why the proposal is inadmissible; the applicant will read it."
                )
            }
        )
    with transaction():
        proposal = proposal_access.get_proposal(actor, proposal_id, for_update=True)
        if before_deadline(utcnow(), proposal_access.deadline_of(proposal)):
            raise DomainError(_("Admissibility is checked after the deadline."))
        version = evaluated_version(proposal)
        check = db.session.scalar(
            sa.select(AdmissibilityCheck).where(AdmissibilityCheck.proposal_id == proposal.id)
        )
        before = {} if check is None else {"result": check.result.value, "reason": check.reason}
        if check is None:
            check = AdmissibilityCheck(proposal_id=proposal.id)
            db.session.add(check)
        check.version_id = version.id
        check.result = result
        check.reason = reason.strip()
        check.checks = admissibility_checks(proposal)
        check.checked_by_id = actor.id
        check.checked_at = utcnow()
        db.session.flush()
        audit.record(
            actor,
            f"proposal.{result.value}",
            proposal,
            before=before,
            after={"result": result.value, "version": version.number, "checks": check.checks},
            reason=check.reason or None,
        )
        if result is Admissibility.inadmissible:
            for member in active_members(proposal.organisation_id):
                enqueue(
                    "proposal_inadmissible",
                    to=member.email,
                    language=member.language,
                    dedupe_key=f"inadmissible:{proposal.id}:{member.id}:{check.checked_at}",
                    subject=_l(
                        "Your proposal %(reference)s is inadmissible", reference=proposal.reference
                    ),
                    template="reviews/email/inadmissible.txt",
                    member=member,
                    proposal=proposal,
                    reason=check.reason,
                )
    return check


def admissibility_of(proposal_id: int) -> AdmissibilityCheck | None:
    return db.session.scalar(
        sa.select(AdmissibilityCheck).where(AdmissibilityCheck.proposal_id == proposal_id)
    )


def start_evaluation(actor: User, call_id: int, now: datetime | None = None) -> Call:
    """Move a closed call into the evaluation phase (after every deadline, audited)."""
    require(permissions.can_manage(actor))
    moment = now or utcnow()
    with transaction():
        call = db.session.get(Call, call_id, with_for_update=True)
        if call is None:
            raise NotFound()
        if call.phase is not CallPhase.published:
            raise DomainError(
                _(
                    "Only a published call that has closed can start its "
                    "evaluation; this one is in phase “%(phase)s”.",
                    phase=call.status_at(moment).label,
                )
            )
        if not deadlines.all_passed(call, moment):
            raise DomainError(
                _(
                    "The evaluation starts after the deadline (%(deadline)s, "
                    "Brussels time, individual extensions included).",
                    deadline=format_brussels(last_deadline(call)),
                )
            )
        call.phase = CallPhase.evaluation
        audit.record(
            actor,
            "call.evaluation_started",
            call,
            before={"phase": "published"},
            after={"phase": "evaluation"},
        )
    return call
