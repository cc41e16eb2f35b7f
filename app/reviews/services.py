"""The evaluation: criteria, admissibility, evaluators and their conflicts of interest,
assignment, independent scoring, consensus, ranking within the budget, publication.

Scores are exact decimals. A review's weighted total is on 0-100:
    total = 100 * sum(weight_i * score_i / scale_max_i) / sum(weight_i)
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.audit import services as audit
from app.auth.models import User, UserRole
from app.calls import deadlines
from app.calls.models import Call, CallPhase, Technology
from app.core import files, signals
from app.core.cache import cache
from app.core.db import db, transaction
from app.core.email import enqueue
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.permissions import Role, require
from app.core.time import BRUSSELS, before_deadline, format_brussels, utcnow
from app.organisations.enterprise_number import InvalidEnterpriseNumber, normalise
from app.organisations.models import Organisation
from app.organisations.services import active_members
from app.proposals import services as proposals
from app.proposals.models import Proposal, ProposalStatus, ProposalVersion
from app.reviews import clock, disagreement, permissions, ranking_policy
from app.reviews.assignment import EvaluatorInfo, ProposalInfo, eligible, plan
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
    EvaluationSettings,
    EvaluatorProfile,
    Outcome,
    OutcomeOverride,
    Review,
    ReviewQuorumOverride,
    ReviewStatus,
    Score,
)

HUNDRED = Decimal("100")
TWO_PLACES = Decimal("0.01")


# ---------------------------------------------------------------------------- criteria

@dataclass(frozen=True)
class CriterionInput:
    name_nl: str
    name_en: str
    weight: Decimal
    guidance_nl: str = ""
    guidance_en: str = ""
    scale_max: Decimal = Decimal("5")
    step: Decimal = Decimal("0.5")
    threshold: Decimal | None = None


DEFAULT_CRITERIA: tuple[CriterionInput, ...] = (
    CriterionInput(
        "Relevantie en praktijkgerichtheid", "Relevance and practice orientation",
        Decimal("25"), "Beantwoordt het project een reële opleidingsnood op de arbeidsmarkt? "
        "Leren de deelnemers handelen zoals op de werkvloer?",
        "Does the project meet a real training need on the labour market? Do learners "
        "practise as they would at work?", threshold=Decimal("2.5")),
    CriterionInput(
        "Didactische kwaliteit en afstemming op de doelgroep",
        "Didactic quality and fit with the target group", Decimal("25"),
        "Leerdoelen, leerinhoud en werkvormen sluiten aan bij de doelgroep; begeleiding "
        "voor, tijdens en na de opleiding; opvolging van de blend in het LMS.",
        "Objectives, content and methods fit the target group; guidance before, during and "
        "after the training; the blend followed up in the LMS.", threshold=Decimal("2.5")),
    CriterionInput(
        "Gebruik van technologie en innovatie", "Use of technology and innovation",
        Decimal("20"), "Versterkt de technologie (VR, AR, AI, gamification, ...) het leren, "
        "en is ze meer dan een gadget?",
        "Does the technology (VR, AR, AI, gamification, ...) strengthen learning rather "
        "than decorate it?"),
    CriterionInput(
        "Haalbaarheid en begroting", "Feasibility and budget", Decimal("15"),
        "Realistische planning en mijlpalen, een begroting in verhouding tot de resultaten, "
        "een sterk partnerschap.",
        "A realistic plan and milestones, a budget in proportion to the results, a strong "
        "partnership.", threshold=Decimal("2")),
    CriterionInput(
        "Bereik van kansengroepen", "Reach of disadvantaged groups", Decimal("15"),
        "Hoe bereikt en ondersteunt het project kortgeschoolden, werkzoekenden, personen "
        "met een arbeidshandicap of een migratieachtergrond?",
        "How does the project reach and support low-educated learners, jobseekers, people "
        "with a disability or a migration background?"),
)


def criteria_of(call_id: int) -> list[Criterion]:
    return list(db.session.scalars(sa.select(Criterion).where(Criterion.call_id == call_id)
                                   .order_by(Criterion.position)))


def settings_of(call: Call) -> EvaluationSettings:
    settings = db.session.get(EvaluationSettings, call.id)
    if settings is None:
        settings = EvaluationSettings(call_id=call.id, reviews_per_proposal=3,
                                      total_threshold=Decimal("60"),
                                      disagreement_spread=Decimal("20"), objection_days=15,
                                      reserve_size=5)
        db.session.add(settings)
        db.session.flush()
    return settings


def _scores_exist(call_id: int) -> bool:
    return bool(db.session.scalar(
        sa.select(Score.id).join(Criterion, Score.criterion_id == Criterion.id)
        .where(Criterion.call_id == call_id, Score.score.is_not(None)).limit(1)))


def set_criteria(actor: User | None, call_id: int,
                 items: Sequence[CriterionInput]) -> list[Criterion]:
    """Replace the call's criteria (only before anyone has scored against them)."""
    if actor is not None:
        require(permissions.can_manage(actor))
    errors: dict[str, str] = {}
    if not items:
        errors["criteria"] = _("Define at least one criterion.")
    for index, item in enumerate(items):
        if not item.name_nl.strip() or not item.name_en.strip():
            errors[f"criteria-{index}-name"] = _("Give every criterion a Dutch and an English "
                                                 "name.")
        if item.weight <= 0:
            errors[f"criteria-{index}-weight"] = _("A weight must be more than 0.")
        if item.scale_max <= 0 or item.step <= 0 or (item.scale_max % item.step) != 0:
            errors[f"criteria-{index}-scale"] = _(
                "The scale's maximum must be a whole number of steps.")
        if item.threshold is not None and not 0 <= item.threshold <= item.scale_max:
            errors[f"criteria-{index}-threshold"] = _("A threshold must lie on the scale.")
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        call = db.session.get(Call, call_id)
        if call is None:
            raise NotFound()
        if _scores_exist(call_id):
            raise DomainError(_("Evaluators have started scoring: the criteria can no "
                                "longer change."))
        before = [c.name_en for c in criteria_of(call_id)]
        db.session.execute(sa.delete(Criterion).where(Criterion.call_id == call_id))
        created = []
        for position, item in enumerate(items, start=1):
            criterion = Criterion(call_id=call_id, position=position,
                                  name_nl=item.name_nl.strip(), name_en=item.name_en.strip(),
                                  guidance_nl=item.guidance_nl.strip(),
                                  guidance_en=item.guidance_en.strip(), weight=item.weight,
                                  scale_max=item.scale_max, step=item.step,
                                  threshold=item.threshold)
            db.session.add(criterion)
            created.append(criterion)
        settings_of(call)
        db.session.flush()
        audit.record(actor, "call.criteria_set", call, before={"criteria": before},
                     after={"criteria": [f"{c.name_en} ({c.weight})" for c in created]})
    return created


# ---------------------------------------------------------------------------- admissibility

def _counting_version(proposal: Proposal, deadline: datetime | None = None) -> ProposalVersion:
    version = proposals.counting_version(proposal, deadline)
    if version is None:
        raise DomainError(_("This proposal has no version submitted before the deadline."))
    return version


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


