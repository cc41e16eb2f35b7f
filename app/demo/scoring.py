"""The demo reviews' scores: a quality per proposal, each evaluator's habit (harsher or
more lenient) and the disagreements, on the criteria's scales."""

import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from app.calls.models import ProjectType
from app.demo.content import EVALUATION_SEED
from app.demo.facts import Facts
from app.demo.observations import Point
from app.reviews.models import (
    Criterion,
)

# ============================================================================ scores


def on_scale(value: float, criterion: Criterion) -> Decimal:
    step = float(criterion.step)
    steps = math.floor(max(0.0, min(float(criterion.scale_max), value)) / step + 0.5)
    return (Decimal(steps) * criterion.step).quantize(criterion.step)


def weighted_total(scores: Sequence[Decimal], criteria: Sequence[Criterion]) -> float:
    weights = sum(float(c.weight) for c in criteria)
    return (
        100
        * sum(
            float(c.weight) * float(s) / float(c.scale_max)
            for c, s in zip(criteria, scores, strict=True)
        )
        / weights
    )


def score_text(score: Decimal) -> str:
    return f"{score.normalize():f}".replace(".", ",")


@dataclass
class Written:
    """What one evaluator wrote on one criterion: the points their text is made of."""

    strong: list[Point]
    weak: list[Point]


@dataclass
class Scoring:
    """One proposal's evaluation: merit per criterion, then scores per assignment."""

    facts: Facts
    quality: float = 0.0
    merit: list[float] = field(default_factory=list)
    outlier: int | None = None  # evaluator id of the one who strongly disagrees ...
    outlier_shift: float = 0.0  # ... by this much on every criterion
    scores: dict[int, list[Decimal]] = field(default_factory=dict)  # evaluator id -> scores
    texts: dict[int, list[Written]] = field(default_factory=dict)  # per criterion


def appeal(f: Facts, rng: random.Random) -> float:
    """How good the proposal looks on paper, before the evaluators' judgement."""
    return (
        0.3 * f.practice
        + 0.15 * min(len(f.technologies & {"vr", "ar", "ai"}), 2)
        + 0.1 * min(len(f.partners), 2)
        + 0.1 * bool(f.employer)
        + 0.05 * len(f.groups)
        + rng.gauss(0, 0.35)
    )


def merits_of(
    f: Facts, quality: float, criteria: Sequence[Criterion], rng: random.Random
) -> list[float]:
    tech = f.technologies
    offsets = [
        (0.25 if f.practice else -0.5) + 0.1 * bool(f.employer),
        -0.1 * (f.data.get("project_type") == ProjectType.adapt.value),
        (0.4 if tech & {"vr", "ar"} else 0.2 if "ai" in tech else -0.6)
        + 0.1 * ("gamification" in tech),
        0.1 * min(len(f.partners), 2) - 0.3 * (f.per_participant > 1500),
        0.2 * bool(f.referral) + 0.05 * (len(f.groups) - 2),
    ]
    merit = [quality + o + rng.gauss(0, 0.25) for o in offsets]
    weights = [float(c.weight) for c in criteria]
    shift = quality - sum(w * m for w, m in zip(weights, merit, strict=True)) / sum(weights)
    return [max(0.5, min(4.9, m + shift)) for m in merit]


def review_scores(
    plan: Scoring,
    evaluator_ids: Sequence[int],
    biases: dict[int, float],
    criteria: Sequence[Criterion],
    spread_limit: float,
) -> None:
    rng = random.Random(f"{EVALUATION_SEED}:{plan.facts.proposal.reference}:scores")
    for evaluator_id in evaluator_ids:
        offset = biases.get(evaluator_id, 0.0)
        if evaluator_id == plan.outlier:
            offset += plan.outlier_shift
        plan.scores[evaluator_id] = [
            on_scale(m + offset + rng.choice((-0.5, -0.25, 0, 0, 0, 0.25, 0.5)), c)
            for m, c in zip(plan.merit, criteria, strict=True)
        ]
    if plan.outlier is not None:
        return
    # Evaluators who roughly agree stay within the spread that flags a disagreement: pull
    # the score furthest from the others one step towards them until they do.
    while True:
        totals = {e: weighted_total(s, criteria) for e, s in plan.scores.items()}
        if not totals or max(totals.values()) - min(totals.values()) <= spread_limit:
            return
        mean = statistics.fmean(totals.values())
        furthest = max(totals, key=lambda e: (abs(totals[e] - mean), e))
        direction = -1 if totals[furthest] > mean else 1
        scores = plan.scores[furthest]
        centre = [
            statistics.fmean(float(s[i]) for s in plan.scores.values())
            for i in range(len(criteria))
        ]
        index = max(
            range(len(criteria)), key=lambda i: (direction * (centre[i] - float(scores[i])), -i)
        )
        scores[index] = on_scale(
            float(scores[index]) + direction * float(criteria[index].step), criteria[index]
        )
