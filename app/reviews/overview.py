"""The reviews of a call seen together, for the officials: totals and spread per proposal,
the disagreement counts and the evaluators' calibration. Reads only."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.calls.models import Call
from app.core.cache import cache
from app.core.db import db
from app.core.errors import NotFound
from app.core.permissions import require
from app.proposals.models import Proposal
from app.reviews import disagreement, permissions
from app.reviews.facts import admissible_proposals, criteria_of, settings_of, weighted_total
from app.reviews.models import (
    ACTIVE_ASSIGNMENT,
    Assignment,
    AssignmentStatus,
    Criterion,
    Review,
    ReviewStatus,
    Score,
)

HUNDRED = Decimal("100")
TWO_PLACES = Decimal("0.01")


@dataclass
class ProposalScores:
    proposal: Proposal
    totals: list[Decimal] = field(default_factory=list)
    mean: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    spread: Decimal | None = None
    flagged: bool = False
    assigned: int = 0
    submitted: int = 0
    per_criterion: dict[int, list[Decimal]] = field(default_factory=dict)


def review_overview(
    actor: User, call_id: int, proposal_ids: Sequence[int] | None = None
) -> list[ProposalScores]:
    """Every admissible proposal (or those of ``proposal_ids``, one page of the list, in
    that order) with its reviews' totals, spread and disagreement flag.

    A fixed number of queries whatever the number of proposals and reviews."""
    require(permissions.can_manage(actor))
    call = db.session.get(Call, call_id)
    if call is None:
        raise NotFound()
    settings = settings_of(call)
    criteria = criteria_of(call_id)
    if proposal_ids is None:
        rows = {p.id: ProposalScores(p) for p in admissible_proposals(call_id, versions=False)}
    else:
        found = {
            p.id: p
            for p in db.session.scalars(
                sa.select(Proposal).where(
                    Proposal.id.in_(proposal_ids or [-1]), Proposal.call_id == call_id
                )
            )
        }
        rows = {pid: ProposalScores(found[pid]) for pid in proposal_ids if pid in found}
    query = (
        sa.select(Assignment)
        .join(Proposal, Proposal.id == Assignment.proposal_id)
        .where(Proposal.call_id == call_id, Assignment.status.in_(ACTIVE_ASSIGNMENT))
        .options(selectinload(Assignment.review).selectinload(Review.scores))
    )
    if proposal_ids is not None:
        query = query.where(Assignment.proposal_id.in_(list(rows) or [-1]))
    assignments = db.session.scalars(query).all()
    for assignment in assignments:
        row = rows.get(assignment.proposal_id)
        if row is None:
            continue
        row.assigned += 1
        review = assignment.review
        if review is None or review.status is not ReviewStatus.submitted:
            continue
        row.submitted += 1
        row.totals.append(weighted_total(review.scores, criteria))
        for score in review.scores:
            if score.score is not None:  # a submitted review scores every criterion
                row.per_criterion.setdefault(score.criterion_id, []).append(score.score)
    for row in rows.values():
        if row.totals:
            row.minimum, row.maximum = min(row.totals), max(row.totals)
            row.mean = (sum(row.totals, Decimal(0)) / len(row.totals)).quantize(
                TWO_PLACES, ROUND_HALF_UP
            )
            row.spread = row.maximum - row.minimum
            row.flagged = row.spread > settings.disagreement_spread
    return list(rows.values())


def disagreement_summary(actor: User, call_id: int) -> disagreement.DisagreementSummary:
    """The overview's disagreement counts over every admissible proposal of the call, not
    one page of the list; cached per call under its reviews' last change and its limits."""
    require(permissions.can_manage(actor))
    call = db.session.get(Call, call_id)
    if call is None:
        raise NotFound()
    settings = settings_of(call)
    criteria = criteria_of(call_id)
    key = (
        f"disagreement:{call_id}:{_reviews_changed(call_id)}:"
        f"{settings.disagreement_spread}:{settings.criterion_spread_share}:"
        f"{[(c.id, c.scale_max) for c in criteria]}"
    )
    summary = cache().get(key)
    if summary is None:
        summary, _flags = disagreement.summarise(
            review_overview(actor, call_id), criteria, settings
        )
        cache().set(key, summary)
    return summary


@dataclass
class EvaluatorCalibration:
    evaluator: User
    reviews: int
    mean_total: Decimal | None
    mean_difference: Decimal | None  # against the others on the same proposals (+ lenient)


def _sql_decimal(value: Decimal | float | int) -> Decimal:
    """A number computed by the database: exact on PostgreSQL, a float on SQLite."""
    if isinstance(value, float):
        return Decimal(repr(round(value, 9)))
    return Decimal(value)


