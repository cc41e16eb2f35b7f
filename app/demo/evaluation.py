"""Last year's demo call, evaluated from start to finish, for ``seed-demo``.

After calls.py has built the calls, the official and nine evaluators take last year's call
through the whole evaluation with the real services (app/reviews): criteria and settings,
admissibility, evaluators' expertise and affiliations, automatic assignment (which keeps
affiliated evaluators away), declarations of conflicts of interest (two evaluators declare
one; the assignment is refilled), independent reviews, consensus per criterion and a
published decision, so a newcomer sees a complete, defensible ranking.

The reviews follow from a per-proposal quality drawn from a fixed random seed and from the
proposal's own content (scoring.py), so evaluators roughly agree, one is consistently harsher
and one more lenient (visible in the calibration), and on three proposals one evaluator
strongly disagrees (flagged). Every text is plausible Dutch that refers to the proposal
(observations.py, texts.py).

Idempotent: a call with criteria, admissibility checks, assignments or a decision is left
as it is (an official may have started by hand); the summary line reads what is stored.
"""

import random
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.auth import services as auth_services
from app.auth.models import User
from app.calls.models import Call, ProjectType
from app.core.db import db, transaction
from app.core.money import format_euro
from app.core.time import to_brussels, utcnow
from app.demo.calls import build_calls
from app.demo.calls import summary as call_summary
from app.demo.content import EVALUATION_SEED, EXPERT_BY_EMAIL
from app.demo.dates import call_code, open_call_year
from app.demo.evaluators import DISAGREEMENTS, ensure_evaluators
from app.demo.facts import facts_of
from app.demo.observations import observations_of
from app.demo.scoring import Scoring, appeal, merits_of, review_scores
from app.demo.texts import CRITICISM, PRAISE, consensus_text, justification, overall_text
from app.proposals import services as proposals
from app.proposals.models import Proposal, ProposalStatus
from app.reviews import facts as review_facts
from app.reviews.models import (
    Admissibility,
    AdmissibilityCheck,
    Assignment,
    AssignmentStatus,
    Criterion,
    DecisionRecord,
    Outcome,
    Review,
    ReviewStatus,
)
from app.reviews.rules import admissibility as admissibility_rules
from app.reviews.rules import assignment as assignment_rules
from app.reviews.rules import conflicts as conflicts_rules
from app.reviews.rules import consensus as consensus_rules
from app.reviews.rules import criteria as criteria_rules
from app.reviews.rules import decisions as decisions_rules
from app.reviews.rules import scoring as scoring_rules

OFFICIAL_EMAIL = "ambtenaar@esf-eleren.example"  # app/demo/accounts.py creates this official
DECISION_AFTER = timedelta(weeks=10)  # published within the 12 weeks after the deadline

# ============================================================================ admissibility


def _budget_mismatch(proposal: Proposal, counting) -> tuple[str, Decimal] | None:
    """(filename, amount) when the budget attached states another subsidy than the form."""
    attached = [
        a
        for a in counting.data.get("attachments") or []
        if a["filename"].startswith("Projectbegroting")
    ]
    if not attached:
        return None
    latest = attached[-1]
    for version in proposal.versions:
        if any(a["sha256"] == latest["sha256"] for a in version.data.get("attachments") or []):
            amount = Decimal(str(version.data.get("requested_eur") or "0"))
            if amount != Decimal(str(counting.data.get("requested_eur") or "0")):
                return latest["filename"], amount
            return None
    return None