def missing_in_version(data: Mapping) -> list[str]:
    return [name for name in proposals.REQUIRED_FIELDS if data.get(name) in (None, "", [])]


def decide_admissibility(actor: User, proposal_id: int, result: Admissibility,
                         reason: str = "") -> AdmissibilityCheck:
    require(permissions.can_manage(actor))
    if result is Admissibility.inadmissible and not reason.strip():
        raise ValidationFailed({"reason": _("Give the reason why the proposal is "
                                            "inadmissible; the applicant will read it.")})
    with transaction():
        proposal = proposals.get_proposal(actor, proposal_id, for_update=True)
        if before_deadline(utcnow(), proposals.deadline_of(proposal)):
            raise DomainError(_("Admissibility is checked after the deadline."))
        version = _counting_version(proposal)
        check = db.session.scalar(sa.select(AdmissibilityCheck).where(
            AdmissibilityCheck.proposal_id == proposal.id))
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
        audit.record(actor, f"proposal.{result.value}", proposal, before=before,
                     after={"result": result.value, "version": version.number,
                            "checks": check.checks}, reason=check.reason or None)
        if result is Admissibility.inadmissible:
            for member in active_members(proposal.organisation_id):
                enqueue("proposal_inadmissible", to=member.email, language=member.language,
                        dedupe_key=f"inadmissible:{proposal.id}:{member.id}:{check.checked_at}",
                        subject=_l("Your proposal %(reference)s is inadmissible",
                                  reference=proposal.reference),
                        template="reviews/email/inadmissible.txt", member=member,
                        proposal=proposal, reason=check.reason)
    return check


def admissibility_of(proposal_id: int) -> AdmissibilityCheck | None:
    return db.session.scalar(sa.select(AdmissibilityCheck).where(
        AdmissibilityCheck.proposal_id == proposal_id))


def admissible_proposals(call_id: int) -> list[Proposal]:
    return list(db.session.scalars(
        sa.select(Proposal).join(AdmissibilityCheck,
                                 AdmissibilityCheck.proposal_id == Proposal.id)
        .where(Proposal.call_id == call_id, Proposal.status == ProposalStatus.submitted,
               AdmissibilityCheck.result == Admissibility.admissible)
        .options(selectinload(Proposal.versions))
        .order_by(Proposal.id)))


# ---------------------------------------------------------------------------- evaluators

@dataclass(frozen=True)
class AffiliationInput:
    organisation_name: str
    enterprise_number: str
    relation: str = ""


def update_profile(actor: User, expertise: Iterable[str],
                   affiliations: Sequence[AffiliationInput]) -> EvaluatorProfile:
    """An evaluator records their expertise and every organisation they work for or with."""
    require(actor.is_evaluator)
    codes = [code for code in (t.value for t in Technology) if code in set(expertise)]
    errors: dict[str, str] = {}
    numbers = []
    for index, item in enumerate(affiliations):
        try:
            numbers.append(normalise(item.enterprise_number))
        except InvalidEnterpriseNumber:
            errors[f"affiliations-{index}-enterprise_number"] = _(
                "Enter a valid enterprise number, like 0123.456.749.")
        if not item.organisation_name.strip():
            errors[f"affiliations-{index}-organisation_name"] = _("Name the organisation.")
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        profile = db.session.get(EvaluatorProfile, actor.id)
        if profile is None:
            profile = EvaluatorProfile(user_id=actor.id)
            db.session.add(profile)
        before = {"expertise": list(profile.expertise or []),
                  "affiliations": [a.enterprise_number for a in affiliations_of(actor.id)]}
        profile.expertise = codes
        profile.updated_at = utcnow()
        db.session.execute(sa.delete(Affiliation).where(Affiliation.user_id == actor.id))
        seen = set()
        for item, number in zip(affiliations, numbers, strict=True):
            if number in seen:
                continue
            seen.add(number)
            db.session.add(Affiliation(user_id=actor.id, enterprise_number=number,
                                       organisation_name=item.organisation_name.strip(),
                                       relation=item.relation.strip()))
        db.session.flush()
        audit.record(actor, "evaluator.profile_updated", actor, before=before,
                     after={"expertise": codes, "affiliations": sorted(seen)})
    return profile


def affiliations_of(user_id: int) -> list[Affiliation]:
    return list(db.session.scalars(sa.select(Affiliation).where(Affiliation.user_id == user_id)
                                   .order_by(Affiliation.id)))


def evaluators() -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.evaluator, User.active.is_(True)).order_by(User.id)))


def _evaluator_infos(users: Sequence[User]) -> list[EvaluatorInfo]:
    ids = [u.id for u in users]
    profiles = {p.user_id: p for p in db.session.scalars(
        sa.select(EvaluatorProfile).where(EvaluatorProfile.user_id.in_(ids or [-1])))}
    numbers: dict[int, set[str]] = defaultdict(set)
    for affiliation in db.session.scalars(sa.select(Affiliation).where(
            Affiliation.user_id.in_(ids or [-1]))):
        numbers[affiliation.user_id].add(affiliation.enterprise_number)
    return [EvaluatorInfo(u.id, frozenset(profiles[u.id].expertise if u.id in profiles else ()),
                          frozenset(numbers[u.id])) for u in users]


def _proposal_info(proposal: Proposal, deadline: datetime | None = None) -> ProposalInfo:
    data = _counting_version(proposal, deadline).data
    numbers = {proposal.organisation.enterprise_number}
    for partner in data.get("partners") or []:
        if partner.get("enterprise_number"):
            numbers.add(partner["enterprise_number"])
    return ProposalInfo(proposal.id, frozenset(data.get("technologies") or ()),
                        frozenset(numbers))


def _proposal_infos(call: Call, candidates: Sequence[Proposal]) -> list[ProposalInfo]:
    """The planning facts of many proposals, with one query for the individual deadlines."""
    deadlines = proposals.deadlines_by_organisation(call)
    return [_proposal_info(p, deadlines.get(p.organisation_id, call.closes_at))
            for p in candidates]


def _assignments(call_id: int) -> list[Assignment]:
    return list(db.session.scalars(
        sa.select(Assignment).join(Proposal, Proposal.id == Assignment.proposal_id)
        .where(Proposal.call_id == call_id).order_by(Assignment.id)))


def _kept_and_excluded(existing: Iterable[Assignment]) -> tuple[dict[int, list[int]],
                                                                 set[tuple[int, int]]]:
    """Active assignments stay; conflicted or removed pairs are never planned again."""
    kept: dict[int, list[int]] = defaultdict(list)
    excluded = set()
    for assignment in existing:
        if assignment.is_active:
            kept[assignment.proposal_id].append(assignment.evaluator_id)
        else:
            excluded.add((assignment.proposal_id, assignment.evaluator_id))
    return kept, excluded


@dataclass
class AssignmentResult:
    created: list[Assignment]
    short: dict[int, int]  # proposal id -> evaluators still missing


