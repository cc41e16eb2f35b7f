"""Disagreement per criterion: on one proposal, the individual scores on a criterion spread
(highest minus lowest) more than a share of the criterion's scale, set per call (default a
third: more than 1.67 points on a 0-5 scale). It complements the per-proposal flag on the
weighted totals, which misses evaluators who agree on the total but not on a criterion."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.reviews.models import Criterion, EvaluationSettings

THIRD = Decimal(1) / Decimal(3)


def spread_limit(criterion: Criterion, settings: EvaluationSettings) -> Decimal:
    """The largest spread on ``criterion`` that is not flagged."""
    share = settings.criterion_spread_share
    return criterion.scale_max * (THIRD if share is None else share)


def shown_limit(criterion: Criterion, settings: EvaluationSettings) -> Decimal:
    return spread_limit(criterion, settings).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class CriterionSpread:
    criterion: Criterion
    minimum: Decimal
    maximum: Decimal
    limit: Decimal

    @property
    def spread(self) -> Decimal:
        return self.maximum - self.minimum

    @property
    def flagged(self) -> bool:
        return self.spread > self.limit


def criterion_spreads(
    per_criterion: Mapping[int, Iterable[Decimal]],
    criteria: Sequence[Criterion],
    settings: EvaluationSettings,
) -> list[CriterionSpread]:
    """Per criterion with at least two scores: the spread and whether it is flagged."""
    return _spreads(per_criterion, [(c, spread_limit(c, settings)) for c in criteria])


def _spreads(
    per_criterion: Mapping[int, Iterable[Decimal]],
    limits: Sequence[tuple[Criterion, Decimal]],
) -> list[CriterionSpread]:
    result = []
    for criterion, limit in limits:
        values = [Decimal(v) for v in per_criterion.get(criterion.id, ()) if v is not None]
        if len(values) > 1:
            result.append(CriterionSpread(criterion, min(values), max(values), limit))
    return result


def flagged_criteria(
    per_criterion: Mapping[int, Iterable[Decimal]],
    criteria: Sequence[Criterion],
    settings: EvaluationSettings,
) -> list[CriterionSpread]:
    return [s for s in criterion_spreads(per_criterion, criteria, settings) if s.flagged]


@dataclass(frozen=True)
class DisagreementSummary:
    proposals_flagged: int  # on the weighted total (the per-proposal flag)
    proposals_with_criterion_flags: int
    criterion_flags: int  # (proposal, criterion) pairs flagged
    per_criterion: dict[int, int]  # criterion id -> proposals flagged on it


def summarise(
    rows: Sequence[Any], criteria: Sequence[Criterion], settings: EvaluationSettings
) -> tuple[DisagreementSummary, dict[int, list[CriterionSpread]]]:
    """From the review overview's rows (``ProposalScores``): the flags per proposal and
    the counts for the overview's summary."""
    limits = [(c, spread_limit(c, settings)) for c in criteria]  # once, not per row
    flags = {
        row.proposal_id: [s for s in _spreads(row.per_criterion, limits) if s.flagged]
        for row in rows
    }
    per_criterion = dict.fromkeys((c.id for c in criteria), 0)
    for found in flags.values():
        for criterion_id in {s.criterion.id for s in found}:
            if criterion_id in per_criterion:
                per_criterion[criterion_id] += 1
    return DisagreementSummary(
        proposals_flagged=sum(1 for row in rows if row.flagged),
        proposals_with_criterion_flags=sum(1 for found in flags.values() if found),
        criterion_flags=sum(len(found) for found in flags.values()),
        per_criterion=per_criterion,
    ), flags
