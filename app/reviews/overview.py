"""The reviews of a call seen together, for the officials: totals and spread per proposal,
the disagreement counts and the evaluators' calibration. Reads only."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from app.auth.models import User
from app.calls.models import Call
from app.core.cache import cache
from app.core.db import db
from app.core.errors import NotFound
from app.core.permissions import require
from app.proposals.models import Proposal, ProposalStatus
from app.reviews import disagreement, permissions, ranking_policy
from app.reviews.facts import (
    LIST_PROPOSAL,
    EvaluatorName,
    admissible_proposals,
    criteria_of,
    settings_of,
)
from app.reviews.models import (
    ACTIVE_ASSIGNMENT,
    Admissibility,
    AdmissibilityCheck,
    Assignment,
    AssignmentStatus,
    Criterion,
    EvaluationSettings,
    Review,
    ReviewStatus,
    Score,
)

HUNDRED = Decimal("100")
TWO_PLACES = Decimal("0.01")


@dataclass
class ProposalScores:
    proposal_id: int
    proposal: Proposal | None = None  # None in the call-wide counts, which show no proposal
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

    A fixed number of queries whatever the number of proposals and reviews; the reviews
    are read as columns, never as objects."""
    require(permissions.can_manage(actor))
    call = db.session.get(Call, call_id)
    if call is None:
        raise NotFound()
    if proposal_ids is None:
        proposals = admissible_proposals(call_id, versions=False)
        rows = {p.id: ProposalScores(p.id, p) for p in proposals}
    else:
        found = _proposals(call_id, proposal_ids)
        rows = {pid: ProposalScores(pid, found[pid]) for pid in proposal_ids if pid in found}
    active = (
        sa.select(Assignment.proposal_id, Review.id, Review.status)
        .join(Proposal, Proposal.id == Assignment.proposal_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Proposal.call_id == call_id, Assignment.status.in_(ACTIVE_ASSIGNMENT))
        .order_by(Assignment.id)
    )
    if proposal_ids is not None:
        active = active.where(Assignment.proposal_id.in_(list(rows) or [-1]))
    scores = submitted_scores(call_id, None if proposal_ids is None else list(rows))
    _fold(
        rows,
        [
            (pid, review_id if status is ReviewStatus.submitted else None)
            for pid, review_id, status in db.session.execute(active).tuples()
        ],
        scores,
        _totals(scores, criteria_of(call_id)),
        settings_of(call),
    )
    return list(rows.values())


def _proposals(call_id: int, proposal_ids: Sequence[int]) -> dict[int, Proposal]:
    return {
        p.id: p
        for p in db.session.scalars(
            sa.select(Proposal)
            .where(Proposal.id.in_(list(proposal_ids) or [-1]), Proposal.call_id == call_id)
            .options(*LIST_PROPOSAL)
        )
    }


def submitted_scores(
    call_id: int, proposal_ids: Sequence[int] | None = None
) -> dict[int, dict[int, Decimal | None]]:
    """Review id -> criterion id -> score, for the submitted reviews of active assignments
    in the call (of ``proposal_ids`` when given): one query of plain columns."""
    query = (
        sa.select(Score.review_id, Score.criterion_id, Score.score)
        .join(Review, Review.id == Score.review_id)
        .join(Assignment, Assignment.id == Review.assignment_id)
        .join(Proposal, Proposal.id == Assignment.proposal_id)
        .where(
            Proposal.call_id == call_id,
            Assignment.status.in_(ACTIVE_ASSIGNMENT),
            Review.status == ReviewStatus.submitted,
        )
        .order_by(Score.review_id, Score.id)
    )
    if proposal_ids is not None:
        query = query.where(Assignment.proposal_id.in_(list(proposal_ids) or [-1]))
    scores: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    for review_id, criterion_id, score in db.session.execute(query).tuples():
        scores[review_id][criterion_id] = score
    return scores


