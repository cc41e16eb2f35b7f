"""Step 5: independent scoring. An evaluator reads the version that counts after declaring
no conflict, saves and submits a review (then locked), and sees the others' reviews only
after submitting their own; an official may reopen a review.

Scores are exact decimals. A review's weighted total is on 0-100:
    total = 100 * sum(weight_i * score_i / scale_max_i) / sum(weight_i)
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.audit import services as audit
from app.auth.models import User
from app.core import files
from app.core.db import db, transaction
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.permissions import require
from app.core.time import utcnow
from app.proposals import storage as proposal_storage
from app.proposals.models import ProposalVersion
from app.reviews import permissions
from app.reviews.facts import criteria_of, evaluated_version, get_assignment, weighted_total
from app.reviews.models import Assignment, AssignmentStatus, Criterion, Review, ReviewStatus, Score

# ---------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class ReviewInput:
    """What an evaluator typed: per criterion id (score as typed, justification), and the
    overall comment; ``save_review`` and ``submit_typed_review`` take its parts."""

    scores: Mapping[int, tuple[object, str]]
    overall_comment: str = ""


def is_locked(review: Review | None) -> bool:
    """A submitted review is locked: its evaluator changes nothing until an official reopens
    it (and only then sees the other evaluators' reviews)."""
    return review is not None and review.status is ReviewStatus.submitted


def readable_proposal(actor: User, assignment_id: int) -> tuple[Assignment, ProposalVersion]:
    """The version an evaluator scores: only after declaring no conflict of interest."""
    assignment = get_assignment(actor, assignment_id)
    if not permissions.can_read_content(actor, assignment):
        raise NotFound()
    return assignment, evaluated_version(assignment.proposal)


def parse_score(raw: object, criterion: Criterion) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError from exc
    if not value.is_finite() or not 0 <= value <= criterion.scale_max or value % criterion.step:
        raise ValueError
    return value


def save_review(
    actor: User,
    assignment_id: int,
    scores: Mapping[int, tuple[object, str]],
    overall_comment: str = "",
) -> Review:
    """Save the evaluator's draft: ``scores`` maps criterion id to (score, justification)."""
    with transaction():
        assignment, _version = readable_proposal(actor, assignment_id)
        review = assignment.review
        if review is None:
            review = Review(assignment=assignment, status=ReviewStatus.draft)
            db.session.add(review)
        if is_locked(review):
            raise DomainError(
                _("This review is submitted and locked. Ask an official to reopen it.")
            )
        criteria = {c.id: c for c in criteria_of(assignment.proposal.call_id)}
        errors: dict[str, str] = {}
        existing = {s.criterion_id: s for s in review.scores}
        for criterion_id, (raw, justification) in scores.items():
            criterion = criteria.get(criterion_id)
            if criterion is None:
                continue
            try:
                value = parse_score(raw, criterion)
            except ValueError:
                errors[f"score-{criterion_id}"] = _(
                    "Give a score from 0 to %(max)s in steps of %(step)s.",
                    max=plain(criterion.scale_max),
                    step=plain(criterion.step),
                )
                continue
            score = existing.get(criterion_id)
            if score is None:
                score = Score(criterion_id=criterion_id)
                review.scores.append(score)
            score.score = value
            score.justification = (justification or "").strip()
        if errors:
            raise ValidationFailed(errors)
        review.overall_comment = overall_comment.strip()
        review.updated_at = utcnow()
        db.session.flush()
    return review


def plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def submit_review(actor: User, assignment_id: int) -> Review:
    """Lock the review: every criterion scored and justified."""
    with transaction():
        assignment, _version = readable_proposal(actor, assignment_id)
        review = assignment.review
        if review is None:
            raise ValidationFailed({"review": _("Score every criterion first.")})
        if review.status is ReviewStatus.submitted:
            raise DomainError(_("This review is already submitted."))
        scored = {s.criterion_id: s for s in review.scores}
        errors: dict[str, str] = {}
        for criterion in criteria_of(assignment.proposal.call_id):
            score = scored.get(criterion.id)
            if score is None or score.score is None:
                errors[f"score-{criterion.id}"] = _(
                    "Score “%(criterion)s”.", criterion=criterion.name
                )
            if score is None or not score.justification.strip():
                errors[f"justification-{criterion.id}"] = _(
                    "Justify your score for “%(criterion)s”.", criterion=criterion.name
                )
        if errors:
            raise ValidationFailed(errors)
        review.status = ReviewStatus.submitted
        review.submitted_at = utcnow()
        audit.record(
            actor,
            "review.submitted",
            review,
            after={
                "proposal_id": assignment.proposal_id,
                "total": str(weighted_total(review.scores)),
            },
        )
    return review


def reopen_review(actor: User, review_id: int, reason: str) -> Review:
    require(permissions.can_manage(actor))
    if not reason.strip():
        raise ValidationFailed({"reason": _("Give the reason for reopening the review.")})
    with transaction():
        review = db.session.get(Review, review_id)
        if review is None:
            raise NotFound()
        if review.status is not ReviewStatus.submitted:
            raise DomainError(_("Only a submitted review can be reopened."))
        review.status = ReviewStatus.draft
        review.submitted_at = None
        audit.record(
            actor,
            "review.reopened",
            review,
            before={"status": "submitted"},
            after={"status": "draft"},
            reason=reason.strip(),
        )
    return review


def other_reviews(actor: User, assignment_id: int) -> list[Review]:
    """Other evaluators' reviews: visible only once one's own is submitted (independence)."""
    assignment = get_assignment(actor, assignment_id)
    if not is_locked(assignment.review):
        raise DomainError(_("Submit your own review first: you see the others' scores after that."))
    return [
        a.review
        for a in db.session.scalars(
            sa.select(Assignment)
            .where(
                Assignment.proposal_id == assignment.proposal_id,
                Assignment.id != assignment.id,
                Assignment.status == AssignmentStatus.accepted,
            )
            .options(selectinload(Assignment.review).selectinload(Review.scores))
            .order_by(Assignment.id)
        )
        if a.review is not None and a.review.status is ReviewStatus.submitted
    ]


# ---------------------------------------------------------------------------- evaluator pages


def evaluator_attachment(actor: User, assignment_id: int, sha256: str) -> tuple[str, str]:
    """(path, filename) of an attachment of the version being evaluated; after the
    declaration only, and only files of that version."""
    assignment, version = readable_proposal(actor, assignment_id)
    for item in version.data.get("attachments") or []:
        if item.get("sha256") == sha256:
            proposal_storage.log_confidential_read(
                actor,
                assignment.proposal,
                "attachment",
                {"sha256": sha256, "filename": item["filename"], "version": version.number},
            )
            return str(files.path_for(sha256)), item["filename"]
    raise NotFound()


def submit_typed_review(
    actor: User,
    assignment_id: int,
    scores: Mapping[int, tuple[object, str]],
    overall_comment: str = "",
) -> Review:
    """Save what the evaluator typed and submit it, in one transaction.

    Every problem comes back in one ``ValidationFailed``: scores off the scale or its step
    and missing scores or justifications. When only something is missing (the typed scores
    are valid), the typed text is still saved as the draft, so nothing is lost."""
    save_errors: dict[str, str] = {}
    try:
        with transaction():
            try:
                save_review(actor, assignment_id, scores, overall_comment)
            except ValidationFailed as exc:
                save_errors = dict(exc.errors)
            missing: dict[str, str] = {}
            try:
                review = submit_review(actor, assignment_id)
            except ValidationFailed as exc:
                missing = dict(exc.errors)
            if save_errors or missing:
                raise ValidationFailed({**missing, **save_errors})
    except ValidationFailed:
        if not save_errors:
            save_review(actor, assignment_id, scores, overall_comment)
        raise
    return review