def auto_assign(actor: User | None, call_id: int) -> AssignmentResult:
    """Fill every admissible proposal up to N evaluators; keeps what is already there."""
    if actor is not None:
        require(permissions.can_manage(actor))
    with transaction():
        call = db.session.get(Call, call_id)
        if call is None:
            raise NotFound()
        settings = settings_of(call)
        candidates = admissible_proposals(call_id)
        existing = _assignments(call_id)
        kept, conflicts = _kept_and_excluded(existing)
        result = plan(_proposal_infos(call, candidates), _evaluator_infos(evaluators()),
                      per_proposal=settings.reviews_per_proposal, kept=kept,
                      conflicts=conflicts)
        created = []
        by_key = {(a.proposal_id, a.evaluator_id): a for a in existing}
        for proposal_id, evaluator_id in result.new:
            assignment = by_key.get((proposal_id, evaluator_id))
            if assignment is None:
                assignment = Assignment(proposal_id=proposal_id, evaluator_id=evaluator_id)
                db.session.add(assignment)
            assignment.status = AssignmentStatus.awaiting_declaration
            assignment.automatic = True
            assignment.assigned_by_id = getattr(actor, "id", None)
            assignment.assigned_at = utcnow()
            created.append(assignment)
        db.session.flush()
        audit.record(actor, "call.evaluators_assigned", call,
                     after={"new": [[p, e] for p, e in result.new],
                            "short": {str(k): v for k, v in result.short.items()}})
        _notify_assigned(created)
    return AssignmentResult(created=created, short=result.short)


def assign(actor: User, proposal_id: int, evaluator_id: int) -> Assignment:
    """Assign one evaluator by hand; refused when affiliated or after a declared conflict."""
    require(permissions.can_manage(actor))
    with transaction():
        proposal = proposals.get_proposal(actor, proposal_id)
        if proposal.id not in {p.id for p in admissible_proposals(proposal.call_id)}:
            raise DomainError(_("Only admissible proposals are evaluated."))
        evaluator = db.session.get(User, evaluator_id)
        if evaluator is None or not evaluator.is_evaluator:
            raise ValidationFailed({"evaluator_id": _("Choose an evaluator.")})
        [info] = _evaluator_infos([evaluator])
        existing = db.session.scalar(sa.select(Assignment).where(
            Assignment.proposal_id == proposal.id, Assignment.evaluator_id == evaluator.id))
        conflicts = {(proposal.id, evaluator.id)} if existing is not None and \
            existing.status is AssignmentStatus.conflict else set()
        if not eligible(_proposal_info(proposal), info, conflicts):
            raise ValidationFailed({"evaluator_id": _(
                "%(name)s is affiliated with the applicant or a partner, or declared a "
                "conflict of interest for this proposal.", name=evaluator.name)})
        if existing is not None and existing.is_active:
            raise DomainError(_("%(name)s is already assigned to this proposal.",
                                name=evaluator.name))
        if existing is None:
            existing = Assignment(proposal_id=proposal.id, evaluator_id=evaluator.id)
            db.session.add(existing)
        existing.status = AssignmentStatus.awaiting_declaration
        existing.automatic = False
        existing.assigned_by_id = actor.id
        existing.assigned_at = utcnow()
        db.session.flush()
        audit.record(actor, "assignment.created", existing,
                     after={"proposal": proposal.reference, "evaluator": evaluator.email})
        _notify_assigned([existing])
    return existing


def remove_assignment(actor: User, assignment_id: int, reason: str) -> Assignment:
    require(permissions.can_manage(actor))
    if not reason.strip():
        raise ValidationFailed({"reason": _("Give the reason for removing the evaluator.")})
    with transaction():
        assignment = db.session.get(Assignment, assignment_id)
        if assignment is None:
            raise NotFound()
        if assignment.review is not None and assignment.review.status is ReviewStatus.submitted:
            raise DomainError(_("This evaluator has submitted a review; reopen it instead."))
        before = assignment.status.value
        assignment.status = AssignmentStatus.removed
        audit.record(actor, "assignment.removed", assignment, before={"status": before},
                     after={"status": "removed"}, reason=reason.strip())
    return assignment


def _notify_assigned(assignments: Iterable[Assignment]) -> None:
    for assignment in assignments:
        evaluator = db.session.get(User, assignment.evaluator_id)
        enqueue("evaluation_assigned", to=evaluator.email, language=evaluator.language,
                dedupe_key=f"assigned:{assignment.id}:{assignment.assigned_at.isoformat()}",
                subject=_l("A proposal to evaluate"),
                template="reviews/email/assigned.txt", evaluator=evaluator,
                assignment=assignment)


# ---------------------------------------------------------------------------- conflicts

def my_assignments(actor: User) -> list[Assignment]:
    require(actor.is_evaluator)
    return list(db.session.scalars(
        sa.select(Assignment).where(Assignment.evaluator_id == actor.id,
                                    Assignment.status.in_(ACTIVE_ASSIGNMENT))
        .options(selectinload(Assignment.review)).order_by(Assignment.id)))


def get_assignment(actor: User, assignment_id: int) -> Assignment:
    """The evaluator's own active assignment; 404 for anything else (not assigned, conflict)."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or not permissions.is_assigned(actor, assignment):
        raise NotFound()
    return assignment


def declare(actor: User, assignment_id: int, has_conflict: bool, reason: str = "") -> Assignment:
    """Declare, before reading, that there is no conflict of interest, or that there is one."""
    if has_conflict and not reason.strip():
        raise ValidationFailed({"reason": _("Describe the conflict of interest.")})
    with transaction():
        assignment = get_assignment(actor, assignment_id)
        if assignment.status is not AssignmentStatus.awaiting_declaration:
            raise DomainError(_("You have already made this declaration."))
        assignment.declared_at = utcnow()
        if has_conflict:
            assignment.status = AssignmentStatus.conflict
            assignment.conflict_reason = reason.strip()
        else:
            assignment.status = AssignmentStatus.accepted
        db.session.flush()
        audit.record(actor, "assignment.conflict_declared" if has_conflict
                     else "assignment.no_conflict_declared", assignment,
                     after={"proposal_id": assignment.proposal_id,
                            "status": assignment.status.value},
                     reason=assignment.conflict_reason or None)
        if has_conflict:
            proposal = assignment.proposal
            suggestion = replacement_for(proposal.id)
            for official in _officials():
                enqueue("conflict_declared", to=official.email, language=official.language,
                        dedupe_key=f"conflict:{assignment.id}:{official.id}",
                        subject=_l("Conflict of interest declared on %(reference)s",
                                  reference=proposal.reference),
                        template="reviews/email/conflict.txt", official=official,
                        assignment=assignment, proposal=proposal, suggestion=suggestion)
    return assignment


def _officials() -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.official, User.active.is_(True)).order_by(User.id)))


def replacement_for(proposal_id: int) -> User | None:
    """The evaluator the assignment rules would add next to this proposal."""
    proposal = db.session.get(Proposal, proposal_id)
    kept, conflicts = _kept_and_excluded(_assignments(proposal.call_id))
    others = [p for p in admissible_proposals(proposal.call_id) if p.id != proposal.id]
    current = len(kept[proposal.id])
    result = plan(_proposal_infos(proposal.call, [proposal, *others]),
                  _evaluator_infos(evaluators()), per_proposal=current + 1, kept=kept,
                  conflicts=conflicts)
    new = [e for p, e in result.new if p == proposal.id]
    return db.session.get(User, new[0]) if new else None


# ---------------------------------------------------------------------------- scoring

def readable_proposal(actor: User, assignment_id: int) -> tuple[Assignment, ProposalVersion]:
    """The version an evaluator scores: only after declaring no conflict of interest."""
    assignment = get_assignment(actor, assignment_id)
    if not permissions.can_read_content(actor, assignment):
        raise NotFound()
    return assignment, _counting_version(assignment.proposal)


def _parse_score(raw, criterion: Criterion) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError from exc
    if not value.is_finite() or not 0 <= value <= criterion.scale_max or value % criterion.step:
        raise ValueError
    return value


def save_review(actor: User, assignment_id: int, scores: Mapping[int, tuple[object, str]],
                overall_comment: str = "") -> Review:
    """Save the evaluator's draft: ``scores`` maps criterion id to (score, justification)."""
    with transaction():
        assignment, _version = readable_proposal(actor, assignment_id)
        review = assignment.review
        if review is None:
            review = Review(assignment=assignment, status=ReviewStatus.draft)
            db.session.add(review)
        if review.status is ReviewStatus.submitted:
            raise DomainError(_("This review is submitted and locked. Ask an official to "
                                "reopen it."))
        criteria = {c.id: c for c in criteria_of(assignment.proposal.call_id)}
        errors: dict[str, str] = {}
        existing = {s.criterion_id: s for s in review.scores}
        for criterion_id, (raw, justification) in scores.items():
            criterion = criteria.get(criterion_id)
            if criterion is None:
                continue
            try:
                value = _parse_score(raw, criterion)
            except ValueError:
                errors[f"score-{criterion_id}"] = _(
                    "Give a score from 0 to %(max)s in steps of %(step)s.",
                    max=_plain(criterion.scale_max), step=_plain(criterion.step))
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


