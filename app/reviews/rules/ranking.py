"""Step 7: the ranking within the budget and an official's departure from it."""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.auth.models import User
from app.calls.models import Call
from app.core.db import db, transaction
from app.core.errors import NotFound, ValidationFailed
from app.core.permissions import require
from app.core.time import before_deadline, utcnow
from app.organisations.models import Organisation
from app.proposals import services as proposals
from app.proposals.models import Proposal, ProposalStatus, ProposalVersion
from app.reviews import permissions, ranking_policy
from app.reviews.facts import criteria_of, settings_of
from app.reviews.models import (
    Admissibility,
    AdmissibilityCheck,
    ConsensusScore,
    Outcome,
    OutcomeOverride,
)

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


class Ranking(Sequence[RankingRow]):
    """The ranked rows (a sequence, in ranking order) and their summary, computed once from
    every row: the ranked and funded counts, the funded total and the last funded row (the
    budget line falls after it; before the first ranked row when it is None)."""

    def __init__(self, rows: list[RankingRow]) -> None:
        self.rows = rows
        self.ranked = [row for row in rows if row.rank is not None]
        self.funded = [row for row in self.ranked if row.computed is Outcome.funded]
        self.funded_total = sum((row.requested for row in self.funded), Decimal("0"))
        self.last_funded = self.funded[-1] if self.funded else None

    @property
    def last_funded_id(self) -> int | None:
        return self.last_funded.proposal.id if self.last_funded else None

    @property
    def last_funded_rank(self) -> int | None:
        return self.last_funded.rank if self.last_funded else None

    @property
    def complete(self) -> bool:
        """Every row has an outcome (a complete consensus): the decision may be published."""
        return bool(self.rows) and all(row.outcome is not None for row in self.rows)

    def __getitem__(self, index):  # type: ignore[override]
        return self.rows[index]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[RankingRow]:
        return iter(self.rows)


def ranking(call_id: int) -> Ranking:
    """Admissible proposals with a complete consensus, ranked, with the budget line.

    Returns the rows with their summary (funded total, last funded, budget line). The policy
    itself is ``ranking_policy.rank`` (pure, property-tested): funded in rank
    order while the budget allows (the first proposal that does not fit ends the funded
    list); the next ``reserve_size`` passing proposals form the reserve list; the others are
    rejected; proposals below a threshold are not ranked.
    A fixed number of queries whatever the number of proposals."""
    call = db.session.get(Call, call_id)
    if call is None:
        raise NotFound()
    settings = settings_of(call)
    criteria = criteria_of(call_id)
    # The proposals as columns (never their texts); of the versions only what counts.
    candidates = [
        RankedProposal(pid, reference, title, call.id, organisation_id,
                       RankedOrganisation(name, number), call)
        for pid, reference, title, organisation_id, name, number in db.session.execute(
            sa.select(Proposal.id, Proposal.reference, Proposal.title, Proposal.organisation_id,
                      Organisation.legal_name, Organisation.enterprise_number)
            .join(Organisation, Organisation.id == Proposal.organisation_id)
            .join(AdmissibilityCheck, AdmissibilityCheck.proposal_id == Proposal.id)
            .where(Proposal.call_id == call_id, Proposal.status == ProposalStatus.submitted,
                   AdmissibilityCheck.result == Admissibility.admissible)
            .order_by(Proposal.id))]
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
    overrides = {o.proposal_id: o for o in db.session.scalars(
        sa.select(OutcomeOverride).join(Proposal, Proposal.id == OutcomeOverride.proposal_id)
        .where(Proposal.call_id == call_id))}
    deadlines = proposals.deadlines_by_organisation(call)
    by_id = {}
    inputs = []
    for proposal in candidates:
        deadline = deadlines.get(proposal.organisation_id, call.closes_at)
        version = [v for v in versions[proposal.id]
                   if before_deadline(v.submitted_at, deadline)][-1]
        by_id[proposal.id] = proposal
        inputs.append(ranking_policy.Candidate(
            proposal.id, proposal.reference, Decimal(version.requested or "0"),
            version.submitted_at,
            {criterion_id: item.score
             for criterion_id, item in consensus.get(proposal.id, {}).items()}))
    rows = []
    for placed in ranking_policy.rank(inputs, criteria, budget=call.budget_eur,
                                      reserve_size=settings.reserve_size,
                                      total_threshold=settings.total_threshold):
        failed = [c.name for c in placed.failed]
        if placed.total_failed:
            failed.append(str(WEIGHTED_TOTAL))
        override = overrides.get(placed.candidate.key)
        rows.append(RankingRow(
            by_id[placed.candidate.key], placed.score, placed.candidate.requested,
            placed.passed, failed, rank=placed.rank, cumulative=placed.cumulative,
            computed=placed.computed, outcome=override.outcome if override else placed.computed,
            override=override, submitted_at=placed.candidate.submitted_at))
    return Ranking(rows)


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