def _totals(
    scores: dict[int, dict[int, Decimal | None]], criteria: Sequence[Criterion]
) -> defaultdict[int, Decimal]:
    """Review id -> the weighted total of its scores (``weighted_total``), for ``scores``;
    any other review (submitted without scores) totals what no score totals."""
    plain = [ranking_policy.PlainCriterion.of(c) for c in criteria]
    totals: defaultdict[int, Decimal] = defaultdict(lambda: ranking_policy.total_score({}, plain))
    totals.update(
        (review_id, ranking_policy.total_score(given, plain)) for review_id, given in scores.items()
    )
    return totals


def _fold(
    rows: dict[int, ProposalScores],
    assignments: Iterable[tuple[int, int | None]],
    scores: dict[int, dict[int, Decimal | None]],
    totals: defaultdict[int, Decimal],
    settings: EvaluationSettings,
) -> None:
    """Fill ``rows`` from the active assignments, in order: (proposal id, the id of its
    submitted review or None), the submitted reviews' scores and their totals
    (``_totals``; a submitted review without scores totals zero)."""
    for proposal_id, review_id in assignments:
        row = rows.get(proposal_id)
        if row is None:
            continue
        row.assigned += 1
        if review_id is None:
            continue
        row.submitted += 1
        row.totals.append(totals[review_id])
        for criterion_id, score in scores.get(review_id, {}).items():
            if score is not None:  # a submitted review scores every criterion
                row.per_criterion.setdefault(criterion_id, []).append(score)
    for row in rows.values():
        if row.totals:
            row.minimum, row.maximum = min(row.totals), max(row.totals)
            row.mean = (sum(row.totals, Decimal(0)) / len(row.totals)).quantize(
                TWO_PLACES, ROUND_HALF_UP
            )
            row.spread = row.maximum - row.minimum
            row.flagged = row.spread > settings.disagreement_spread


@dataclass(frozen=True)
class OverviewLine:
    """One active assignment of a proposal on the overview, read as columns."""

    evaluator: str  # the evaluator's name
    state: str  # where the review stands: pending, not_started, draft or submitted
    total: Decimal | None  # the weighted total of a submitted review