def _plain(value: Decimal) -> str:
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
                errors[f"score-{criterion.id}"] = _("Score “%(criterion)s”.",
                                                    criterion=criterion.name)
            if score is None or not score.justification.strip():
                errors[f"justification-{criterion.id}"] = _(
                    "Justify your score for “%(criterion)s”.", criterion=criterion.name)
        if errors:
            raise ValidationFailed(errors)
        review.status = ReviewStatus.submitted
        review.submitted_at = utcnow()
        audit.record(actor, "review.submitted", review,
                     after={"proposal_id": assignment.proposal_id,
                            "total": str(weighted_total(review.scores))})
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
        audit.record(actor, "review.reopened", review, before={"status": "submitted"},
                     after={"status": "draft"}, reason=reason.strip())
    return review


def other_reviews(actor: User, assignment_id: int) -> list[Review]:
    """Other evaluators' reviews: visible only once one's own is submitted (independence)."""
    assignment = get_assignment(actor, assignment_id)
    if assignment.review is None or assignment.review.status is not ReviewStatus.submitted:
        raise DomainError(_("Submit your own review first: you see the others' scores after "
                            "that."))
    return [a.review for a in db.session.scalars(
        sa.select(Assignment).where(Assignment.proposal_id == assignment.proposal_id,
                                    Assignment.id != assignment.id,
                                    Assignment.status == AssignmentStatus.accepted)
        .options(selectinload(Assignment.review).selectinload(Review.scores))
        .order_by(Assignment.id))
        if a.review is not None and a.review.status is ReviewStatus.submitted]


# ---------------------------------------------------------------------------- totals

def weighted_total(scores: Iterable, criteria: Sequence[Criterion] | None = None) -> Decimal:
    """0-100 from scores (objects with .criterion/.criterion_id and .score)."""
    scores = list(scores)
    if criteria is None:
        criteria = [s.criterion for s in scores]
    return ranking_policy.total_score({s.criterion_id: s.score for s in scores}, criteria)


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


def review_overview(actor: User, call_id: int,
                    proposal_ids: Sequence[int] | None = None) -> list[ProposalScores]:
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
        rows = {p.id: ProposalScores(p) for p in admissible_proposals(call_id)}
    else:
        found = {p.id: p for p in db.session.scalars(sa.select(Proposal).where(
            Proposal.id.in_(proposal_ids or [-1]), Proposal.call_id == call_id))}
        rows = {pid: ProposalScores(found[pid]) for pid in proposal_ids if pid in found}
    query = (sa.select(Assignment).join(Proposal, Proposal.id == Assignment.proposal_id)
             .where(Proposal.call_id == call_id, Assignment.status.in_(ACTIVE_ASSIGNMENT))
             .options(selectinload(Assignment.review).selectinload(Review.scores)))
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
            row.per_criterion.setdefault(score.criterion_id, []).append(Decimal(score.score))
    for row in rows.values():
        if row.totals:
            row.minimum, row.maximum = min(row.totals), max(row.totals)
            row.mean = (sum(row.totals) / len(row.totals)).quantize(TWO_PLACES, ROUND_HALF_UP)
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
    key = (f"disagreement:{call_id}:{_reviews_changed(call_id)}:"
           f"{settings.disagreement_spread}:{settings.criterion_spread_share}:"
           f"{[(c.id, c.scale_max) for c in criteria]}")
    summary = cache().get(key)
    if summary is None:
        summary, _flags = disagreement.summarise(review_overview(actor, call_id), criteria,
                                                 settings)
        cache().set(key, summary)
    return summary


@dataclass
class EvaluatorCalibration:
    evaluator: User
    reviews: int
    mean_total: Decimal | None
    mean_difference: Decimal | None  # against the others on the same proposals (+ lenient)


def _sql_decimal(value) -> Decimal:
    """A number computed by the database: exact on PostgreSQL, a float on SQLite."""
    if isinstance(value, float):
        return Decimal(repr(round(value, 9)))
    return Decimal(value)


def _reviews_changed(call_id: int) -> str:
    """The call's last change of anything calibration reads, in one query."""
    row = db.session.execute(
        sa.select(sa.func.count(Review.id), sa.func.max(Review.updated_at),
                  sa.func.max(Review.submitted_at), sa.func.count(Assignment.id),
                  sa.func.max(Assignment.id), sa.func.max(Assignment.declared_at),
                  sa.func.sum(sa.case((Assignment.status == AssignmentStatus.accepted, 1),
                                      else_=0)),
                  sa.func.sum(sa.case((Review.status == ReviewStatus.submitted, 1), else_=0)))
        .select_from(Assignment).join(Proposal, Proposal.id == Assignment.proposal_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Proposal.call_id == call_id)).one()
    return "|".join(str(value) for value in row)


def calibration(actor: User, call_id: int) -> tuple[list[EvaluatorCalibration],
                                                    dict[int, Decimal]]:
    """Per evaluator: mean total and mean difference from the others on the same proposals;
    per criterion: the mean spread of scores across proposals (where evaluators disagree).

    Aggregated in SQL (one row per submitted review and one per criterion reach Python)
    and cached per call under its reviews' last change."""
    require(permissions.can_manage(actor))
    key = f"calibration:{call_id}:{_reviews_changed(call_id)}"
    cached = cache().get(key)
    if cached is not None:
        figures, spreads = cached
        users = {u.id: u for u in db.session.scalars(
            sa.select(User).where(User.id.in_([f[0] for f in figures] or [-1])))}
        return [EvaluatorCalibration(users[uid], *rest) for uid, *rest in figures], spreads
    result, spreads = _calibration(call_id)
    cache().set(key, ([(c.evaluator.id, c.reviews, c.mean_total, c.mean_difference)
                       for c in result], spreads))
    return result, spreads


