"""Step 6: consensus. Only with the reviews the call asks for (or an official's written
reason to go ahead with fewer), one consensus score and justification per criterion."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.audit import services as audit
from app.auth.models import User
from app.calls.models import Call
from app.core.db import db, transaction
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.permissions import require
from app.core.time import utcnow
from app.proposals import access as proposal_access
from app.proposals.models import Proposal
from app.reviews import permissions
from app.reviews.assignment import eligible
from app.reviews.facts import (
    admissible_proposals,
    evaluator_infos,
    evaluators,
    kept_and_excluded,
    proposal_infos,
    settings_of,
)
from app.reviews.models import (
    Assignment,
    ConsensusScore,
    Criterion,
    ReviewQuorumOverride,
    ReviewStatus,
)
from app.reviews.rules.scoring import parse_score, plain

# ---------------------------------------------------------------------------- consensus


@dataclass(frozen=True)
class ConsensusInput:
    """The criteria something was typed for: criterion id -> (score as typed, justification,
    minority view), as ``record_consensus_set`` takes them."""

    items: Mapping[int, tuple[object, str, str]]


def record_consensus(
    actor: User,
    proposal_id: int,
    criterion_id: int,
    score: object,
    justification: str,
    minority_view: str = "",
) -> ConsensusScore:
    """Record (or correct) the consensus on one criterion; errors keyed ``score`` and
    ``justification``."""
    require(permissions.can_manage(actor))
    with transaction():
        proposal = proposal_access.get_proposal(actor, proposal_id)
        criterion = _criterion_of(proposal, criterion_id)
        require_review_quorum(proposal)
        return _record(actor, proposal, criterion, score, justification, minority_view)


def record_consensus_set(
    actor: User, proposal_id: int, items: Mapping[int, tuple[object, str, str]]
) -> list[ConsensusScore]:
    """Record the consensus on several criteria at once: all of them or none.

    ``items`` maps criterion id to (score, justification, minority view); errors come back
    keyed ``score-<criterion id>``, ``justification-<criterion id>``. The proposal is read
    and its review quorum checked once for the whole set."""
    require(permissions.can_manage(actor))
    if not items:
        raise ValidationFailed({"consensus": _("Record the consensus on at least one criterion.")})
    errors: dict[str, str] = {}
    recorded = []
    with transaction():
        proposal = proposal_access.get_proposal(actor, proposal_id)
        criteria = {criterion_id: _criterion_of(proposal, criterion_id) for criterion_id in items}
        require_review_quorum(proposal)
        for criterion_id, (score, justification, minority_view) in items.items():
            try:
                recorded.append(
                    _record(
                        actor,
                        proposal,
                        criteria[criterion_id],
                        score,
                        justification,
                        minority_view,
                    )
                )
            except ValidationFailed as exc:
                errors.update(
                    {f"{key}-{criterion_id}": message for key, message in exc.errors.items()}
                )
        if errors:
            raise ValidationFailed(errors)
    return recorded


def _criterion_of(proposal: Proposal, criterion_id: int) -> Criterion:
    """The criterion of the proposal's call, or NotFound."""
    criterion = db.session.get(Criterion, criterion_id)
    if criterion is None or criterion.call_id != proposal.call_id:
        raise NotFound()
    return criterion


def _record(
    actor: User,
    proposal: Proposal,
    criterion: Criterion,
    score: object,
    justification: str,
    minority_view: str,
) -> ConsensusScore:
    """Check and write one consensus score, inside the caller's transaction (the proposal
    read, its quorum checked)."""
    errors: dict[str, str] = {}
    try:
        value = parse_score(score, criterion)
    except ValueError:
        value = None
    if value is None:
        errors["score"] = _(
            "Give a score from 0 to %(max)s in steps of %(step)s.",
            max=plain(criterion.scale_max),
            step=plain(criterion.step),
        )
    if not justification.strip():
        errors["justification"] = _("Write the consensus justification.")
    if errors or value is None:
        raise ValidationFailed(errors)
    consensus = db.session.scalar(
        sa.select(ConsensusScore).where(
            ConsensusScore.proposal_id == proposal.id,
            ConsensusScore.criterion_id == criterion.id,
        )
    )
    before = {} if consensus is None else {"score": str(consensus.score)}
    if consensus is None:
        consensus = ConsensusScore(proposal_id=proposal.id, criterion_id=criterion.id)
        db.session.add(consensus)
    consensus.score = value
    consensus.justification = justification.strip()
    consensus.minority_view = minority_view.strip()
    consensus.recorded_by_id = actor.id
    consensus.recorded_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "proposal.consensus_recorded",
        proposal,
        before=before,
        after={"criterion": criterion.name_en, "score": str(value)},
    )
    return consensus


