"""Read-only views of the evaluation's later steps for the pages: reviews of a proposal
and the consensus sheet, the evaluation's progress and the officials' index of calls,
decision records, the applicant's published result.

The rules (anything that changes data) live in app.reviews.rules; these reads import only
the models and app.reviews.facts.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import defer, selectinload

from app.auth.models import User
from app.calls.models import Call, CallPhase
from app.core.db import db
from app.core.errors import NotFound
from app.core.permissions import require
from app.proposals import access as proposal_access
from app.proposals.models import Proposal, ProposalStatus
from app.reviews import permissions
from app.reviews.facts import (
    admissible_proposals,
    criteria_of,
    last_deadline,
    latest_decision,
    settings_of,
    weighted_total,
)
from app.reviews.models import (
    ACTIVE_ASSIGNMENT,
    Admissibility,
    AdmissibilityCheck,
    Assignment,
    AssignmentStatus,
    ConsensusScore,
    Criterion,
    DecisionRecord,
    Outcome,
    Review,
    ReviewStatus,
    Score,
)


@dataclass
class ReviewLine:
    assignment: Assignment
    evaluator: User
    review: Review | None
    total: Decimal | None  # the weighted total of a submitted review


def review_lines(
    actor: User, call_id: int, proposal_ids: list[int] | None = None
) -> dict[int, list[ReviewLine]]:
    """Per proposal (of ``proposal_ids`` when given), each active assignment with its
    evaluator and (submitted) total.

    Two queries whatever the number of proposals and reviews (plus the criteria)."""
    require(permissions.can_manage(actor))
    criteria = criteria_of(call_id)
    lines: dict[int, list[ReviewLine]] = defaultdict(list)
    query = (
        sa.select(Assignment)
        .join(Proposal, Proposal.id == Assignment.proposal_id)
        .where(Proposal.call_id == call_id, Assignment.status.in_(ACTIVE_ASSIGNMENT))
        .options(
            selectinload(Assignment.evaluator),
            selectinload(Assignment.review).selectinload(Review.scores),
        )
        .order_by(Assignment.id)
    )
    if proposal_ids is not None:
        query = query.where(Assignment.proposal_id.in_(proposal_ids or [-1]))
    for assignment in db.session.scalars(query):
        review = assignment.review
        total = (
            weighted_total(review.scores, criteria)
            if review is not None and review.status is ReviewStatus.submitted
            else None
        )
        lines[assignment.proposal_id].append(
            ReviewLine(assignment, assignment.evaluator, review, total)
        )
    return lines


@dataclass
class ConsensusSheet:
    proposal: Proposal
    criteria: list[Criterion]
    reviews: list[ReviewLine]  # submitted reviews, side by side
    pending: list[ReviewLine]  # active assignments without a submitted review
    consensus: dict[int, ConsensusScore]
    scores: dict[int, dict[int, Score]]  # review id -> criterion id -> score


def consensus_sheet(actor: User, proposal_id: int) -> ConsensusSheet:
    """What an official needs to record the consensus on one admissible proposal."""
    require(permissions.can_manage(actor))
    proposal = proposal_access.get_proposal(actor, proposal_id)
    check = db.session.scalar(
        sa.select(AdmissibilityCheck).where(AdmissibilityCheck.proposal_id == proposal.id)
    )
    if (
        proposal.status is not ProposalStatus.submitted
        or check is None
        or check.result is not Admissibility.admissible
    ):
        raise NotFound()
    criteria = criteria_of(proposal.call_id)
    lines = review_lines(actor, proposal.call_id, [proposal.id]).get(proposal.id, [])
    submitted = [line for line in lines if line.total is not None]
    consensus = {
        c.criterion_id: c
        for c in db.session.scalars(
            sa.select(ConsensusScore).where(ConsensusScore.proposal_id == proposal.id)
        )
    }
    return ConsensusSheet(
        proposal,
        criteria,
        submitted,
        [line for line in lines if line.total is None],
        consensus,
        {
            line.review.id: {s.criterion_id: s for s in line.review.scores}
            for line in submitted
            if line.review is not None  # a line with a total has its review
        },
    )


@dataclass
class EvaluationProgress:
    call: Call
    criteria: int = 0
    submitted: int = 0
    decided: int = 0  # admissibility decisions taken
    admissible: int = 0
    short: int = 0  # admissible proposals with fewer active evaluators than required
    conflicts: int = 0
    assignments: int = 0  # active assignments
    reviews_submitted: int = 0
    consensus_complete: int = 0
    decision: DecisionRecord | None = None
    last_deadline: datetime | None = None
    per_proposal: int = 3

    @property
    def admissibility_done(self) -> bool:
        return self.submitted > 0 and self.decided >= self.submitted

    @property
    def assignment_done(self) -> bool:
        return self.admissible > 0 and self.short == 0

    @property
    def reviews_done(self) -> bool:
        return self.assignments > 0 and self.reviews_submitted >= self.assignments

    @property
    def consensus_done(self) -> bool:
        return self.admissible > 0 and self.consensus_complete >= self.admissible


def evaluation_progress(actor: User, call: Call) -> EvaluationProgress:
    """How far the evaluation of ``call`` is, step by step (a fixed number of queries)."""
    require(permissions.can_manage(actor))
    settings = settings_of(call)
    progress = EvaluationProgress(
        call, per_proposal=settings.reviews_per_proposal, last_deadline=last_deadline(call)
    )
    criteria_ids = [c.id for c in criteria_of(call.id)]
    progress.criteria = len(criteria_ids)
    progress.submitted = (
        db.session.scalar(
            sa.select(sa.func.count(Proposal.id)).where(
                Proposal.call_id == call.id, Proposal.status == ProposalStatus.submitted
            )
        )
        or 0
    )
    results = db.session.execute(
        sa.select(AdmissibilityCheck.result, sa.func.count(AdmissibilityCheck.id))
        .join(Proposal, Proposal.id == AdmissibilityCheck.proposal_id)
        .where(Proposal.call_id == call.id, Proposal.status == ProposalStatus.submitted)
        .group_by(AdmissibilityCheck.result)
    ).all()
    progress.decided = sum(count for _result, count in results)
    progress.admissible = sum(
        count for result, count in results if result is Admissibility.admissible
    )
    admissible_ids = [p.id for p in admissible_proposals(call.id)]
    active: dict[int, int] = defaultdict(int)
    for assignment in db.session.scalars(
        sa.select(Assignment)
        .join(Proposal, Proposal.id == Assignment.proposal_id)
        .where(Proposal.call_id == call.id)
        .options(selectinload(Assignment.review))
    ):
        if assignment.proposal_id not in admissible_ids:
            continue
        if assignment.is_active:
            active[assignment.proposal_id] += 1
            progress.assignments += 1
            if assignment.review is not None and assignment.review.status is ReviewStatus.submitted:
                progress.reviews_submitted += 1
        elif assignment.status is AssignmentStatus.conflict:
            progress.conflicts += 1
    progress.short = sum(1 for pid in admissible_ids if active[pid] < settings.reviews_per_proposal)
    counts = dict(
        db.session.execute(
            sa.select(ConsensusScore.proposal_id, sa.func.count(ConsensusScore.id))
            .join(Proposal, Proposal.id == ConsensusScore.proposal_id)
            .where(
                Proposal.call_id == call.id, ConsensusScore.criterion_id.in_(criteria_ids or [-1])
            )
            .group_by(ConsensusScore.proposal_id)
        )
        .tuples()
        .all()
    )
    progress.consensus_complete = sum(
        1 for pid in admissible_ids if criteria_ids and counts.get(pid, 0) >= len(criteria_ids)
    )
    progress.decision = latest_decision(call.id)
    return progress


@dataclass
class CallEvaluationRow:
    call: Call
    submitted: int
    admissible: int
    decision: DecisionRecord | None


def evaluation_index(actor: User) -> list[CallEvaluationRow]:
    """Every published call with its counts and latest decision (four queries)."""
    require(permissions.can_manage(actor))
    calls = list(
        db.session.scalars(
            sa.select(Call)
            .where(Call.phase != CallPhase.draft)
            .order_by(Call.deadline.desc(), Call.id)
        )
    )
    submitted = dict(
        db.session.execute(
            sa.select(Proposal.call_id, sa.func.count(Proposal.id))
            .where(Proposal.status == ProposalStatus.submitted)
            .group_by(Proposal.call_id)
        )
        .tuples()
        .all()
    )
    admissible = dict(
        db.session.execute(
            sa.select(Proposal.call_id, sa.func.count(Proposal.id))
            .join(AdmissibilityCheck, AdmissibilityCheck.proposal_id == Proposal.id)
            .where(
                Proposal.status == ProposalStatus.submitted,
                AdmissibilityCheck.result == Admissibility.admissible,
            )
            .group_by(Proposal.call_id)
        )
        .tuples()
        .all()
    )
    latest: dict[int, DecisionRecord] = {}
    for record in db.session.scalars(sa.select(DecisionRecord).order_by(DecisionRecord.number)):
        latest[record.call_id] = record
    return [
        CallEvaluationRow(
            call, submitted.get(call.id, 0), admissible.get(call.id, 0), latest.get(call.id)
        )
        for call in calls
    ]


def decision_records(call_id: int) -> list[DecisionRecord]:
    """The call's decision records, newest first, without their frozen data (the whole
    ranking as JSON: read only by whoever opens one record)."""
    return list(
        db.session.scalars(
            sa.select(DecisionRecord)
            .where(DecisionRecord.call_id == call_id)
            .order_by(DecisionRecord.number.desc())
            .options(defer(DecisionRecord.data))
        )
    )


def get_decision_record(actor: User, call_id: int, number: int) -> DecisionRecord:
    require(permissions.can_manage(actor))
    record = db.session.scalar(
        sa.select(DecisionRecord).where(
            DecisionRecord.call_id == call_id, DecisionRecord.number == number
        )
    )
    if record is None:
        raise NotFound()
    return record


@dataclass
class CriterionResult:
    name: str
    weight: Decimal
    scale_max: Decimal
    threshold: Decimal | None
    score: Decimal
    justification: str

    @property
    def passed(self) -> bool:
        return self.threshold is None or self.score >= self.threshold


@dataclass
class PublishedResult:
    """One proposal's part of the latest published decision that includes it: what its
    applicant may read (no evaluator, no minority view), from the frozen record."""

    record: DecisionRecord
    rank: int | None
    ranked: int
    score: Decimal | None
    total_threshold: Decimal
    outcome: Outcome
    override_reason: str | None
    criteria: list[CriterionResult]
    reviews_submitted: int | None = None  # None in records published before it was kept
    reviews_required: int | None = None
    review_override_reason: str | None = None

    @property
    def total_passed(self) -> bool:
        return self.score is not None and self.score >= self.total_threshold

    @property
    def objection_days(self) -> int:
        return (self.record.objection_until - self.record.notified_on).days


def published_result(proposal: Proposal, language: str = "nl") -> PublishedResult | None:
    """From the newest decision record of the call that includes ``proposal`` (one query)."""
    for record in db.session.scalars(
        sa.select(DecisionRecord)
        .where(DecisionRecord.call_id == proposal.call_id)
        .order_by(DecisionRecord.number.desc())
    ):
        data = record.data
        row = next((r for r in data["rows"] if r["proposal_id"] == proposal.id), None)
        if row is None or not row.get("outcome"):
            continue
        criteria = {c["id"]: c for c in data["criteria"]}
        results = []
        for item in row["consensus"]:
            criterion = criteria.get(item["criterion_id"])
            if criterion is None:
                continue
            results.append(
                CriterionResult(
                    criterion["name_en"] if language == "en" else criterion["name_nl"],
                    Decimal(criterion["weight"]),
                    Decimal(criterion["scale_max"]),
                    None if criterion["threshold"] is None else Decimal(criterion["threshold"]),
                    Decimal(item["score"]),
                    item["justification"],
                )
            )
        return PublishedResult(
            record=record,
            rank=row["rank"],
            ranked=sum(1 for r in data["rows"] if r["rank"] is not None),
            score=None if row["score"] is None else Decimal(row["score"]),
            total_threshold=Decimal(data["total_threshold"]),
            outcome=Outcome(row["outcome"]),
            override_reason=row.get("override_reason"),
            criteria=results,
            reviews_submitted=row.get("reviews_submitted"),
            reviews_required=row.get("reviews_required"),
            review_override_reason=row.get("review_override_reason"),
        )
    return None


def summary_of(
    actor: User, proposal_id: int, language: str = "nl"
) -> tuple[Proposal, PublishedResult]:
    """The evaluation summary of a proposal: its organisation's members and officials, only
    once a decision that includes it is published; NotFound for everyone else."""
    proposal = proposal_access.get_proposal(actor, proposal_id)
    result = published_result(proposal, language)
    if result is None:
        raise NotFound()
    return proposal, result