def _inadmissible(submitted: list[tuple[Proposal, Any]]) -> dict[int, str]:
    """Two or three proposals an official finds inadmissible, with the reason."""
    rng = random.Random(f"{EVALUATION_SEED}:admissibility")
    reasons: dict[int, str] = {}
    for proposal, version in submitted:
        found = _budget_mismatch(proposal, version)
        if found:
            filename, amount = found
            reasons[proposal.id] = (
                f"De begroting in bijlage ({filename}) vermeldt een gevraagde subsidie van "
                f"{format_euro(amount)}, het aanvraagformulier "
                f"{format_euro(Decimal(str(version.data['requested_eur'])))}. De gevraagde "
                "subsidie ligt daardoor niet eenduidig vast."
            )
            break
    others = [(p, v) for p, v in submitted if p.id not in reasons]
    new = [(p, v) for p, v in others if v.data.get("project_type") == ProjectType.new.value]
    existing = [
        (p, v)
        for p, v in others
        if v.data.get("project_type") != ProjectType.new.value and v.data.get("training_reference")
    ]
    if new:
        proposal, version = rng.choice(new)
        reasons[proposal.id] = (
            "De opleiding staat niet in de opleidingsdatabank en er is geen aanvraag tot "
            f"opname. Voor de nieuwe opleiding {version.data.get('training_name')} werd bij de "
            "Vlaamse opleidingsincentives geen aanvraag tot opname ingediend, zodat niet "
            "vaststaat dat ze in aanmerking komt."
        )
    if existing and len(reasons) < 3:
        proposal, version = rng.choice(existing)
        reasons[proposal.id] = (
            f"Het opgegeven opleidingsnummer {version.data.get('training_reference')} komt niet "
            "voor in de opleidingsdatabank van de Vlaamse opleidingsincentives, en er is geen "
            "aanvraag tot opname ingediend. De opleiding komt zo niet in aanmerking."
        )
    return reasons


# ============================================================================ the evaluation


def _decision_day(call: Call, now: datetime) -> date:
    """Ten weeks after the deadline (within the 12 weeks), but never after today."""
    return min(to_brussels(call.deadline + DECISION_AFTER).date(), to_brussels(now).date())


def _started(call: Call) -> bool:
    def exists(query) -> bool:
        return db.session.scalar(query.limit(1)) is not None

    in_call = sa.select(Proposal.id).where(Proposal.call_id == call.id)
    return (
        exists(sa.select(Criterion.id).where(Criterion.call_id == call.id))
        or exists(
            sa.select(AdmissibilityCheck.id).where(AdmissibilityCheck.proposal_id.in_(in_call))
        )
        or exists(sa.select(Assignment.id).where(Assignment.proposal_id.in_(in_call)))
        or exists(sa.select(DecisionRecord.id).where(DecisionRecord.call_id == call.id))
    )


def _declare_all(official: User, call: Call, users: dict[int, User]) -> int:
    """Every evaluator declares on their new assignments; two declare a conflict once."""
    conflicts = 0
    declared_conflict: set[int] = set()
    for _round in range(4):
        waiting = list(
            db.session.scalars(
                sa.select(Assignment)
                .join(Proposal, Proposal.id == Assignment.proposal_id)
                .where(
                    Proposal.call_id == call.id,
                    Assignment.status == AssignmentStatus.awaiting_declaration,
                )
                .order_by(Assignment.id)
            )
        )
        if not waiting:
            break
        mine: dict[int, list[Assignment]] = defaultdict(list)
        for assignment in waiting:
            mine[assignment.evaluator_id].append(assignment)
        chosen: dict[int, Assignment] = {}
        for evaluator_id, assignments in mine.items():
            expert = EXPERT_BY_EMAIL.get(users[evaluator_id].email)
            if expert is None or not expert.conflict or evaluator_id in declared_conflict:
                continue
            preferred = [
                a
                for a in assignments
                if a.proposal.organisation.enterprise_number in expert.conflict_with
            ]
            chosen[evaluator_id] = (preferred or assignments)[0]
        for assignment in waiting:
            evaluator = users[assignment.evaluator_id]
            if chosen.get(evaluator.id) is assignment:
                expert = EXPERT_BY_EMAIL[evaluator.email]
                conflicts_rules.declare(
                    evaluator,
                    assignment.id,
                    True,
                    expert.conflict.format(
                        organisation=assignment.proposal.organisation.legal_name
                    ),
                )
                declared_conflict.add(evaluator.id)
                conflicts += 1
            else:
                conflicts_rules.declare(evaluator, assignment.id, False)
        if chosen:
            assignment_rules.auto_assign(official, call.id)  # fills the places the conflicts left
    return conflicts