def _calibration(call_id: int) -> tuple[list[EvaluatorCalibration], dict[int, Decimal]]:
    criteria = criteria_of(call_id)
    weight_sum = sum((c.weight for c in criteria), Decimal("0"))
    scored = (sa.select(Assignment.proposal_id, Assignment.evaluator_id, Review.id, Score)
              .join(Proposal, Proposal.id == Assignment.proposal_id)
              .join(Review, Review.assignment_id == Assignment.id)
              .join(Score, Score.review_id == Review.id)
              .join(Criterion, Criterion.id == Score.criterion_id)
              .where(Proposal.call_id == call_id, Criterion.call_id == call_id,
                     Assignment.status == AssignmentStatus.accepted,
                     Review.status == ReviewStatus.submitted))
    points = sa.func.sum(sa.case((Score.score.is_not(None),
                                  Criterion.weight * Score.score / Criterion.scale_max),
                                 else_=0))
    totals: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for proposal_id, evaluator_id, value in db.session.execute(
            scored.with_only_columns(Assignment.proposal_id, Assignment.evaluator_id, points)
            .group_by(Review.id, Assignment.proposal_id, Assignment.evaluator_id)):
        totals[proposal_id][evaluator_id] = \
            (_sql_decimal(value) / weight_sum * HUNDRED).quantize(TWO_PLACES, ROUND_HALF_UP) \
            if weight_sum else Decimal("0")
    mine: dict[int, list[Decimal]] = defaultdict(list)
    differences: dict[int, list[Decimal]] = defaultdict(list)
    for per_evaluator in totals.values():
        whole, count = sum(per_evaluator.values()), len(per_evaluator)
        for evaluator_id, total in per_evaluator.items():
            mine[evaluator_id].append(total)
            if count > 1:
                differences[evaluator_id].append(total - (whole - total) / (count - 1))
    users = {u.id: u for u in db.session.scalars(
        sa.select(User).where(User.id.in_(list(mine) or [-1])))}
    result = []
    for evaluator_id in sorted(mine):
        values, diffs = mine[evaluator_id], differences[evaluator_id]
        result.append(EvaluatorCalibration(
            users[evaluator_id], len(values), (sum(values) / len(values)).quantize(TWO_PLACES),
            (sum(diffs) / len(diffs)).quantize(TWO_PLACES) if diffs else None))
    per_proposal = (
        scored.where(Score.score.is_not(None))
        .with_only_columns(Score.criterion_id.label("criterion_id"),
                           (sa.func.max(Score.score) - sa.func.min(Score.score)).label("spread"))
        .group_by(Score.criterion_id, Assignment.proposal_id)
        .having(sa.func.count(Score.id) > 1).subquery())
    spreads = {criterion_id: _sql_decimal(value).quantize(TWO_PLACES)
               for criterion_id, value in db.session.execute(
                   sa.select(per_proposal.c.criterion_id, sa.func.avg(per_proposal.c.spread))
                   .group_by(per_proposal.c.criterion_id))}
    return result, spreads


# ---------------------------------------------------------------------------- consensus

def record_consensus(actor: User, proposal_id: int, criterion_id: int, score,
                     justification: str, minority_view: str = "") -> ConsensusScore:
    require(permissions.can_manage(actor))
    with transaction():
        proposal = proposals.get_proposal(actor, proposal_id)
        criterion = db.session.get(Criterion, criterion_id)
        if criterion is None or criterion.call_id != proposal.call_id:
            raise NotFound()
        require_review_quorum(proposal)
        errors: dict[str, str] = {}
        try:
            value = _parse_score(score, criterion)
        except ValueError:
            value = None
        if value is None:
            errors["score"] = _("Give a score from 0 to %(max)s in steps of %(step)s.",
                                max=_plain(criterion.scale_max), step=_plain(criterion.step))
        if not justification.strip():
            errors["justification"] = _("Write the consensus justification.")
        if errors:
            raise ValidationFailed(errors)
        consensus = db.session.scalar(sa.select(ConsensusScore).where(
            ConsensusScore.proposal_id == proposal.id,
            ConsensusScore.criterion_id == criterion.id))
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
        audit.record(actor, "proposal.consensus_recorded", proposal, before=before,
                     after={"criterion": criterion.name_en, "score": str(value)})
    return consensus


# ---------------------------------------------------------------------------- ranking

@dataclass(frozen=True)
class RankedOrganisation:
    legal_name: str
    enterprise_number: str


@dataclass(frozen=True)
class RankedProposal:
    """What the ranking, its exports and the decision need of a proposal, read as columns
    (thousands of full proposals would cost seconds on every ranking page)."""

    id: int
    reference: str
    title: str
    call_id: int
    organisation_id: int
    organisation: RankedOrganisation
    call: Call

    @property
    def display_title(self) -> str:
        return self.title or str(_l("Untitled proposal"))


@dataclass
class RankingRow:
    proposal: RankedProposal
    score: Decimal | None
    requested: Decimal
    passed: bool
    failed: list[str]  # names of the thresholds not met
    rank: int | None = None
    cumulative: Decimal | None = None
    computed: Outcome | None = None
    outcome: Outcome | None = None
    override: OutcomeOverride | None = None
    submitted_at: datetime | None = None


# Lazy: translated where it is shown, in the reader's language (never at import).
TIE_BREAK = _l("Equal scores are ordered by the score on the criterion with the highest "
               "weight (then the next), then by the earlier submission of the version that "
               "counts, then by reference.")
TIE_BREAK_CODE = "criteria_by_weight,submitted_at,reference"
WEIGHTED_TOTAL = _l("weighted total")


def ranking(call_id: int) -> list[RankingRow]:
    """Admissible proposals with a complete consensus, ranked, with the budget line.

    The policy itself is ``ranking_policy.rank`` (pure, property-tested): funded in rank
    order while the budget allows (the first proposal that does not fit ends the funded
    list); the next ``reserve_size`` passing proposals form the reserve list; the others are
    rejected; proposals below a threshold are not ranked.
    A fixed number of queries whatever the number of proposals. The ranked order is cached
    per call under the last change of what it reads (``_ranking_changed``: proposals,
    versions, admissibility, consensus, extensions, organisations, the call's budget and
    deadline, the settings and criteria), so it is never stale; overrides (which never
    move the order) are read on every call."""
    call = db.session.get(Call, call_id)
    if call is None:
        raise NotFound()
    settings = settings_of(call)
    criteria = criteria_of(call_id)
    key = f"ranking:{call_id}:{_ranking_changed(call, settings, criteria)}"
    placed = cache().get(key)
    if placed is None:
        placed = _rank(call, settings, criteria)
        cache().set(key, placed)
    overrides = {o.proposal_id: o for o in db.session.scalars(
        sa.select(OutcomeOverride).join(Proposal, Proposal.id == OutcomeOverride.proposal_id)
        .where(Proposal.call_id == call_id))}
    names = {c.id: c.name for c in criteria}
    rows = []
    for (pid, reference, title, organisation_id, legal_name, number, score, requested,
         passed, failed_ids, total_failed, rank, cumulative, computed, submitted_at) in placed:
        failed = [names[criterion_id] for criterion_id in failed_ids]
        if total_failed:
            failed.append(str(WEIGHTED_TOTAL))
        computed = Outcome(computed) if computed else None
        override = overrides.get(pid)
        rows.append(RankingRow(
            RankedProposal(pid, reference, title, call.id, organisation_id,
                           RankedOrganisation(legal_name, number), call),
            score, requested, passed, failed, rank=rank, cumulative=cumulative,
            computed=computed, outcome=override.outcome if override else computed,
            override=override, submitted_at=submitted_at))
    return rows


