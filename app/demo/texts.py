"""The demo reviews' words: justifications per criterion, the overall comment and the
panel's consensus text, composed from the observations and the scores."""

import random
import statistics
from collections import Counter
from collections.abc import Collection, Sequence
from decimal import ROUND_HALF_UP, Decimal

from app.demo.facts import lower_first
from app.demo.observations import Point
from app.demo.scoring import Scoring, Written, on_scale, score_text, weighted_total
from app.reviews.models import (
    Criterion,
)

# ============================================================================ texts


WEAK_LEADS = ("Aandachtspunt: ", "Minder overtuigend: ", "Werkpunt: ", "Wel jammer: ")
STRONG_LEADS = ("Positief is wel: ", "Sterk blijft: ", "Wel goed: ")
PRAISE = (
    " Een voorbeeld voor andere projecten.",
    " Hier valt weinig op aan te merken.",
    " Overtuigend uitgewerkt.",
)
CRITICISM = (" Dit is onvoldoende voor deze oproep.", " Op dit punt schiet het voorstel tekort.")


def _pick(
    points: list[Point], count: int, rng: random.Random, avoid: Collection[str] = ()
) -> list[Point]:
    """Up to ``count`` points, none on a topic in ``avoid`` (unless nothing else is left)."""
    allowed = [p for p in points if p[0] not in avoid] or points
    return rng.sample(allowed, min(count, len(allowed)))


def justification(
    score: Decimal, strong: list[Point], weak: list[Point], rng: random.Random, tails: list[str]
) -> tuple[str, Written]:
    """The evaluator's text for one criterion at ``score``; ``tails`` are the closing
    remarks still unused in this review."""
    if score >= 4:
        good = _pick(strong, 2, rng)
        text = " ".join(t for _topic, t in good)
        if score >= Decimal("4.5") and tails and rng.random() < 0.6:
            text += tails.pop(0)
        return text, Written(good, [])
    if score >= 3:
        [plus] = _pick(strong, 1, rng)
        [minus] = _pick(weak, 1, rng, {plus[0]})
        return (
            f"{plus[1]} {rng.choice(WEAK_LEADS)}{lower_first(minus[1])}",
            Written([plus], [minus]),
        )
    if score >= 2:
        [minus] = _pick(weak, 1, rng)
        [plus] = _pick(strong, 1, rng, {minus[0]})
        return (
            f"{minus[1]} {rng.choice(STRONG_LEADS)}{lower_first(plus[1])}",
            Written([plus], [minus]),
        )
    bad = _pick(weak, 2, rng)
    text = " ".join(t for _topic, t in bad)
    if tails and rng.random() < 0.7:
        text += tails.pop(0)
    return text, Written([], bad)


def overall_text(
    plan: Scoring, scores: Sequence[Decimal], criteria: Sequence[Criterion], rng: random.Random
) -> str:
    total = weighted_total(scores, criteria)
    relative = [float(s) / float(c.scale_max) for s, c in zip(scores, criteria, strict=True)]
    best = criteria[max(range(len(criteria)), key=lambda i: (relative[i], -i))]
    worst = criteria[min(range(len(criteria)), key=lambda i: (relative[i], i))]
    f = plan.facts
    if total >= 80:
        opening = rng.choice(
            (
                "Een sterk en zorgvuldig uitgewerkt voorstel.",
                f"Een overtuigend voorstel voor de opleiding {f.training}.",
            )
        )
        advice = rng.choice(("Ik adviseer financiering.", "Zeker financieren."))
    elif total >= 70:
        opening = rng.choice(
            (
                f"Een degelijk voorstel met een duidelijke meerwaarde voor {f.target}.",
                "Een goed voorstel met enkele werkpunten.",
            )
        )
        advice = "Ik adviseer financiering."
    elif total >= 60:
        opening = rng.choice(
            (
                "Een verdedigbaar voorstel, maar met duidelijke werkpunten.",
                f"Het voorstel voor {f.training} is op punten nog te weinig uitgewerkt.",
            )
        )
        advice = "Financiering is verdedigbaar als de werkpunten worden opgevolgd."
    else:
        opening = rng.choice(
            (
                "Het voorstel overtuigt in de huidige vorm niet.",
                "Een voorstel met een goede bedoeling, maar te weinig uitgewerkt.",
            )
        )
        advice = rng.choice(
            (
                "Ik adviseer het voorstel niet te financieren.",
                "Een herwerkte versie kan bij een volgende oproep kansen maken.",
            )
        )
    middle = (
        f"Het voorstel scoort het sterkst op {lower_first(best.name_nl)}, het zwakst "
        f"op {lower_first(worst.name_nl)}."
        if best.id != worst.id
        else ""
    )
    return " ".join(part for part in (opening, middle, advice) if part)


