"""Read-only views of the evaluation's first steps for the pages: evaluators' lists and
conflict facts, the officials' admissibility and assignment overviews. The reads of the
later steps (reviews, consensus, progress, decisions, the published result) are in
app.reviews.result_queries.

The rules (anything that changes data) live in app.reviews.rules; these reads import only
the models and app.reviews.facts.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.calls.models import Call, DeadlineExtension
from app.core.db import db
from app.core.errors import NotFound
from app.core.permissions import require
from app.proposals import services as proposals
from app.proposals.models import Proposal, ProposalStatus, ProposalVersion
from app.reviews import permissions
from app.reviews.facts import (
    admissible_proposals,
    affiliations_of,
    evaluators,
    get_assignment,
    missing_in_version,
    my_assignments,
    replacement_for,
    settings_of,
)
from app.reviews.models import (
    AdmissibilityCheck,
    Affiliation,
    Assignment,
    AssignmentStatus,
    EvaluatorProfile,
    Review,
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
    partners: list[dict[str, Any]]
    title: str | None
    state: str  # awaiting_declaration | to_score | draft | submitted


def _partners_in(version: ProposalVersion | None) -> list[dict[str, Any]]:
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
    partners: list[dict[str, Any]]
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