def evaluate(call: Call, password: str, now: datetime) -> None:
    """Take ``call`` (closed, with submitted proposals) through the whole evaluation."""
    official = auth_services.get_user_by_email(OFFICIAL_EMAIL)
    if official is None:  # pragma: no cover (app/demo/accounts.py creates the official first)
        raise RuntimeError(f"the demo official {OFFICIAL_EMAIL} is missing")
    evaluators = ensure_evaluators(password)

    criteria = criteria_rules.set_criteria(None, call.id, criteria_rules.DEFAULT_CRITERIA)
    settings = review_facts.settings_of(call)
    settings.reviews_per_proposal = 3
    settings.total_threshold = Decimal("60")
    settings.reserve_size = 5
    settings.objection_days = 15

    # Admissibility of every proposal submitted (not withdrawn) before the deadline.
    deadlines = proposals.deadlines_by_organisation(call)
    submitted = []
    for proposal in db.session.scalars(
        sa.select(Proposal)
        .where(Proposal.call_id == call.id, Proposal.status == ProposalStatus.submitted)
        .order_by(Proposal.id)
    ):
        version = proposals.counting_version(
            proposal, deadlines.get(proposal.organisation_id, call.closes_at)
        )
        if version is not None:
            submitted.append((proposal, version))
    refused = _inadmissible(submitted)
    for proposal, _version in submitted:
        if proposal.id in refused:
            admissibility_rules.decide_admissibility(
                official, proposal.id, Admissibility.inadmissible, refused[proposal.id]
            )
        else:
            admissibility_rules.decide_admissibility(
                official, proposal.id, Admissibility.admissible
            )
    release = admissibility_rules.release_preview(official, call.id)
    if release.proposals:  # the applicants are told, in one confirmed step
        admissibility_rules.release_results(official, call.id, release.token)

    # Assignment, declarations (two conflicts, refilled), then the reviews.
    assignment_rules.auto_assign(official, call.id)
    users = {u.id: u for u in review_facts.evaluators()}
    _declare_all(official, call, users)

    admitted = [(p, v) for p, v in submitted if p.id not in refused]
    rng = random.Random(f"{EVALUATION_SEED}:{call.code}")
    facts = [facts_of(p, v.data) for p, v in admitted]
    by_appeal = sorted(facts, key=lambda f: (appeal(f, rng), f.proposal.id))
    count = len(by_appeal)
    plans: dict[int, Scoring] = {}
    for rank, f in enumerate(by_appeal):
        # A ladder of qualities, weakest first: about a sixth below the total threshold.
        quality = 2.45 + 2.2 * (rank / max(count - 1, 1)) ** 0.7
        plans[f.proposal.id] = Scoring(f, quality, merits_of(f, quality, criteria, rng))
    # One good proposal fails the feasibility threshold (a budget that does not add up).
    middle = [p for p in plans.values() if 3.5 <= p.quality <= 4.0]
    weak_budget = None
    if middle and criteria[3].threshold is not None:
        weak_budget = rng.choice(sorted(middle, key=lambda p: p.facts.proposal.id))
        weak_budget.merit[3] = float(criteria[3].threshold) - 0.6

    accepted = list(
        db.session.scalars(
            sa.select(Assignment)
            .join(Proposal, Proposal.id == Assignment.proposal_id)
            .where(Proposal.call_id == call.id, Assignment.status == AssignmentStatus.accepted)
            .order_by(Assignment.id)
        )
    )
    assigned: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in accepted:
        assigned[assignment.proposal_id].append(assignment)
    disputed = sorted(
        (
            p
            for p in plans.values()
            if 3.0 <= p.quality <= 4.2
            and p is not weak_budget
            and len(assigned[p.facts.proposal.id]) >= 3
        ),
        key=lambda p: p.facts.proposal.id,
    )
    for number, plan in enumerate(rng.sample(disputed, min(DISAGREEMENTS, len(disputed)))):
        plan.outlier = rng.choice(sorted(a.evaluator_id for a in assigned[plan.facts.proposal.id]))
        plan.outlier_shift = -1.6 if number % 2 == 0 else 1.6  # much harsher, more lenient
    biases = {u.id: EXPERT_BY_EMAIL[u.email].bias for u in evaluators}
    limit = float(settings.disagreement_spread) * 0.9
    for proposal_id, plan in plans.items():
        review_scores(
            plan, [a.evaluator_id for a in assigned[proposal_id]], biases, criteria, limit
        )

    for assignment in accepted:
        plan = plans[assignment.proposal_id]
        evaluator = users[assignment.evaluator_id]
        text_rng = random.Random(
            f"{EVALUATION_SEED}:{plan.facts.proposal.reference}:{evaluator.email}"
        )
        observations = observations_of(plan.facts)
        scores = plan.scores[evaluator.id]
        praise = text_rng.sample(PRAISE, len(PRAISE))  # each closing remark once a review
        criticism = text_rng.sample(CRITICISM, len(CRITICISM))
        written, used = {}, []
        for criterion, score, (strong, weak) in zip(criteria, scores, observations, strict=True):
            text, points = justification(
                score, strong, weak, text_rng, praise if score >= 4 else criticism
            )
            written[criterion.id] = (str(score), text)
            used.append(points)
        plan.texts[evaluator.id] = used
        scoring_rules.save_review(
            evaluator, assignment.id, written, overall_text(plan, scores, criteria, text_rng)
        )
        scoring_rules.submit_review(evaluator, assignment.id)

    # Consensus per proposal and criterion, then the decision.
    for proposal_id, plan in plans.items():
        consensus_rng = random.Random(
            f"{EVALUATION_SEED}:{plan.facts.proposal.reference}:consensus"
        )
        consensus_rules.record_consensus_set(
            official,
            proposal_id,
            {
                criterion.id: consensus_text(plan, index, criterion, consensus_rng)
                for index, criterion in enumerate(criteria)
            },
        )
    decisions_rules.publish_decision(official, call.id, today=_decision_day(call, now))