def _ranking_changed(call: Call, settings, criteria: Sequence[Criterion]) -> str:
    """Everything the ranked order depends on, in one query plus what is loaded already."""
    from app.audit.models import AuditRecord
    from app.calls.models import DeadlineExtension

    of_call = Proposal.call_id == call.id

    def joined(column, model):
        return sa.select(column).join(Proposal, Proposal.id == model.proposal_id) \
            .where(of_call).scalar_subquery()

    def proposals_(column):
        return sa.select(column).where(of_call).scalar_subquery()

    def extensions(column):
        return sa.select(column).where(DeadlineExtension.call_id == call.id).scalar_subquery()

    row = db.session.execute(sa.select(
        proposals_(sa.func.count(Proposal.id)), proposals_(sa.func.max(Proposal.updated_at)),
        proposals_(sa.func.max(Proposal.withdrawn_at)),
        proposals_(sa.func.sum(sa.case((Proposal.status == ProposalStatus.submitted, 1),
                                       else_=0))),
        joined(sa.func.max(ProposalVersion.id), ProposalVersion),
        joined(sa.func.count(AdmissibilityCheck.id), AdmissibilityCheck),
        joined(sa.func.max(AdmissibilityCheck.id), AdmissibilityCheck),
        joined(sa.func.max(AdmissibilityCheck.checked_at), AdmissibilityCheck),
        joined(sa.func.count(ConsensusScore.id), ConsensusScore),
        joined(sa.func.max(ConsensusScore.id), ConsensusScore),
        joined(sa.func.max(ConsensusScore.recorded_at), ConsensusScore),
        extensions(sa.func.count(DeadlineExtension.id)),
        extensions(sa.func.max(DeadlineExtension.granted_at)),
        extensions(sa.func.max(DeadlineExtension.deadline)),
        sa.select(sa.func.max(AuditRecord.id))
        .where(AuditRecord.action == "organisation.updated").scalar_subquery(),
    )).one()
    limits = (call.budget_eur, call.closes_at.isoformat(), settings.reserve_size,
              settings.total_threshold,
              [(c.id, c.position, c.weight, c.scale_max, c.step, c.threshold)
               for c in criteria])
    return "|".join(str(value) for value in (*row, *limits))


def _rank(call: Call, settings, criteria: Sequence[Criterion]) -> list[tuple]:
    """The ranked order as plain values (cacheable): one tuple per placed proposal."""
    call_id = call.id
    # The proposals as columns (never their texts); of the versions only what counts.
    candidates = {
        pid: (pid, reference, title, organisation_id, name, number)
        for pid, reference, title, organisation_id, name, number in db.session.execute(
            sa.select(Proposal.id, Proposal.reference, Proposal.title, Proposal.organisation_id,
                      Organisation.legal_name, Organisation.enterprise_number)
            .join(Organisation, Organisation.id == Proposal.organisation_id)
            .join(AdmissibilityCheck, AdmissibilityCheck.proposal_id == Proposal.id)
            .where(Proposal.call_id == call_id, Proposal.status == ProposalStatus.submitted,
                   AdmissibilityCheck.result == Admissibility.admissible)
            .order_by(Proposal.id))}
    versions: dict[int, list] = defaultdict(list)
    for version in db.session.execute(
            sa.select(ProposalVersion.proposal_id, ProposalVersion.submitted_at,
                      ProposalVersion.data["requested_eur"].as_string().label("requested"))
            .join(Proposal, Proposal.id == ProposalVersion.proposal_id)
            .where(Proposal.call_id == call_id, Proposal.status == ProposalStatus.submitted)
            .order_by(ProposalVersion.proposal_id, ProposalVersion.number)):
        versions[version.proposal_id].append(version)
    consensus: dict[int, dict[int, sa.Row]] = defaultdict(dict)
    for item in db.session.execute(
            sa.select(ConsensusScore.proposal_id, ConsensusScore.criterion_id,
                      ConsensusScore.score)
            .join(Proposal, Proposal.id == ConsensusScore.proposal_id)
            .where(Proposal.call_id == call_id)):
        consensus[item.proposal_id][item.criterion_id] = item
    deadlines = proposals.deadlines_by_organisation(call)
    inputs = []
    for pid, (_pid, reference, _title, organisation_id, _name, _number) in candidates.items():
        deadline = deadlines.get(organisation_id, call.closes_at)
        version = [v for v in versions[pid] if before_deadline(v.submitted_at, deadline)][-1]
        inputs.append(ranking_policy.Candidate(
            pid, reference, Decimal(version.requested or "0"), version.submitted_at,
            {criterion_id: item.score
             for criterion_id, item in consensus.get(pid, {}).items()}))
    placed_rows = []
    for placed in ranking_policy.rank(inputs, criteria, budget=call.budget_eur,
                                      reserve_size=settings.reserve_size,
                                      total_threshold=settings.total_threshold):
        pid = placed.candidate.key
        placed_rows.append((
            *candidates[pid], placed.score, placed.candidate.requested, placed.passed,
            [c.id for c in placed.failed], bool(placed.total_failed), placed.rank,
            placed.cumulative, placed.computed.value if placed.computed else None,
            placed.candidate.submitted_at))
    return placed_rows


def override_outcome(actor: User, proposal_id: int, outcome: Outcome | None,
                     reason: str) -> OutcomeOverride | None:
    """Depart from the computed outcome (or, with None, return to it), with a reason."""
    require(permissions.can_manage(actor))
    if not reason.strip():
        raise ValidationFailed({"reason": _("Give the reason for departing from the "
                                            "ranking.")})
    with transaction():
        proposal = proposals.get_proposal(actor, proposal_id)
        existing = db.session.scalar(sa.select(OutcomeOverride).where(
            OutcomeOverride.proposal_id == proposal.id))
        before = {"outcome": existing.outcome.value} if existing else {}
        if outcome is None:
            if existing is not None:
                db.session.delete(existing)
            result = None
        else:
            if existing is None:
                existing = OutcomeOverride(proposal_id=proposal.id)
                db.session.add(existing)
            existing.outcome = outcome
            existing.reason = reason.strip()
            existing.decided_by_id = actor.id
            existing.decided_at = utcnow()
            result = existing
        audit.record(actor, "proposal.outcome_overridden", proposal, before=before,
                     after={"outcome": outcome.value if outcome else "computed"},
                     reason=reason.strip())
    return result


