"""The evaluation's basic facts, read by the rules and by the pages alike: a call's
criteria and settings, its admissible proposals, the version that counts, the evaluators and
their planning facts, an evaluator's own assignments, a review's weighted total and the latest
decision. Reads only (``settings_of`` creates a call's default settings on first use)."""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import lazyload, load_only, selectinload

from app.auth.models import User, UserRole
from app.calls import deadlines
from app.calls.models import Call
from app.core.db import db
from app.core.errors import DomainError, NotFound
from app.core.permissions import Role, require
from app.proposals import eligibility as proposal_eligibility
from app.proposals import services as proposals
from app.proposals.models import Proposal, ProposalStatus, ProposalVersion
from app.reviews import permissions, ranking_policy
from app.reviews.assignment import EvaluatorInfo, ProposalInfo, plan
from app.reviews.models import (
    ACTIVE_ASSIGNMENT,
    Admissibility,
    AdmissibilityCheck,
    Affiliation,
    Assignment,
    Criterion,
    DecisionRecord,
    EvaluationSettings,
    EvaluatorProfile,
    Score,
)

# Options for users read to show their name: without the roles and memberships that every
# User otherwise loads with it (two more queries and hundreds of objects for a list).
LIGHT_USER = (lazyload(User.role_rows), lazyload(User.memberships))

# A list row's proposal: what the cards show (reference, title, the organisation it was
# submitted under), without the texts, and without joining the call in again on each row
# (it is in the session already).
LIST_PROPOSAL = (
    load_only(
        Proposal.id,
        Proposal.call_id,
        Proposal.organisation_id,
        Proposal.reference,
        Proposal.title,
        Proposal.status,
        Proposal.frozen_organisation_json,
    ),
    lazyload(Proposal.call),
)


def criteria_of(call_id: int) -> list[Criterion]:
    return list(
        db.session.scalars(
            sa.select(Criterion).where(Criterion.call_id == call_id).order_by(Criterion.position)
        )
    )


def settings_of(call: Call) -> EvaluationSettings:
    settings = db.session.get(EvaluationSettings, call.id)
    if settings is None:
        settings = EvaluationSettings.defaults(call.id)
        db.session.add(settings)
        db.session.flush()
    return settings


def scores_exist(call_id: int) -> bool:
    return bool(
        db.session.scalar(
            sa.select(Score.id)
            .join(Criterion, Score.criterion_id == Criterion.id)
            .where(Criterion.call_id == call_id, Score.score.is_not(None))
            .limit(1)
        )
    )


def evaluated_version(proposal: Proposal, deadline: datetime | None = None) -> ProposalVersion:
    version = proposals.counting_version(proposal, deadline)
    if version is None:
        raise DomainError(_("This proposal has no version submitted before the deadline."))
    return version


def missing_in_version(data: Mapping[str, Any]) -> list[str]:
    return [
        name for name in proposal_eligibility.REQUIRED_FIELDS if data.get(name) in (None, "", [])
    ]


def admissible_proposals(
    call_id: int, *, versions: bool = True, proposal_id: int | None = None
) -> list[Proposal]:
    """The call's admissible proposals (or only ``proposal_id``, when it is one), with their
    versions loaded unless ``versions`` is false (the versions' data is most of the memory
    of thousands of proposals)."""
    query = (
        sa.select(Proposal)
        .join(AdmissibilityCheck, AdmissibilityCheck.proposal_id == Proposal.id)
        .where(
            Proposal.call_id == call_id,
            Proposal.status == ProposalStatus.submitted,
            AdmissibilityCheck.result == Admissibility.admissible,
        )
        .order_by(Proposal.id)
    )
    if proposal_id is not None:
        query = query.where(Proposal.id == proposal_id)
    if versions:
        query = query.options(selectinload(Proposal.versions))
    return list(db.session.scalars(query))


def affiliations_of(user_id: int) -> list[Affiliation]:
    return list(
        db.session.scalars(
            sa.select(Affiliation).where(Affiliation.user_id == user_id).order_by(Affiliation.id)
        )
    )


def evaluators() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.evaluator, User.active.is_(True))
            .order_by(User.id)
        )
    )


@dataclass(frozen=True)
class EvaluatorName:
    """An active evaluator as a list names them, read as columns."""

    id: int
    name: str
    email: str