def overview_page_rows(
    actor: User, call_id: int, proposal_ids: Sequence[int]
) -> tuple[list[ProposalScores], dict[int, list[OverviewLine]]]:
    """One page of the overview: the proposals of ``proposal_ids`` (in that order) with
    their totals, and per proposal each active assignment with its evaluator, where its
    review stands and its total; a fixed number of queries, the assignments as columns."""
    require(permissions.can_manage(actor))
    call = db.session.get(Call, call_id)
    if call is None:
        raise NotFound()
    found = _proposals(call_id, proposal_ids)
    rows = {pid: ProposalScores(pid, found[pid]) for pid in proposal_ids if pid in found}
    assignments = db.session.execute(
        sa.select(Assignment.proposal_id, Assignment.status, User.name, Review.id, Review.status)
        .join(User, User.id == Assignment.evaluator_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(
            Assignment.proposal_id.in_(list(rows) or [-1]),
            Assignment.status.in_(ACTIVE_ASSIGNMENT),
        )
        .order_by(Assignment.id)
    ).all()
    scores = submitted_scores(call_id, list(rows))
    totals = _totals(scores, criteria_of(call_id))

    def submitted(review_id: int | None, status: ReviewStatus | None) -> int | None:
        return review_id if status is ReviewStatus.submitted else None

    _fold(
        rows,
        [(pid, submitted(rid, rstatus)) for pid, _status, _name, rid, rstatus in assignments],
        scores,
        totals,
        settings_of(call),
    )
    lines: dict[int, list[OverviewLine]] = defaultdict(list)
    for proposal_id, status, name, review_id, review_status in assignments:
        counted = submitted(review_id, review_status)
        lines[proposal_id].append(
            OverviewLine(
                name,
                review_state_of(status, review_id, review_status),
                None if counted is None else totals[counted],
            )
        )
    return list(rows.values()), lines


def review_state_of(
    status: AssignmentStatus, review_id: int | None, review_status: ReviewStatus | None
) -> str:
    """Where an active assignment's review stands: the key of ``review_state_words``."""
    if status is AssignmentStatus.awaiting_declaration:
        return "pending"
    if review_id is None:
        return "not_started"
    return "draft" if review_status is ReviewStatus.draft else "submitted"


def reviews_changed(call_id: int) -> str:
    """The call's last change of anything the calibration and the disagreement counts
    read, in one query (a page reads it once and passes it to both)."""
    return _reviews_changed(call_id)


def disagreement_summary(
    actor: User, call_id: int, changed: str | None = None
) -> disagreement.DisagreementSummary:
    """The overview's disagreement counts over every admissible proposal of the call, not
    one page of the list; cached per call under its reviews' last change (``changed``,
    read here unless given) and its limits. Counted from the reviews' scores as columns."""
    require(permissions.can_manage(actor))
    call = db.session.get(Call, call_id)
    if call is None:
        raise NotFound()
    settings = settings_of(call)
    criteria = criteria_of(call_id)
    key = (
        f"disagreement:{call_id}:{changed or _reviews_changed(call_id)}:"
        f"{settings.disagreement_spread}:{settings.criterion_spread_share}:"
        f"{[(c.id, c.scale_max) for c in criteria]}"
    )
    summary = cache().get(key)
    if summary is None:
        rows = {
            pid: ProposalScores(pid)
            for pid in db.session.scalars(
                sa.select(Proposal.id)
                .join(AdmissibilityCheck, AdmissibilityCheck.proposal_id == Proposal.id)
                .where(
                    Proposal.call_id == call_id,
                    Proposal.status == ProposalStatus.submitted,
                    AdmissibilityCheck.result == Admissibility.admissible,
                )
            )
        }
        active = (
            sa.select(Assignment.proposal_id, Review.id)
            .join(Proposal, Proposal.id == Assignment.proposal_id)
            .outerjoin(
                Review,
                sa.and_(
                    Review.assignment_id == Assignment.id,
                    Review.status == ReviewStatus.submitted,
                ),
            )
            .where(Proposal.call_id == call_id, Assignment.status.in_(ACTIVE_ASSIGNMENT))
            .order_by(Assignment.id)
        )
        scores = submitted_scores(call_id)
        _fold(
            rows,
            db.session.execute(active).tuples(),
            scores,
            _totals(scores, criteria),
            settings,
        )
        summary, _flags = disagreement.summarise(list(rows.values()), criteria, settings)
        cache().set(key, summary)
    return summary


@dataclass
class EvaluatorCalibration:
    evaluator: EvaluatorName
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


def calibration(
    actor: User, call_id: int, changed: str | None = None
) -> tuple[list[EvaluatorCalibration], dict[int, Decimal]]:
    """Per evaluator: mean total and mean difference from the others on the same proposals;
    per criterion: the mean spread of scores across proposals (where evaluators disagree).

    Aggregated in SQL (one row per submitted review and one per criterion reach Python)
    and cached per call under its reviews' last change (``changed``, read here unless
    given); the evaluators' names are read fresh (they may change), as columns."""
    require(permissions.can_manage(actor))
    key = f"calibration:{call_id}:{changed or _reviews_changed(call_id)}"
    cached = cache().get(key)
    if cached is not None:
        figures, spreads = cached
        users = _users([f[0] for f in figures])
        return [EvaluatorCalibration(users[uid], *rest) for uid, *rest in figures], spreads
    result, spreads = _calibration(call_id)
    cache().set(
        key,
        ([(c.evaluator.id, c.reviews, c.mean_total, c.mean_difference) for c in result], spreads),
    )
    return result, spreads


def _users(ids: Sequence[int]) -> dict[int, EvaluatorName]:
    """The evaluators of ``ids`` by id, their names read fresh as columns."""
    return {
        row[0]: EvaluatorName(*row)
        for row in db.session.execute(
            sa.select(User.id, User.name, User.email).where(User.id.in_(list(ids) or [-1]))
        ).tuples()
    }


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
    users = _users(list(mine))
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
