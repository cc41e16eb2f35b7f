"""Read-only views of the evaluation for the pages: evaluators' lists and conflict facts,
officials' overviews, progress and decision records, the applicant's published result.

The rules (anything that changes data) live in app.reviews.rules; these reads import only
the models and app.reviews.facts.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.calls.models import Call, CallPhase, DeadlineExtension
from app.core.db import db
from app.core.errors import NotFound
from app.core.permissions import require
from app.proposals import services as proposals
from app.proposals.models import Proposal, ProposalStatus, ProposalVersion
from app.reviews import permissions
from app.reviews.facts import (
    admissible_proposals,
    affiliations_of,
    criteria_of,
    evaluators,
    get_assignment,
    last_deadline,
    latest_decision,
    missing_in_version,
    my_assignments,
    replacement_for,
    settings_of,
    weighted_total,
)
from app.reviews.models import (
    ACTIVE_ASSIGNMENT,
    Admissibility,
    AdmissibilityCheck,
    Affiliation,
    Assignment,
    AssignmentStatus,
    ConsensusScore,
    Criterion,
    DecisionRecord,
    EvaluatorProfile,
    Outcome,
    Review,
    ReviewStatus,
    Score,
)


@dataclass(frozen=True)
class AssignmentSummary:
    """One line of an evaluator's list. Before the declaration only who applies (so a
    conflict can be judged); the title once no conflict of interest is declared."""

    assignment: Assignment
    call: Call
    reference: str
    organisation: str
    enterprise_number: str
    partners: list[dict]
    title: str | None
    state: str  # awaiting_declaration | to_score | draft | submitted


def _partners_in(version: ProposalVersion | None) -> list[dict]:
    if version is None:
        return []
    return [
        {
            "name": p.get("name") or "",
            "enterprise_number": p.get("enterprise_number") or "",
            "role": p.get("role") or "",
        }
        for p in version.data.get("partners") or []
    ]


def assignment_state(assignment: Assignment) -> str:
    if assignment.status is AssignmentStatus.awaiting_declaration:
        return "awaiting_declaration"
    if assignment.review is None:
        return "to_score"
    return assignment.review.status.value


def assignment_overview(actor: User) -> list[AssignmentSummary]:
    """The evaluator's active assignments, by call, oldest first."""
    assignments = my_assignments(actor)
    # the proposals with their versions, and the individual deadlines: one query each
    found = {
        p.id: p
        for p in db.session.scalars(
            sa.select(Proposal)
            .where(Proposal.id.in_({a.proposal_id for a in assignments} or {-1}))
            .options(selectinload(Proposal.versions))
        )
    }
    extended = {
        (e.call_id, e.organisation_id): e.deadline
        for e in db.session.scalars(
            sa.select(DeadlineExtension).where(
                DeadlineExtension.call_id.in_({p.call_id for p in found.values()} or {-1})
            )
        )
    }
    rows = []
    for assignment in assignments:
        proposal = found[assignment.proposal_id]
        deadline = max(
            extended.get((proposal.call_id, proposal.organisation_id), proposal.call.closes_at),
            proposal.call.closes_at,
        )
        version = proposals.counting_version(proposal, deadline)
        readable = permissions.can_read_content(actor, assignment)
        rows.append(
            AssignmentSummary(
                assignment,
                proposal.call,
                proposal.reference,
                proposal.submitted_organisation.legal_name,
                proposal.submitted_organisation.enterprise_number,
                _partners_in(version),
                (version.data.get("title") or proposal.title) if readable and version else None,
                assignment_state(assignment),
            )
        )
    return sorted(rows, key=lambda r: (r.call.deadline, r.call.id, r.assignment.id))


@dataclass(frozen=True)
class ConflictFacts:
    """What an evaluator sees before declaring: the applicant, the partners, their own
    affiliations, and the enterprise numbers that appear on both sides."""

    assignment: Assignment
    organisation: str
    enterprise_number: str
    partners: list[dict]
    affiliations: list[Affiliation]
    matches: frozenset[str]


def conflict_facts(actor: User, assignment_id: int) -> ConflictFacts:
    assignment = get_assignment(actor, assignment_id)
    proposal = assignment.proposal
    partners = _partners_in(proposals.counting_version(proposal))
    affiliations = affiliations_of(actor.id)
    applicant = proposal.submitted_organisation
    numbers = {proposal.organisation.enterprise_number, applicant.enterprise_number} | {
        p["enterprise_number"] for p in partners if p["enterprise_number"]
    }
    return ConflictFacts(
        assignment,
        applicant.legal_name,
        applicant.enterprise_number,
        partners,
        affiliations,
        frozenset(a.enterprise_number for a in affiliations if a.enterprise_number in numbers),
    )