def evaluator_infos(users: Sequence[User]) -> list[EvaluatorInfo]:
    ids = [u.id for u in users]
    profiles = {
        p.user_id: p
        for p in db.session.scalars(
            sa.select(EvaluatorProfile).where(EvaluatorProfile.user_id.in_(ids or [-1]))
        )
    }
    numbers: dict[int, set[str]] = defaultdict(set)
    for affiliation in db.session.scalars(
        sa.select(Affiliation).where(Affiliation.user_id.in_(ids or [-1]))
    ):
        numbers[affiliation.user_id].add(affiliation.enterprise_number)
    return [
        EvaluatorInfo(
            u.id,
            frozenset(profiles[u.id].expertise if u.id in profiles else ()),
            frozenset(numbers[u.id]),
        )
        for u in users
    ]


def proposal_info(proposal: Proposal, deadline: datetime | None = None) -> ProposalInfo:
    data = evaluated_version(proposal, deadline).data
    # The number the proposal was submitted under and today's (a conflict either way).
    numbers = {
        proposal.organisation.enterprise_number,
        proposal.submitted_organisation.enterprise_number,
    }
    for partner in data.get("partners") or []:
        if partner.get("enterprise_number"):
            numbers.add(partner["enterprise_number"])
    return ProposalInfo(proposal.id, frozenset(data.get("technologies") or ()), frozenset(numbers))


def proposal_infos(call: Call, candidates: Sequence[Proposal]) -> list[ProposalInfo]:
    """The planning facts of many proposals, with one query for the individual deadlines."""
    deadlines = proposals.deadlines_by_organisation(call)
    return [proposal_info(p, deadlines.get(p.organisation_id, call.closes_at)) for p in candidates]


def assignments_of(call_id: int) -> list[Assignment]:
    return list(
        db.session.scalars(
            sa.select(Assignment)
            .join(Proposal, Proposal.id == Assignment.proposal_id)
            .where(Proposal.call_id == call_id)
            .order_by(Assignment.id)
        )
    )


def kept_and_excluded(
    existing: Iterable[Assignment],
) -> tuple[dict[int, list[int]], set[tuple[int, int]]]:
    """Active assignments stay; conflicted or removed pairs are never planned again."""
    kept: dict[int, list[int]] = defaultdict(list)
    excluded = set()
    for assignment in existing:
        if assignment.is_active:
            kept[assignment.proposal_id].append(assignment.evaluator_id)
        else:
            excluded.add((assignment.proposal_id, assignment.evaluator_id))
    return kept, excluded


def my_assignments(actor: User) -> list[Assignment]:
    require(actor.is_evaluator)
    return list(
        db.session.scalars(
            sa.select(Assignment)
            .where(Assignment.evaluator_id == actor.id, Assignment.status.in_(ACTIVE_ASSIGNMENT))
            .options(selectinload(Assignment.review))
            .order_by(Assignment.id)
        )
    )


def get_assignment(actor: User, assignment_id: int) -> Assignment:
    """The evaluator's own active assignment; 404 for anything else (not assigned, conflict)."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or not permissions.is_assigned(actor, assignment):
        raise NotFound()
    return assignment


def replacement_for(proposal_id: int) -> User | None:
    """The evaluator the assignment rules would add next to this proposal."""
    proposal = db.session.get_one(Proposal, proposal_id)
    kept, conflicts = kept_and_excluded(assignments_of(proposal.call_id))
    others = [p for p in admissible_proposals(proposal.call_id) if p.id != proposal.id]
    current = len(kept[proposal.id])
    result = plan(
        proposal_infos(proposal.call, [proposal, *others]),
        evaluator_infos(evaluators()),
        per_proposal=current + 1,
        kept=kept,
        conflicts=conflicts,
    )
    new = [e for p, e in result.new if p == proposal.id]
    return db.session.get(User, new[0]) if new else None


def weighted_total(scores: Iterable[Any], criteria: Sequence[Criterion] | None = None) -> Decimal:
    """0-100 from scores (objects with .criterion/.criterion_id and .score)."""
    scores = list(scores)
    if criteria is None:
        criteria = [s.criterion for s in scores]
    return ranking_policy.total_score({s.criterion_id: s.score for s in scores}, criteria)


def latest_decision(call_id: int) -> DecisionRecord | None:
    return db.session.scalar(
        sa.select(DecisionRecord)
        .where(DecisionRecord.call_id == call_id)
        .order_by(DecisionRecord.number.desc())
        .limit(1)
    )


def last_deadline(call: Call) -> datetime:
    """The instant after which no organisation can submit any more (extensions included)."""
    return deadlines.last(call)
