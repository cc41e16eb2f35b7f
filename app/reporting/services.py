"""The write service of the statistics: officials verify which technologies a submitted
version really uses (each verification kept and audited), and read them back."""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit import services as audit
from app.auth.models import User
from app.core.db import db, transaction
from app.core.errors import DomainError, ValidationFailed
from app.core.permissions import require
from app.core.time import utcnow
from app.proposals import access as proposal_access
from app.proposals.models import Proposal, ProposalStatus
from app.reporting import permissions
from app.reporting.models import TechnologyVerification


def latest_verification(proposal_id: int) -> TechnologyVerification | None:
    return db.session.scalar(
        sa.select(TechnologyVerification)
        .where(TechnologyVerification.proposal_id == proposal_id)
        .order_by(TechnologyVerification.verified_at.desc(), TechnologyVerification.id.desc())
        .limit(1)
    )


def verification_history(proposal_id: int) -> list[TechnologyVerification]:
    return list(
        db.session.scalars(
            sa.select(TechnologyVerification)
            .where(TechnologyVerification.proposal_id == proposal_id)
            .order_by(TechnologyVerification.verified_at.desc(), TechnologyVerification.id.desc())
        )
    )


def get_proposal_for_verification(actor: User, proposal_id: int) -> Proposal:
    require(permissions.can_verify(actor))
    return proposal_access.get_proposal(actor, proposal_id)


def verify_technologies(
    actor: User,
    proposal_id: int,
    technologies: Sequence[str],
    *,
    version_number: int,
    note: str = "",
    received_at: datetime | None = None,
) -> TechnologyVerification:
    """Record which technologies the submitted version really uses, as an official judged.

    ``version_number`` is the version the official looked at; if the applicant submitted a
    newer one since, nothing is recorded. Each verification is kept and audited.
    """
    received_at = received_at or utcnow()
    with transaction():
        require(permissions.can_verify(actor))
        proposal = proposal_access.get_proposal(actor, proposal_id, for_update=True)
        if proposal.status is not ProposalStatus.submitted or not proposal.versions:
            raise DomainError(_("Only submitted proposals can be verified."))
        latest = proposal.versions[-1]
        if version_number != latest.number:
            raise DomainError(
                _(
                    "Version %(number)d of this proposal was submitted after you opened the page. "
                    "Nothing was saved; check the new version and verify again.",
                    number=latest.number,
                )
            )
        allowed = list(proposal.call.technologies)
        unknown = sorted(set(technologies) - set(allowed))
        if unknown:
            raise ValidationFailed({"technologies": _("Choose technologies from the call's list.")})
        codes = [code for code in allowed if code in technologies]
        declared = [code for code in allowed if code in (latest.data.get("technologies") or [])]
        previous = latest_verification(proposal.id)
        verification = TechnologyVerification(
            proposal_id=proposal.id,
            version_number=latest.number,
            technologies=codes,
            note=note.strip(),
            verified_at=received_at,
            verified_by_id=actor.id,
        )
        db.session.add(verification)
        db.session.flush()
        audit.record(
            actor,
            "proposal.technologies_verified",
            proposal,
            before={"declared": declared, "verified": previous.technologies if previous else None},
            after={
                "verified": codes,
                "version": latest.number,
                "added": [c for c in codes if c not in declared],
                "removed": [c for c in declared if c not in codes],
            },
            reason=note.strip() or None,
        )
    return verification
