"""Calibration that informs the consensus.

An evaluator's offset on a criterion is the mean, over every proposal of the call they
reviewed together with others, of their score minus the mean of the other evaluators'
scores on that proposal and criterion (+ lenient, - harsh). A calibrated score is the score
minus its evaluator's offset; the calibrated mean is the mean of the calibrated scores,
and the suggested consensus score is that mean rounded to the criterion's step, kept on the
scale. The recorded consensus stays the official's decision, with its justification."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core.db import db
from app.proposals.models import Proposal
from app.reviews.models import Assignment, AssignmentStatus, Criterion, Review, ReviewStatus

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Offset:
    value: Decimal  # exact mean difference from the others
    reviews: int  # proposals it is computed over


def _submitted_scores(call_id: int) -> dict[int, dict[int, dict[int, Decimal]]]:
    """proposal id -> evaluator id -> criterion id -> score (two queries)."""
    result: dict[int, dict[int, dict[int, Decimal]]] = defaultdict(dict)
    for assignment in db.session.scalars(
        sa.select(Assignment)
        .join(Proposal, Proposal.id == Assignment.proposal_id)
        .where(Proposal.call_id == call_id, Assignment.status == AssignmentStatus.accepted)
        .options(selectinload(Assignment.review).selectinload(Review.scores))
    ):
        review = assignment.review
        if review is None or review.status is not ReviewStatus.submitted:
            continue
        result[assignment.proposal_id][assignment.evaluator_id] = {
            s.criterion_id: Decimal(s.score) for s in review.scores if s.score is not None
        }
    return result


def offsets(
    scores: Mapping[int, Mapping[int, Mapping[int, Decimal]]],
) -> dict[tuple[int, int], Offset]:
    """(evaluator id, criterion id) -> the evaluator's offset on the criterion."""
    differences: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for per_evaluator in scores.values():
        for evaluator_id, mine in per_evaluator.items():
            for criterion_id, score in mine.items():
                others = [
                    s[criterion_id]
                    for e, s in per_evaluator.items()
                    if e != evaluator_id and criterion_id in s
                ]
                if others:
                    differences[(evaluator_id, criterion_id)].append(
                        score - sum(others, Decimal(0)) / len(others)
                    )
    return {
        key: Offset(sum(values, Decimal(0)) / len(values), len(values))
        for key, values in differences.items()
    }


def suggest(calibrated_mean: Decimal, criterion: Criterion) -> Decimal:
    """The calibrated mean on the criterion's step, kept on its scale."""
    steps = (calibrated_mean / criterion.step).quantize(Decimal("1"), ROUND_HALF_UP)
    return min(max(steps * criterion.step, Decimal("0")), criterion.scale_max)


@dataclass(frozen=True)
class CalibratedScore:
    evaluator_id: int
    score: Decimal
    offset: Offset | None  # None: the evaluator never reviewed alongside others

    @property
    def calibrated(self) -> Decimal:
        return self.score - (self.offset.value if self.offset else Decimal("0"))

    @property
    def shown_calibrated(self) -> Decimal:
        return self.calibrated.quantize(TWO_PLACES, ROUND_HALF_UP)

    @property
    def shown_offset(self) -> Decimal | None:
        return (
            None if self.offset is None else self.offset.value.quantize(TWO_PLACES, ROUND_HALF_UP)
        )


@dataclass(frozen=True)
class CriterionCalibration:
    criterion: Criterion
    scores: list[CalibratedScore]

    @property
    def raw_mean(self) -> Decimal:
        return (sum((s.score for s in self.scores), Decimal(0)) / len(self.scores)).quantize(
            TWO_PLACES, ROUND_HALF_UP
        )

    @property
    def calibrated_mean(self) -> Decimal:
        return (sum((s.calibrated for s in self.scores), Decimal(0)) / len(self.scores)).quantize(
            TWO_PLACES, ROUND_HALF_UP
        )

    @property
    def suggestion(self) -> Decimal:
        return suggest(
            sum((s.calibrated for s in self.scores), Decimal(0)) / len(self.scores), self.criterion
        )

    def of(self, evaluator_id: int) -> CalibratedScore | None:
        return next((s for s in self.scores if s.evaluator_id == evaluator_id), None)


def for_proposal(
    call_id: int, proposal_id: int, criteria: Sequence[Criterion]
) -> dict[int, CriterionCalibration]:
    """Criterion id -> the proposal's submitted scores with their evaluators' offsets."""
    scores = _submitted_scores(call_id)
    found = offsets(scores)
    mine = scores.get(proposal_id, {})
    result = {}
    for criterion in criteria:
        items = [
            CalibratedScore(
                evaluator_id, per[criterion.id], found.get((evaluator_id, criterion.id))
            )
            for evaluator_id, per in sorted(mine.items())
            if criterion.id in per
        ]
        if items:
            result[criterion.id] = CriterionCalibration(criterion, items)
    return result