# ---------------------------------------------------------------------------- publication

def decision_data(call: Call, rows: Sequence[RankingRow],
                  quorums: Mapping[int, "ReviewQuorum"] | None = None) -> dict:
    """The frozen basis of the decision: criteria, consensus per proposal, the ranking,
    and per proposal the reviews submitted and required (with the reason for fewer)."""
    criteria = criteria_of(call.id)
    if quorums is None:
        quorums = review_quorums(call.id)
    settings = settings_of(call)
    consensus: dict[int, dict[int, ConsensusScore]] = defaultdict(dict)
    for item in db.session.scalars(sa.select(ConsensusScore).join(
            Proposal, Proposal.id == ConsensusScore.proposal_id).where(
            Proposal.call_id == call.id)):
        consensus[item.proposal_id][item.criterion_id] = item
    return {
        "call": call.code, "budget_eur": f"{call.budget_eur:.2f}",
        "total_threshold": str(settings.total_threshold), "tie_break": TIE_BREAK_CODE,
        "tie_break_text": _both_languages(TIE_BREAK),
        "criteria": [{"id": c.id, "name_nl": c.name_nl, "name_en": c.name_en,
                      "weight": str(c.weight), "scale_max": str(c.scale_max),
                      "threshold": None if c.threshold is None else str(c.threshold)}
                     for c in criteria],
        "rows": [{
            "proposal_id": r.proposal.id, "reference": r.proposal.reference,
            "title": r.proposal.title, "organisation": r.proposal.organisation.legal_name,
            "enterprise_number": r.proposal.organisation.enterprise_number,
            "rank": r.rank, "score": None if r.score is None else str(r.score),
            "requested_eur": f"{r.requested:.2f}",
            "cumulative_eur": None if r.cumulative is None else f"{r.cumulative:.2f}",
            "computed": r.computed.value if r.computed else None,
            "outcome": r.outcome.value if r.outcome else None,
            "override_reason": r.override.reason if r.override else None,
            "failed_thresholds": _failed_codes(r, criteria),
            **_quorum_fields(quorums.get(r.proposal.id)),
            "consensus": [{"criterion_id": c.id,
                           "score": str(consensus[r.proposal.id][c.id].score),
                           "justification": consensus[r.proposal.id][c.id].justification,
                           "minority_view": consensus[r.proposal.id][c.id].minority_view}
                          for c in criteria if c.id in consensus[r.proposal.id]],
        } for r in rows],
    }


def _both_languages(text) -> dict[str, str]:
    result = {}
    for language in ("nl", "en"):
        with force_locale(language):
            result[language] = str(text)
    return result


def _failed_codes(row: "RankingRow", criteria: Sequence[Criterion]) -> list[dict]:
    """The thresholds a row missed, frozen as codes with both languages' names (the
    ranking names them in the language of the request that computed it)."""
    names = {str(name) for name in row.failed}
    failed = [{"code": f"criterion:{c.id}", "nl": c.name_nl, "en": c.name_en}
              for c in criteria if c.name in names]
    if str(WEIGHTED_TOTAL) in names:
        failed.append({"code": "total", **_both_languages(WEIGHTED_TOTAL)})
    return failed


def _quorum_fields(quorum: "ReviewQuorum | None") -> dict:
    if quorum is None:
        return {"reviews_submitted": None, "reviews_required": None,
                "review_override_reason": None}
    return {"reviews_submitted": quorum.submitted, "reviews_required": quorum.required,
            "review_override_reason": quorum.override_reason}


def publish_decision(actor: User, call_id: int, reason: str = "",
                     today: date | None = None) -> DecisionRecord:
    """Freeze the ranking as a decision record, notify every applicant, start the clock."""
    require(permissions.can_manage(actor))
    with transaction():
        call = db.session.get(Call, call_id)
        if call is None:
            raise NotFound()
        rows = ranking(call_id)
        if not rows or any(r.outcome is None for r in rows):
            raise DomainError(_("Every admissible proposal needs a complete consensus before "
                                "the decision can be published."))
        quorums = review_quorums(call_id)
        short = [r.proposal.reference for r in rows if not quorums[r.proposal.id].satisfied]
        if short:
            raise DomainError(_("These proposals have fewer submitted reviews than required "
                                "and no written reason to decide on fewer: %(references)s.",
                                references=", ".join(short)))
        previous = db.session.scalar(sa.select(sa.func.max(DecisionRecord.number)).where(
            DecisionRecord.call_id == call_id)) or 0
        if previous and not reason.strip():
            raise ValidationFailed({"reason": _("Say why the decision is published again.")})
        settings = settings_of(call)
        data = decision_data(call, rows, quorums)
        notified_on = today or utcnow().astimezone(BRUSSELS).date()
        data["decision_clock"] = clock.record_fields(call, notified_on)
        record = DecisionRecord(
            call_id=call.id, number=previous + 1, published_at=utcnow(),
            published_by_id=actor.id, reason=reason.strip(), data=data,
            fingerprint=ranking_policy.fingerprint(data),
            notified_on=notified_on,
            objection_until=notified_on + timedelta(days=settings.objection_days))
        db.session.add(record)
        call.phase = CallPhase.decided
        db.session.flush()
        audit.record(actor, "call.decision_published", record,
                     after={"call": call.code, "number": record.number,
                            "fingerprint": record.fingerprint,
                            "objection_until": record.objection_until.isoformat()},
                     reason=reason.strip() or None)
        signals.decision_published.send(actor, record=record)
        for row in rows:
            for member in active_members(row.proposal.organisation_id):
                enqueue("decision_published", to=member.email, language=member.language,
                        dedupe_key=f"decision:{record.id}:{row.proposal.id}:{member.id}",
                        subject=_l("Decision on your proposal %(reference)s",
                                  reference=row.proposal.reference),
                        template="reviews/email/decision.txt", member=member,
                        proposal=row.proposal, outcome=row.outcome, record=record)
    return record


def latest_decision(call_id: int) -> DecisionRecord | None:
    return db.session.scalar(sa.select(DecisionRecord).where(DecisionRecord.call_id == call_id)
                             .order_by(DecisionRecord.number.desc()).limit(1))


# ---------------------------------------------------------------------------- evaluator pages


def evaluator_attachment(actor: User, assignment_id: int, sha256: str) -> tuple[str, str]:
    """(path, filename) of an attachment of the version being evaluated; after the
    declaration only, and only files of that version."""
    _assignment, version = readable_proposal(actor, assignment_id)
    for item in version.data.get("attachments") or []:
        if item.get("sha256") == sha256:
            return str(files.path_for(sha256)), item["filename"]
    raise NotFound()


def submit_typed_review(actor: User, assignment_id: int,
                        scores: Mapping[int, tuple[object, str]],
                        overall_comment: str = "") -> Review:
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


# ---------------------------------------------------------------------------- official pages

def scoring_started(call_id: int) -> bool:
    """True once an evaluator saved a score: the criteria and outcome rules are fixed."""
    return _scores_exist(call_id)


def last_deadline(call: Call) -> datetime:
    """The instant after which no organisation can submit any more (extensions included)."""
    return deadlines.last(call)