def consensus_text(
    plan: Scoring, index: int, criterion: Criterion, rng: random.Random
) -> tuple[Decimal, str, str]:
    """The panel's score, its justification drawing on the reviews, a minority view."""
    given = {e: s[index] for e, s in plan.scores.items()}
    values = sorted(given.values())
    low, high = values[0], values[-1]
    number = {1: "De beoordelaar", 2: "Beide beoordelaars", 3: "De drie beoordelaars"}.get(
        len(values), "Alle beoordelaars"
    )
    dissenter = None
    if plan.outlier is not None and plan.outlier in given and len(values) >= 3:
        score = on_scale(float(statistics.median(values)), criterion)
        opening = (
            f"De scores lopen uiteen ({score_text(low)} tot {score_text(high)}). Na bespreking "
            "volgt het panel de meerderheid van de beoordelaars."
        )
        if abs(given[plan.outlier] - score) >= Decimal("1.5"):
            dissenter = plan.outlier
    else:
        mean = sum(values, Decimal(0)) / len(values)
        score = (
            (mean / criterion.step).quantize(Decimal("1"), ROUND_HALF_UP) * criterion.step
        ).quantize(criterion.step)
        if low == high:
            opening = f"{number} geven dezelfde score."
        elif high - low <= 1:
            opening = rng.choice(
                (
                    f"De scores liggen dicht bij elkaar ({score_text(low)} tot {score_text(high)}).",
                    "De beoordelaars komen tot een gelijkaardig oordeel.",
                )
            )
        else:
            opening = (
                f"De scores lopen uiteen ({score_text(low)} tot {score_text(high)}); na bespreking "
                "houdt het panel het midden."
            )
            apart = [e for e, v in given.items() if abs(v - score) >= Decimal("1.5")]
            if len(apart) == 1:
                dissenter = apart[0]
    written = {e: texts[index] for e, texts in plan.texts.items()}
    strengths = Counter(p for w in written.values() for p in w.strong)
    weaknesses = Counter(p for w in written.values() for p in w.weak)
    parts, said = [opening], set()
    if strengths and score >= 2:
        (topic, text), count = strengths.most_common(1)[0]
        parts.append(
            ("Alle beoordelaars noemen als sterkte: " if count == len(values) > 1 else "Sterk: ")
            + lower_first(text)
        )
        said.add(topic)
    left = [(point, count) for point, count in weaknesses.most_common() if point[0] not in said]
    if left and score < Decimal("4.5"):
        (topic, text), count = left[0]
        parts.append(("Gedeeld werkpunt: " if count > 1 else "Werkpunt: ") + lower_first(text))
        said.add(topic)
        if score < 2 and len(left) > 1:
            parts.append("Bovendien: " + lower_first(left[1][0][1]))
    minority = ""
    if dissenter is not None:
        theirs = given[dissenter]
        harsher = theirs < score
        points = written[dissenter].weak if harsher else written[dissenter].strong
        point = next((p for p in points if p[0] not in said), None)
        if point is not None:
            minority = (
                f"Eén beoordelaar geeft {score_text(theirs)} en oordeelt "
                f"{'strenger' if harsher else 'milder'}: {lower_first(point[1])}"
            )
        else:
            minority = (
                f"Eén beoordelaar geeft {score_text(theirs)}: voor die beoordelaar wegen de "
                f"{'werkpunten' if harsher else 'sterktes'} zwaarder door dan voor "
                "de anderen."
            )
    return score, " ".join(parts), minority