def _reviews_changed(call_id: int) -> str:
    """The call's last change of anything calibration reads, in one query."""
    row = db.session.execute(
        sa.select(
            sa.func.count(Review.id),
            sa.func.max(Review.updated_at),
            sa.func.max(Review.submitted_at),
            sa.func.count(Assignment.id),
            sa.func.max(Assignment.id),
            sa.func.max(Assignment.declared_at),
            sa.func.sum(sa.case((Assignment.status == AssignmentStatus.accepted, 1), else_=0)),
            sa.func.sum(sa.case((Review.status == ReviewStatus.submitted, 1), else_=0)),
        )
        .select_from(Assignment)
        .join(Proposal, Proposal.id == Assignment.proposal_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Proposal.call_id == call_id)
    ).one()
    return "|".join(str(value) for value in row)


def calibration(actor: User, call_id: int) -> tuple[list[EvaluatorCalibration], dict[int, Decimal]]:
    """Per evaluator: mean total and mean difference from the others on the same proposals;
    per criterion: the mean spread of scores across proposals (where evaluators disagree).

    Aggregated in SQL (one row per submitted review and one per criterion reach Python)
    and cached per call under its reviews' last change."""
    require(permissions.can_manage(actor))
    key = f"calibration:{call_id}:{_reviews_changed(call_id)}"
    cached = cache().get(key)
    if cached is not None:
        figures, spreads = cached
        users = {
            u.id: u
            for u in db.session.scalars(
                sa.select(User).where(User.id.in_([f[0] for f in figures] or [-1]))
            )
        }
        return [EvaluatorCalibration(users[uid], *rest) for uid, *rest in figures], spreads
    result, spreads = _calibration(call_id)
    cache().set(
        key,
        ([(c.evaluator.id, c.reviews, c.mean_total, c.mean_difference) for c in result], spreads),
    )
    return result, spreads


def _calibration(call_id: int) -> tuple[list[EvaluatorCalibration], dict[int, Decimal]]:
    criteria = criteria_of(call_id)
    weight_sum = sum((c.weight for c in criteria), Decimal("0"))
    scored = (
        sa.select(Assignment.proposal_id, Assignment.evaluator_id, Review.id, Score)
        .join(Proposal, Proposal.id == Assignment.proposal_id)
        .join(Review, Review.assignment_id == Assignment.id)
        .join(Score, Score.review_id == Review.id)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .where(
            Proposal.call_id == call_id,
            Criterion.call_id == call_id,
            Assignment.status == AssignmentStatus.accepted,
            Review.status == ReviewStatus.submitted,
        )
    )
    points = sa.func.sum(
        sa.case(
            (Score.score.is_not(None), Criterion.weight * Score.score / Criterion.scale_max),
            else_=0,
        )
    )
    totals: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for proposal_id, evaluator_id, value in db.session.execute(
        scored.with_only_columns(Assignment.proposal_id, Assignment.evaluator_id, points).group_by(
            Review.id, Assignment.proposal_id, Assignment.evaluator_id
        )
    ):
        totals[proposal_id][evaluator_id] = (
            (_sql_decimal(value) / weight_sum * HUNDRED).quantize(TWO_PLACES, ROUND_HALF_UP)
            if weight_sum
            else Decimal("0")
        )
    mine: dict[int, list[Decimal]] = defaultdict(list)
    differences: dict[int, list[Decimal]] = defaultdict(list)
    for per_evaluator in totals.values():
        whole, count = sum(per_evaluator.values()), len(per_evaluator)
        for evaluator_id, total in per_evaluator.items():
            mine[evaluator_id].append(total)
            if count > 1:
                differences[evaluator_id].append(total - (whole - total) / (count - 1))
    users = {
        u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(list(mine) or [-1])))
    }
    result = []
    for evaluator_id in sorted(mine):
        values, diffs = mine[evaluator_id], differences[evaluator_id]
        result.append(
            EvaluatorCalibration(
                users[evaluator_id],
                len(values),
                (sum(values, Decimal(0)) / len(values)).quantize(TWO_PLACES),
                (sum(diffs, Decimal(0)) / len(diffs)).quantize(TWO_PLACES) if diffs else None,
            )
        )
    per_proposal = (
        scored.where(Score.score.is_not(None))
        .with_only_columns(
            Score.criterion_id.label("criterion_id"),
            (sa.func.max(Score.score) - sa.func.min(Score.score)).label("spread"),
        )
        .group_by(Score.criterion_id, Assignment.proposal_id)
        .having(sa.func.count(Score.id) > 1)
        .subquery()
    )
    spreads = {
        criterion_id: _sql_decimal(value).quantize(TWO_PLACES)
        for criterion_id, value in db.session.execute(
            sa.select(per_proposal.c.criterion_id, sa.func.avg(per_proposal.c.spread)).group_by(
                per_proposal.c.criterion_id
            )
        )
    }
    return result, spreads