def evaluator_profile(actor: User) -> tuple[list[str], list[Affiliation]]:
    """The evaluator's expertise codes and affiliations, as ``update_profile`` stored them."""
    require(actor.is_evaluator)
    profile = db.session.get(EvaluatorProfile, actor.id)
    return list(profile.expertise or []) if profile else [], affiliations_of(actor.id)


def submitted_proposals(call_id: int) -> list[Proposal]:
    """The call's submitted proposals (withdrawn ones excluded), by reference."""
    return list(
        db.session.scalars(
            sa.select(Proposal)
            .where(Proposal.call_id == call_id, Proposal.status == ProposalStatus.submitted)
            .options(selectinload(Proposal.versions))
            .order_by(Proposal.reference)
        )
    )


@dataclass
class AdmissibilityRow:
    proposal: Proposal
    checks: dict[str, bool]
    decision: AdmissibilityCheck | None
    version: ProposalVersion | None


def admissibility_overview(actor: User, call: Call) -> list[AdmissibilityRow]:
    """Every submitted proposal with the facts to weigh and the decision taken, if any."""
    require(permissions.can_manage(actor))
    candidates = submitted_proposals(call.id)
    decisions = {
        c.proposal_id: c
        for c in db.session.scalars(
            sa.select(AdmissibilityCheck)
            .join(Proposal, Proposal.id == AdmissibilityCheck.proposal_id)
            .where(Proposal.call_id == call.id)
        )
    }
    deadlines = proposals.deadlines_by_organisation(call)
    rows = []
    for proposal in candidates:
        version = proposals.counting_version(
            proposal, deadlines.get(proposal.organisation_id, call.closes_at)
        )
        requested = Decimal(version.data.get("requested_eur") or "0") if version else None
        checks = {
            "on_time": version is not None,
            "complete": version is not None and not missing_in_version(version.data),
            "provider_type": call.allows_provider_type(
                proposal.submitted_organisation.provider_type
            ),
            "budget": requested is not None and Decimal("0") < requested <= call.max_request_eur,
        }
        rows.append(AdmissibilityRow(proposal, checks, decisions.get(proposal.id), version))
    return rows


@dataclass
class ProposalAssignments:
    proposal: Proposal
    assignments: list[Assignment]
    active: int = 0
    short: int = 0
    replacement: User | None = None


@dataclass
class AssignmentOverview:
    rows: list[ProposalAssignments]
    loads: list[tuple[User, int]]  # every active evaluator and their active assignments
    per_proposal: int


def call_assignments(actor: User, call: Call) -> AssignmentOverview:
    """Per admissible proposal its assignments (all statuses), what is short and, after a
    declared conflict, the evaluator the rules propose instead; loads per evaluator."""
    require(permissions.can_manage(actor))
    settings = settings_of(call)
    candidates = admissible_proposals(call.id)
    by_proposal: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in db.session.scalars(
        sa.select(Assignment)
        .join(Proposal, Proposal.id == Assignment.proposal_id)
        .where(Proposal.call_id == call.id)
        .options(selectinload(Assignment.evaluator), selectinload(Assignment.review))
        .order_by(Assignment.id)
    ):
        by_proposal[assignment.proposal_id].append(assignment)
    people = evaluators()
    loads = {user.id: 0 for user in people}
    rows = []
    for proposal in candidates:
        assignments = by_proposal.get(proposal.id, [])
        row = ProposalAssignments(proposal, assignments)
        row.active = sum(1 for a in assignments if a.is_active)
        row.short = max(0, settings.reviews_per_proposal - row.active)
        for assignment in assignments:
            if assignment.is_active:
                loads[assignment.evaluator_id] = loads.get(assignment.evaluator_id, 0) + 1
        if row.short and any(a.status is AssignmentStatus.conflict for a in assignments):
            row.replacement = replacement_for(proposal.id)
        rows.append(row)
    return AssignmentOverview(
        rows, [(user, loads[user.id]) for user in people], settings.reviews_per_proposal
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
    proposal = proposals.get_proposal(actor, proposal_id)
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
        {line.review.id: {s.criterion_id: s for s in line.review.scores} for line in submitted},
    )


def review_of_call(actor: User, call_id: int, review_id: int) -> Review:
    require(permissions.can_manage(actor))
    review = db.session.get(Review, review_id)
    if review is None or review.assignment.proposal.call_id != call_id:
        raise NotFound()
    return review


def assignment_of_call(actor: User, call_id: int, assignment_id: int) -> Assignment:
    require(permissions.can_manage(actor))
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.proposal.call_id != call_id:
        raise NotFound()
    return assignment


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
        ).all()
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
        ).all()
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
        ).all()
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
    return list(
        db.session.scalars(
            sa.select(DecisionRecord)
            .where(DecisionRecord.call_id == call_id)
            .order_by(DecisionRecord.number.desc())
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
    proposal = proposals.get_proposal(actor, proposal_id)
    result = published_result(proposal, language)
    if result is None:
        raise NotFound()
    return proposal, result
