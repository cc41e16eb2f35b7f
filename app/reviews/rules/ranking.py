"""Step 7: the ranking within the budget and an official's departure from it."""

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, overload

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.auth.models import User
from app.calls.models import Call
from app.core.cache import cache
from app.core.db import db, side_by_side, transaction
from app.core.errors import NotFound, ValidationFailed
from app.core.pagination import Page, choice
from app.core.permissions import require
from app.core.time import before_deadline, utcnow
from app.organisations.models import Organisation
from app.proposals import access as proposal_access
from app.proposals import services as proposals
from app.proposals.models import Proposal, ProposalStatus, ProposalVersion
from app.reviews import permissions, ranking_policy
from app.reviews.facts import criteria_of, settings_of
from app.reviews.models import (
    Admissibility,
    AdmissibilityCheck,
    ConsensusScore,
    Criterion,
    EvaluationSettings,
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
TIE_BREAK = _l(
    "Equal scores are ordered by the score on the criterion with the highest "
    "weight (then the next), then by the earlier submission of the version that "
    "counts, then by reference."
)
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

    @overload
    def __getitem__(self, index: int) -> RankingRow: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[RankingRow]: ...
    def __getitem__(self, index: int | slice) -> RankingRow | Sequence[RankingRow]:
        return self.rows[index]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[RankingRow]:
        return iter(self.rows)


def ranking(call_id: int) -> Ranking:
    """Admissible proposals with a complete consensus, ranked, with the budget line.

    Returns the rows with their summary (funded total, last funded, budget line).
    The policy itself is ``ranking_policy.rank`` (pure, property-tested): funded in rank
    order while the budget allows (the first proposal that does not fit ends the funded
    list); the next ``reserve_size`` passing proposals form the reserve list; the others are
    rejected; proposals below a threshold are not ranked.
    A fixed number of queries whatever the number of proposals. The ranked order is cached
    per call under the last change of what it reads (``_ranking_changed``: proposals,
    versions, admissibility, consensus, extensions, organisations, the call's budget and
    deadline, the settings and criteria), so it is never stale; overrides (which never
    move the order) are read on every call."""
    call, criteria, placed = _placed(call_id)
    overrides = _overrides(call_id)
    names = {c.id: c.name for c in criteria}
    return Ranking([_row(item, call, names, overrides) for item in placed])


@dataclass(frozen=True)
class RankingSummary:
    """What every page of the ranking shows of the whole: the budget line and totals."""

    ranked: int
    funded: int
    funded_total: Decimal
    last_funded_id: int | None  # the budget line falls after it (before rank 1 if None)
    last_funded_rank: int | None
    complete: bool  # every row has an outcome: the decision may be published


RANKING_FILTERS = ("all", "funded", "reserve", "rejected", "below_threshold", "incomplete")


def ranking_page(call_id: int, args: Mapping[str, str]) -> tuple[Page, RankingSummary, str]:
    """One page of the ranking (``args``: page, outcome: one of RANKING_FILTERS), with the
    summary of every row: the same rows, order and figures as ``ranking``, but only the
    page's rows are built (from the cached order), never thousands."""
    call, criteria, placed = _placed(call_id)
    overrides = _overrides(call_id)
    shown_filter = choice(args, "outcome", RANKING_FILTERS, "all")

    def outcome(item: tuple[Any, ...]) -> str:
        override = overrides.get(item[0])
        return override.outcome.value if override else item[13] or "incomplete"

    shown = placed if shown_filter == "all" else [p for p in placed if outcome(p) == shown_filter]
    page = Page.of(args, len(shown))
    names = {c.id: c.name for c in criteria}
    page.items = [_row(item, call, names, overrides) for item in page.slice(shown)]
    ranked = [item for item in placed if item[11] is not None]
    funded = [item for item in ranked if item[13] == Outcome.funded.value]
    summary = RankingSummary(
        ranked=len(ranked),
        funded=len(funded),
        funded_total=sum((item[7] for item in funded), Decimal("0")),
        last_funded_id=funded[-1][0] if funded else None,
        last_funded_rank=funded[-1][11] if funded else None,
        complete=bool(placed) and all(item[13] or item[0] in overrides for item in placed),
    )
    return page, summary, shown_filter


def _placed(call_id: int) -> tuple[Call, list[Criterion], list[tuple[Any, ...]]]:
    """The call, its criteria and the ranked order as plain values, from the cache when
    the call has not changed since (see ``ranking``)."""
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
    return call, criteria, placed


def _overrides(call_id: int) -> dict[int, OutcomeOverride]:
    return {
        o.proposal_id: o
        for o in db.session.scalars(
            sa.select(OutcomeOverride)
            .join(Proposal, Proposal.id == OutcomeOverride.proposal_id)
            .where(Proposal.call_id == call_id)
        )
    }


def _row(
    item: tuple[Any, ...],
    call: Call,
    names: Mapping[int, str],
    overrides: Mapping[int, OutcomeOverride],
) -> RankingRow:
    (
        pid,
        reference,
        title,
        organisation_id,
        legal_name,
        number,
        score,
        requested,
        passed,
        failed_ids,
        total_failed,
        rank,
        cumulative,
        computed,
        submitted_at,
    ) = item
    failed = [names[criterion_id] for criterion_id in failed_ids]
    if total_failed:
        failed.append(str(WEIGHTED_TOTAL))
    computed = Outcome(computed) if computed else None
    override = overrides.get(pid)
    return RankingRow(
        RankedProposal(
            pid,
            reference,
            title,
            call.id,
            organisation_id,
            RankedOrganisation(legal_name, number),
            call,
        ),
        score,
        requested,
        passed,
        failed,
        rank=rank,
        cumulative=cumulative,
        computed=computed,
        outcome=override.outcome if override else computed,
        override=override,
        submitted_at=submitted_at,
    )


def _ranking_changed(
    call: Call, settings: EvaluationSettings, criteria: Sequence[Criterion]
) -> str:
    """Everything the ranked order depends on, in one query (each table read once) plus
    what is loaded already."""
    from app.calls.models import DeadlineExtension

    of_call = Proposal.call_id == call.id

    def joined(model: Any, *columns: Any) -> sa.Select[Any]:
        return sa.select(*columns).join(Proposal, Proposal.id == model.proposal_id).where(of_call)

    row = db.session.execute(
        side_by_side(
            sa.select(
                sa.func.count(Proposal.id),
                sa.func.max(Proposal.updated_at),
                sa.func.sum(sa.case((Proposal.status == ProposalStatus.submitted, 1), else_=0)),
            ).where(of_call),
            sa.select(sa.func.max(Proposal.withdrawn_at)).where(of_call),
            joined(ProposalVersion, sa.func.max(ProposalVersion.id)),
            joined(
                AdmissibilityCheck,
                sa.func.count(AdmissibilityCheck.id),
                sa.func.max(AdmissibilityCheck.id),
                sa.func.max(AdmissibilityCheck.checked_at),
            ),
            joined(
                ConsensusScore,
                sa.func.count(ConsensusScore.id),
                sa.func.max(ConsensusScore.id),
                sa.func.max(ConsensusScore.recorded_at),
            ),
            sa.select(
                sa.func.count(DeadlineExtension.id),
                sa.func.max(DeadlineExtension.granted_at),
                sa.func.max(DeadlineExtension.deadline),
            ).where(DeadlineExtension.call_id == call.id),
        )
    ).one()
    limits = (
        call.budget_eur,
        call.closes_at.isoformat(),
        settings.reserve_size,
        settings.total_threshold,
        [(c.id, c.position, c.weight, c.scale_max, c.step, c.threshold) for c in criteria],
    )
    return "|".join(str(value) for value in (*row, *limits))


def _rank(
    call: Call, settings: EvaluationSettings, criteria: Sequence[Criterion]
) -> list[tuple[Any, ...]]:
    """The ranked order as plain values (cacheable): one tuple per placed proposal."""
    call_id = call.id
    # The proposals as columns (never their texts); of the versions only what counts.
    candidates = {
        pid: (pid, reference, title, organisation_id, name, number)
        for pid, reference, title, organisation_id, name, number in db.session.execute(
            sa.select(
                Proposal.id,
                Proposal.reference,
                Proposal.title,
                Proposal.organisation_id,
                Organisation.legal_name,
                Organisation.enterprise_number,
            )
            .join(Organisation, Organisation.id == Proposal.organisation_id)
            .join(AdmissibilityCheck, AdmissibilityCheck.proposal_id == Proposal.id)
            .where(
                Proposal.call_id == call_id,
                Proposal.status == ProposalStatus.submitted,
                AdmissibilityCheck.result == Admissibility.admissible,
            )
            .order_by(Proposal.id)
        )
    }
    versions: dict[int, list[sa.Row[Any]]] = defaultdict(list)
    for version in db.session.execute(
        sa.select(
            ProposalVersion.proposal_id,
            ProposalVersion.submitted_at,
            ProposalVersion.data["requested_eur"].as_string().label("requested"),
            ProposalVersion.organisation["legal_name"].as_string().label("legal_name"),
            ProposalVersion.organisation["enterprise_number"].as_string().label("number"),
        )
        .join(Proposal, Proposal.id == ProposalVersion.proposal_id)
        .where(Proposal.call_id == call_id, Proposal.status == ProposalStatus.submitted)
        .order_by(ProposalVersion.proposal_id, ProposalVersion.number)
    ):
        versions[version.proposal_id].append(version)
    consensus: dict[int, dict[int, sa.Row[Any]]] = defaultdict(dict)
    for item in db.session.execute(
        sa.select(ConsensusScore.proposal_id, ConsensusScore.criterion_id, ConsensusScore.score)
        .join(Proposal, Proposal.id == ConsensusScore.proposal_id)
        .where(Proposal.call_id == call_id)
    ):
        consensus[item.proposal_id][item.criterion_id] = item
    deadlines = proposals.deadlines_by_organisation(call)
    inputs = []
    for pid, (_pid, reference, title, organisation_id, name, number) in candidates.items():
        deadline = deadlines.get(organisation_id, call.closes_at)
        version = [v for v in versions[pid] if before_deadline(v.submitted_at, deadline)][-1]
        # The organisation as the evaluated version froze it, not as it is now.
        candidates[pid] = (
            pid,
            reference,
            title,
            organisation_id,
            version.legal_name or name,
            version.number or number,
        )
        inputs.append(
            ranking_policy.Candidate(
                pid,
                reference,
                Decimal(version.requested or "0"),
                version.submitted_at,
                {criterion_id: item.score for criterion_id, item in consensus.get(pid, {}).items()},
            )
        )
    placed_rows = []
    for placed in ranking_policy.rank(
        inputs,
        criteria,
        budget=call.budget_eur,
        reserve_size=settings.reserve_size,
        total_threshold=settings.total_threshold,
    ):
        pid = placed.candidate.key
        placed_rows.append(
            (
                *candidates[pid],
                placed.score,
                placed.candidate.requested,
                placed.passed,
                [c.id for c in placed.failed],
                bool(placed.total_failed),
                placed.rank,
                placed.cumulative,
                placed.computed.value if placed.computed else None,
                placed.candidate.submitted_at,
            )
        )
    return placed_rows


def override_outcome(
    actor: User, proposal_id: int, outcome: Outcome | None, reason: str
) -> OutcomeOverride | None:
    """Depart from the computed outcome (or, with None, return to it), with a reason."""
    require(permissions.can_manage(actor))
    if not reason.strip():
        raise ValidationFailed({"reason": _("Give the reason for departing from the ranking.")})
    with transaction():
        proposal = proposal_access.get_proposal(actor, proposal_id)
        existing = db.session.scalar(
            sa.select(OutcomeOverride).where(OutcomeOverride.proposal_id == proposal.id)
        )
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
        audit.record(
            actor,
            "proposal.outcome_overridden",
            proposal,
            before=before,
            after={"outcome": outcome.value if outcome else "computed"},
            reason=reason.strip(),
        )
    return result
