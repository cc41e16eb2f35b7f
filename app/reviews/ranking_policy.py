"""The funding policy as a pure function: no database, no request, no clock.

``services.ranking`` reads the call from the database and hands it to ``rank``; the property
tests in tests/reviews call ``rank`` directly with generated calls. The policy:

- A proposal is ranked when it has a consensus score on every criterion, no criterion score
  under that criterion's threshold and a weighted total not under the call's total threshold
  (a score equal to a threshold passes). With a complete consensus and a threshold not met it
  is below threshold; with an incomplete consensus it has no outcome yet.
- The weighted total is on 0-100, rounded half up to two decimals:
  ``100 * sum(weight_i * score_i / scale_max_i) / sum(weight_i)``.
- Ranked by weighted total, highest first; equal totals by the score on the criterion with the
  highest weight (equal weights: the earlier criterion), then the next criterion, then by the
  earlier submission of the version that counts, then by reference.
- Funded: the longest run of ranked proposals from the top whose requested amounts add up to
  at most the budget (an exact fit is funded); the first proposal that does not fit ends the
  run, even if a later, smaller one would fit. The next ``reserve_size`` ranked proposals form
  the reserve list; the other ranked proposals are rejected.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from app.reviews.models import Outcome

HUNDRED = Decimal("100")
TWO_PLACES = Decimal("0.01")


class CriterionLike(Protocol):
    """What the policy reads of a criterion (a ``Criterion`` row or a plain object)."""

    id: int
    position: int
    weight: Decimal
    scale_max: Decimal
    threshold: Decimal | None


@dataclass(slots=True)
class PlainCriterion:
    """A criterion's figures as plain values: read thousands of times (a total per review
    of a call) without the ORM's attribute machinery."""

    id: int
    position: int
    weight: Decimal
    scale_max: Decimal
    threshold: Decimal | None

    @classmethod
    def of(cls, criterion: CriterionLike) -> "PlainCriterion":
        return cls(
            criterion.id,
            criterion.position,
            criterion.weight,
            criterion.scale_max,
            criterion.threshold,
        )


@dataclass(frozen=True)
class Candidate:
    """An admissible proposal as the policy sees it."""

    key: int  # the proposal's id
    reference: str
    requested: Decimal
    submitted_at: datetime | None  # of the version that counts
    scores: Mapping[int, Decimal]  # consensus score per criterion id; may be incomplete


@dataclass(frozen=True)
class Placement:
    """Where one candidate ends up."""

    candidate: Candidate
    score: Decimal | None  # the weighted total; None while the consensus is incomplete
    failed: tuple[CriterionLike, ...]  # criteria whose threshold is not met
    total_failed: bool  # the weighted total is under the call's total threshold
    rank: int | None = None
    cumulative: Decimal | None = None  # requested amounts from rank 1 to here, when funded
    computed: Outcome | None = None

    @property
    def passed(self) -> bool:
        return self.score is not None and not self.failed and not self.total_failed


def total_score(scores: Mapping[int, Decimal | None], criteria: Sequence[CriterionLike]) -> Decimal:
    """The weighted total on 0-100; criteria without a score count as zero."""
    weight_sum = sum((c.weight for c in criteria), Decimal("0"))
    if not weight_sum:
        return Decimal("0")
    points = Decimal("0")
    for criterion in criteria:
        score = scores.get(criterion.id)
        if score is not None:
            points += criterion.weight * Decimal(score) / criterion.scale_max
    return (points / weight_sum * HUNDRED).quantize(TWO_PLACES, ROUND_HALF_UP)


def tie_break_order(criteria: Iterable[CriterionLike]) -> list[CriterionLike]:
    """The criteria in the order that breaks equal totals: highest weight first."""
    return sorted(criteria, key=lambda c: (-c.weight, c.position))


def rank(
    candidates: Iterable[Candidate],
    criteria: Sequence[CriterionLike],
    *,
    budget: Decimal,
    reserve_size: int,
    total_threshold: Decimal,
) -> list[Placement]:
    """The ranked proposals in rank order, then the unranked ones (see the module's policy)."""
    criteria = list(criteria)
    assessed = []
    for candidate in candidates:
        complete = bool(criteria) and all(c.id in candidate.scores for c in criteria)
        if not complete:
            assessed.append(Placement(candidate, None, (), False))
            continue
        total = total_score(candidate.scores, criteria)
        failed = tuple(
            c for c in criteria if c.threshold is not None and candidate.scores[c.id] < c.threshold
        )
        assessed.append(Placement(candidate, total, failed, total < total_threshold))
    by_weight = tie_break_order(criteria)

    def order(placement: Placement) -> tuple[object, ...]:
        scores = placement.candidate.scores
        assert placement.score is not None  # only placements that passed are ordered
        return (
            -placement.score,
            *(-scores[c.id] for c in by_weight),
            placement.candidate.submitted_at,
            placement.candidate.reference,
        )

    ranked = []
    budget_left = budget
    cumulative = Decimal("0")
    funding_open = True
    reserve_left = reserve_size
    for position, placement in enumerate(
        sorted((p for p in assessed if p.passed), key=order), start=1
    ):
        requested = placement.candidate.requested
        if funding_open and requested <= budget_left:
            budget_left -= requested
            cumulative += requested
            computed, running = Outcome.funded, cumulative
        else:
            funding_open = False
            running = None
            if reserve_left > 0:
                computed = Outcome.reserve
                reserve_left -= 1
            else:
                computed = Outcome.rejected
        ranked.append(
            Placement(
                placement.candidate,
                placement.score,
                placement.failed,
                placement.total_failed,
                position,
                running,
                computed,
            )
        )
    others = sorted(
        (p for p in assessed if not p.passed),
        key=lambda p: (p.score is None, -(p.score or 0), p.candidate.reference),
    )
    unranked = [
        Placement(
            p.candidate,
            p.score,
            p.failed,
            p.total_failed,
            computed=Outcome.below_threshold if p.score is not None else None,
        )
        for p in others
    ]
    return ranked + unranked


def fingerprint(data: Mapping[str, Any]) -> str:
    """SHA-256 of a decision's data in one canonical JSON form (sorted keys, no spaces)."""
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()