# ---------------------------------------------------------------------------- review quorum


@dataclass(frozen=True)
class ReviewQuorum:
    """How many submitted reviews a proposal has and needs before its consensus.

    ``required`` is the call's number of reviews per proposal, or, when fewer evaluators
    could be assigned (not affiliated, no conflict declared, not removed), all of those,
    and never less than one. An official's override with a written reason lets the
    consensus go ahead with fewer."""

    submitted: int
    required: int
    override: ReviewQuorumOverride | None = None

    @property
    def met(self) -> bool:
        return self.submitted >= self.required

    @property
    def satisfied(self) -> bool:
        return self.met or self.override is not None

    @property
    def override_reason(self) -> str | None:
        return self.override.reason if self.override is not None and not self.met else None


def review_quorums(call_id: int, proposal_id: int | None = None) -> dict[int, ReviewQuorum]:
    """Per admissible proposal of the call (or only ``proposal_id``): reviews submitted and
    required, and the override. A fixed number of queries whatever the number of proposals."""
    call = db.session.get(Call, call_id)
    if call is None:
        raise NotFound()
    per_proposal = settings_of(call).reviews_per_proposal
    candidates = admissible_proposals(call_id, proposal_id=proposal_id)
    if not candidates:
        return {}
    ids = [p.id for p in candidates]
    assignments = db.session.scalars(
        sa.select(Assignment)
        .where(Assignment.proposal_id.in_(ids))
        .options(selectinload(Assignment.review))
    ).all()
    submitted: dict[int, int] = defaultdict(int)
    for assignment in assignments:
        if (
            assignment.is_active
            and assignment.review is not None
            and assignment.review.status is ReviewStatus.submitted
        ):
            submitted[assignment.proposal_id] += 1
    _kept, excluded = kept_and_excluded(assignments)
    people = evaluator_infos(evaluators())
    overrides = {
        o.proposal_id: o
        for o in db.session.scalars(
            sa.select(ReviewQuorumOverride).where(ReviewQuorumOverride.proposal_id.in_(ids))
        )
    }
    result = {}
    for info in proposal_infos(call, candidates):
        possible = sum(1 for person in people if eligible(info, person, excluded))
        result[info.id] = ReviewQuorum(
            submitted[info.id], max(1, min(per_proposal, possible)), overrides.get(info.id)
        )
    return result


def review_quorum(proposal: Proposal) -> ReviewQuorum:
    """The quorum of one proposal; NotFound unless it is admissible."""
    quorum = review_quorums(proposal.call_id, proposal.id).get(proposal.id)
    if quorum is None:
        raise NotFound()
    return quorum


def require_review_quorum(proposal: Proposal) -> ReviewQuorum:
    """Refuse, in the user's language, a consensus without the reviews or an override."""
    quorum = review_quorum(proposal)
    if not quorum.satisfied:
        raise DomainError(
            _(
                "%(reference)s has %(submitted)d of the %(required)d submitted reviews it needs. "
                "Wait for the reviews, or record why the consensus goes ahead with fewer.",
                reference=proposal.reference,
                submitted=quorum.submitted,
                required=quorum.required,
            )
        )
    return quorum


def override_review_quorum(actor: User, proposal_id: int, reason: str) -> ReviewQuorumOverride:
    """Let the consensus on one proposal go ahead with fewer reviews, with a written reason
    (audited; the reason appears in the decision record and the summary report)."""
    require(permissions.can_manage(actor))
    if not reason.strip():
        raise ValidationFailed(
            {
                "reason": _(
                    "Write why the consensus goes ahead with fewer reviews; the applicant reads it."
                )
            }
        )
    with transaction():
        proposal = proposal_access.get_proposal(actor, proposal_id)
        quorum = review_quorum(proposal)
        if quorum.met:
            raise DomainError(
                _(
                    "%(reference)s has the reviews it needs: no override is needed.",
                    reference=proposal.reference,
                )
            )
        existing = quorum.override
        before = {} if existing is None else {"reason": existing.reason}
        if existing is None:
            existing = ReviewQuorumOverride(proposal_id=proposal.id)
            db.session.add(existing)
        existing.reason = reason.strip()
        existing.reviews_submitted = quorum.submitted
        existing.reviews_required = quorum.required
        existing.decided_by_id = actor.id
        existing.decided_at = utcnow()
        db.session.flush()
        audit.record(
            actor,
            "proposal.review_quorum_overridden",
            proposal,
            before=before,
            after={"reviews_submitted": quorum.submitted, "reviews_required": quorum.required},
            reason=existing.reason,
        )
    return existing