def summary(call: Call) -> str:
    """One line: admissibility, reviews, flags, the published decision's outcomes."""
    in_call = sa.select(Proposal.id).where(Proposal.call_id == call.id)
    checks = dict(
        db.session.execute(
            sa.select(AdmissibilityCheck.result, sa.func.count(AdmissibilityCheck.id))
            .where(AdmissibilityCheck.proposal_id.in_(in_call))
            .group_by(AdmissibilityCheck.result)
        )
        .tuples()
        .all()
    )
    submitted = db.session.scalar(
        sa.select(sa.func.count(Review.id))
        .join(Assignment, Assignment.id == Review.assignment_id)
        .where(Assignment.proposal_id.in_(in_call), Review.status == ReviewStatus.submitted)
    )
    conflicts = db.session.scalar(
        sa.select(sa.func.count(Assignment.id)).where(
            Assignment.proposal_id.in_(in_call), Assignment.status == AssignmentStatus.conflict
        )
    )
    evaluators = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Assignment.evaluator_id))).where(
            Assignment.proposal_id.in_(in_call), Assignment.status == AssignmentStatus.accepted
        )
    )
    line = (
        f"evaluation {call.code}: {checks.get(Admissibility.admissible, 0)} admissible, "
        f"{checks.get(Admissibility.inadmissible, 0)} inadmissible, {evaluators} "
        f"evaluators, {conflicts} conflicts of interest, {submitted} reviews"
    )
    record = review_facts.latest_decision(call.id)
    if record is None:
        return line + ", no decision published"
    outcomes = Counter(row["outcome"] for row in record.data["rows"])
    return (
        line + f", decision {record.number} published (notified "
        f"{record.notified_on:%d-%m-%Y}): "
        + ", ".join(f"{outcomes.get(o.value, 0)} {o.value.replace('_', ' ')}" for o in Outcome)
    )


def build_and_evaluate_calls(password: str, now: datetime | None = None) -> list[str]:
    """Build the demo calls (calls.py), then evaluate last year's call once.

    One summary line per call (as the calls stand after the evaluation), then one for the
    evaluation."""
    now = now or utcnow()
    build_calls(password, now)
    year = open_call_year(now)
    codes = [call_code(y) for y in (year, year - 1)]
    by_code = {c.code: c for c in db.session.scalars(sa.select(Call).where(Call.code.in_(codes)))}
    earlier = by_code[codes[1]]
    if not _started(earlier):
        with transaction():
            evaluate(earlier, password, now)
    return [*(call_summary(by_code[code], now) for code in codes), summary(earlier)]