def start_evaluation(actor: User, call_id: int, now: datetime | None = None) -> Call:
    """Move a closed call into the evaluation phase (after every deadline, audited)."""
    require(permissions.can_manage(actor))
    moment = now or utcnow()
    with transaction():
        call = db.session.get(Call, call_id, with_for_update=True)
        if call is None:
            raise NotFound()
        if call.phase is not CallPhase.published:
            raise DomainError(_("Only a published call that has closed can start its "
                                "evaluation; this one is in phase “%(phase)s”.",
                                phase=call.status_at(moment).label))
        deadline = last_deadline(call)
        if before_deadline(moment, deadline):
            raise DomainError(_("The evaluation starts after the deadline (%(deadline)s, "
                                "Brussels time, individual extensions included).",
                                deadline=format_brussels(deadline)))
        call.phase = CallPhase.evaluation
        audit.record(actor, "call.evaluation_started", call, before={"phase": "published"},
                     after={"phase": "evaluation"})
    return call


@dataclass(frozen=True)
class SettingsInput:
    reviews_per_proposal: int
    total_threshold: Decimal
    disagreement_spread: Decimal
    reserve_size: int
    objection_days: int
    criterion_spread_share: Decimal | None = None  # None: a third of the scale


def _settings_snapshot(settings: EvaluationSettings) -> dict:
    return {"reviews_per_proposal": settings.reviews_per_proposal,
            "total_threshold": str(settings.total_threshold),
            "disagreement_spread": str(settings.disagreement_spread),
            "reserve_size": settings.reserve_size, "objection_days": settings.objection_days,
            "criterion_spread_share": None if settings.criterion_spread_share is None
            else str(settings.criterion_spread_share)}


def update_settings(actor: User, call_id: int, data: SettingsInput) -> EvaluationSettings:
    """Change a call's evaluation settings. Once scoring has started the rules that decide
    outcomes (total threshold, reserve size) are fixed."""
    require(permissions.can_manage(actor))
    errors: dict[str, str] = {}
    if not 1 <= data.reviews_per_proposal <= 10:
        errors["reviews_per_proposal"] = _("Choose from 1 to 10 evaluators per proposal.")
    if not Decimal("0") <= data.total_threshold <= HUNDRED:
        errors["total_threshold"] = _("The total threshold lies from 0 to 100.")
    if not Decimal("0") <= data.disagreement_spread <= HUNDRED:
        errors["disagreement_spread"] = _("The disagreement spread lies from 0 to 100.")
    if not 0 <= data.reserve_size <= 1000:
        errors["reserve_size"] = _("The reserve list holds from 0 to 1000 proposals.")
    if not 1 <= data.objection_days <= 365:
        errors["objection_days"] = _("Allow from 1 to 365 calendar days to object.")
    if data.criterion_spread_share is not None and not \
            Decimal("0") < data.criterion_spread_share <= Decimal("1"):
        errors["criterion_spread_percent"] = _("The percentage of the scale lies above 0 and "
                                               "at most 100.")
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        call = db.session.get(Call, call_id)
        if call is None:
            raise NotFound()
        settings = settings_of(call)
        before = _settings_snapshot(settings)
        if _scores_exist(call_id) and (
                data.total_threshold != settings.total_threshold
                or data.reserve_size != settings.reserve_size):
            raise DomainError(_("Evaluators have started scoring: the total threshold and the "
                                "size of the reserve list can no longer change."))
        settings.reviews_per_proposal = data.reviews_per_proposal
        settings.total_threshold = data.total_threshold
        settings.disagreement_spread = data.disagreement_spread
        settings.reserve_size = data.reserve_size
        settings.objection_days = data.objection_days
        settings.criterion_spread_share = data.criterion_spread_share
        db.session.flush()
        audit.record(actor, "call.evaluation_settings_updated", call, before=before,
                     after=_settings_snapshot(settings))
    return settings


def record_consensus_set(actor: User, proposal_id: int,
                         items: Mapping[int, tuple[object, str, str]]) -> list[ConsensusScore]:
    """Record the consensus on several criteria at once: all of them or none.

    ``items`` maps criterion id to (score, justification, minority view); errors come back
    keyed ``score-<criterion id>``, ``justification-<criterion id>``."""
    require(permissions.can_manage(actor))
    if not items:
        raise ValidationFailed({"consensus": _("Record the consensus on at least one "
                                               "criterion.")})
    errors: dict[str, str] = {}
    recorded = []
    with transaction():
        for criterion_id, (score, justification, minority_view) in items.items():
            try:
                recorded.append(record_consensus(actor, proposal_id, criterion_id, score,
                                                 justification, minority_view))
            except ValidationFailed as exc:
                errors.update({f"{key}-{criterion_id}": message
                               for key, message in exc.errors.items()})
        if errors:
            raise ValidationFailed(errors)
    return recorded




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
    candidates = [p for p in admissible_proposals(call_id)
                  if proposal_id is None or p.id == proposal_id]
    if not candidates:
        return {}
    ids = [p.id for p in candidates]
    assignments = db.session.scalars(
        sa.select(Assignment).where(Assignment.proposal_id.in_(ids))
        .options(selectinload(Assignment.review))).all()
    submitted: dict[int, int] = defaultdict(int)
    for assignment in assignments:
        if assignment.is_active and assignment.review is not None \
                and assignment.review.status is ReviewStatus.submitted:
            submitted[assignment.proposal_id] += 1
    _kept, excluded = _kept_and_excluded(assignments)
    people = _evaluator_infos(evaluators())
    overrides = {o.proposal_id: o for o in db.session.scalars(
        sa.select(ReviewQuorumOverride).where(ReviewQuorumOverride.proposal_id.in_(ids)))}
    result = {}
    for info in _proposal_infos(call, candidates):
        possible = sum(1 for person in people if eligible(info, person, excluded))
        result[info.id] = ReviewQuorum(submitted[info.id],
                                       max(1, min(per_proposal, possible)),
                                       overrides.get(info.id))
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
        raise DomainError(_(
            "%(reference)s has %(submitted)d of the %(required)d submitted reviews it needs. "
            "Wait for the reviews, or record why the consensus goes ahead with fewer.",
            reference=proposal.reference, submitted=quorum.submitted,
            required=quorum.required))
    return quorum


def override_review_quorum(actor: User, proposal_id: int, reason: str) -> ReviewQuorumOverride:
    """Let the consensus on one proposal go ahead with fewer reviews, with a written reason
    (audited; the reason appears in the decision record and the summary report)."""
    require(permissions.can_manage(actor))
    if not reason.strip():
        raise ValidationFailed({"reason": _("Write why the consensus goes ahead with fewer "
                                            "reviews; the applicant reads it.")})
    with transaction():
        proposal = proposals.get_proposal(actor, proposal_id)
        quorum = review_quorum(proposal)
        if quorum.met:
            raise DomainError(_("%(reference)s has the reviews it needs: no override is "
                                "needed.", reference=proposal.reference))
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
        audit.record(actor, "proposal.review_quorum_overridden", proposal, before=before,
                     after={"reviews_submitted": quorum.submitted,
                            "reviews_required": quorum.required},
                     reason=existing.reason)
    return existing
