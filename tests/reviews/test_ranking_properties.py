"""The funding policy holds for every generated call, not only for hand-picked examples.

``ranking_policy.rank`` is checked against an independent reading of the documented policy
(README, "The ranking rule"): totals computed with exact fractions, the tie-break as a
cascade of comparisons, the funded run as the longest prefix within the budget.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from app.reviews.models import Outcome
from app.reviews.ranking_policy import Candidate, fingerprint, rank


@dataclass(frozen=True)
class Crit:
    id: int
    position: int
    weight: Decimal
    scale_max: Decimal
    threshold: Decimal | None
    step: Decimal = Decimal("0.5")


T0 = datetime(2021, 3, 31, 21, 0, tzinfo=UTC)
# few distinct instants (and one a microsecond apart) so that ties reach the submission level
INSTANTS = [T0, T0 + timedelta(microseconds=1), T0 + timedelta(hours=1), T0 - timedelta(days=3)]


def grid(scale_max: Decimal, step: Decimal) -> list[Decimal]:
    return [step * i for i in range(int(scale_max / step) + 1)]


@st.composite
def criteria_st(draw):
    count = draw(st.integers(1, 4))
    result = []
    for i in range(1, count + 1):
        # equal weights are frequent, so the position breaks some ties
        weight = draw(st.sampled_from(["1", "15", "20", "25", "25", "12.5", "60"]))
        scale_max = draw(st.sampled_from(["5", "5", "10", "4", "3"]))
        threshold = draw(st.none() | st.sampled_from(grid(Decimal(scale_max), Decimal("0.5"))))
        result.append(Crit(i, i, Decimal(weight), Decimal(scale_max), threshold))
    # positions need not follow ids
    positions = draw(st.permutations(range(1, count + 1)))
    return [
        Crit(c.id, p, c.weight, c.scale_max, c.threshold)
        for c, p in zip(result, positions, strict=True)
    ]


AMOUNTS = st.one_of(
    st.integers(0, 20_000_000).map(lambda cents: Decimal(cents) / 100),
    st.sampled_from(
        [
            Decimal("0.00"),
            Decimal("0.01"),
            Decimal("50000.00"),
            Decimal("90000.00"),
            Decimal("149999.99"),
        ]
    ),
)


def compensated(sheet, criteria) -> list[dict]:
    """Sheets with the same weighted total as ``sheet``: points moved from one criterion to
    another (weight * change equal on both sides), so that every tie-break level is reached."""
    variants = []
    for a in criteria:
        for b in criteria:
            if a.id == b.id or a.scale_max != b.scale_max:
                continue
            for up in grid(a.scale_max, a.step)[1:]:
                down = a.weight * up / b.weight
                if down % b.step == 0:
                    break
            else:
                continue
            if sheet[a.id] + up <= a.scale_max and sheet[b.id] - down >= 0:
                variants.append({**sheet, a.id: sheet[a.id] + up, b.id: sheet[b.id] - down})
    return variants


@st.composite
def candidates_st(draw, criteria):
    numbers = draw(st.lists(st.integers(1, 999), max_size=10, unique=True))
    references = [f"ESF-2021-{n:03d}" for n in numbers]  # not in the order of the keys
    keys = range(1, len(numbers) + 1)
    # a small pool of score sheets so that equal totals (and equal sheets) are common
    pool = draw(
        st.lists(
            st.fixed_dictionaries(
                {c.id: st.sampled_from(grid(c.scale_max, c.step)) for c in criteria}
            ),
            min_size=1,
            max_size=4,
        )
    )
    pool += compensated(pool[0], criteria)
    result = []
    for key, reference in zip(keys, references, strict=True):
        scores = dict(draw(st.sampled_from(pool)))
        if draw(st.integers(0, 9)) == 0:  # an incomplete consensus now and then
            scores.pop(draw(st.sampled_from(sorted(scores))))
        result.append(
            Candidate(key, reference, draw(AMOUNTS), draw(st.sampled_from(INSTANTS)), scores)
        )
    return result


# ---------------------------------------------------------------------------- the oracle


def exact_total(scores, criteria) -> Decimal:
    points = sum(
        (Fraction(c.weight) * Fraction(scores[c.id]) / Fraction(c.scale_max) for c in criteria),
        Fraction(0),
    )
    value = points / sum(Fraction(c.weight) for c in criteria) * 100
    # round half up to cents, from the exact fraction
    cents = (value * 100 * 2 + 1) // 2
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def complete(candidate, criteria) -> bool:
    return all(c.id in candidate.scores for c in criteria)


def passes(candidate, criteria, total_threshold) -> bool:
    return (
        complete(candidate, criteria)
        and all(candidate.scores[c.id] >= c.threshold for c in criteria if c.threshold is not None)
        and exact_total(candidate.scores, criteria) >= total_threshold
    )


def precedes(a, b, criteria) -> bool:
    """a before b by the documented order, a cascade of one comparison per level."""
    total_a, total_b = exact_total(a.scores, criteria), exact_total(b.scores, criteria)
    if total_a != total_b:
        return total_a > total_b
    heaviest_first = sorted(criteria, key=lambda c: c.position)
    heaviest_first.sort(key=lambda c: c.weight, reverse=True)  # stable: equal weights by position
    for criterion in heaviest_first:
        if a.scores[criterion.id] != b.scores[criterion.id]:
            return a.scores[criterion.id] > b.scores[criterion.id]
    if a.submitted_at != b.submitted_at:
        return a.submitted_at < b.submitted_at
    return a.reference < b.reference


def funded_count(requests, budget) -> int:
    """The longest run from the top whose cumulative request is at most the budget."""
    best = 0
    for k in range(len(requests) + 1):
        if sum(requests[:k], Decimal("0")) <= budget:
            best = k
        else:
            break
    return best


@st.composite
def calls_st(draw):
    criteria = draw(criteria_st())
    candidates = draw(candidates_st(criteria))
    totals = [exact_total(c.scores, criteria) for c in candidates if complete(c, criteria)]
    total_threshold = draw(
        st.one_of(
            st.sampled_from(totals) if totals else st.just(Decimal("60.00")),  # equal passes
            st.integers(0, 10_000).map(lambda n: Decimal(n) / 100),
        )
    )
    passing = sorted(
        (c for c in candidates if passes(c, criteria, total_threshold)),
        key=lambda c: (-exact_total(c.scores, criteria), c.reference),
    )
    prefix = [
        sum((c.requested for c in passing[:k]), Decimal("0")) for k in range(len(passing) + 1)
    ]
    budget = draw(
        st.one_of(
            st.sampled_from(prefix),  # an exact fit somewhere down the ranking
            st.sampled_from(prefix).map(lambda b: b + Decimal("0.01")),
            st.sampled_from(prefix).map(lambda b: max(b - Decimal("0.01"), Decimal("0"))),
            AMOUNTS,
        )
    )
    return criteria, candidates, budget, draw(st.integers(0, 4)), total_threshold


def _summary(placements):
    return [
        (
            p.candidate.key,
            p.rank,
            p.score,
            p.cumulative,
            p.computed,
            p.passed,
            tuple(sorted(c.id for c in p.failed)),
            p.total_failed,
        )
        for p in placements
    ]


# ---------------------------------------------------------------------------- properties


@settings(max_examples=150, deadline=None)
@given(calls_st())
def test_every_generated_call_follows_the_documented_policy(call):
    criteria, candidates, budget, reserve_size, total_threshold = call
    placements = rank(
        candidates,
        criteria,
        budget=budget,
        reserve_size=reserve_size,
        total_threshold=total_threshold,
    )
    assert sorted(p.candidate.key for p in placements) == sorted(c.key for c in candidates)

    # totals: exact, two decimals, the documented formula
    for p in placements:
        if complete(p.candidate, criteria):
            assert isinstance(p.score, Decimal) and p.score.as_tuple().exponent == -2
            assert p.score == exact_total(p.candidate.scores, criteria)
        else:
            assert p.score is None and p.computed is None and not p.passed

    # thresholds: below exactly when some score is under its threshold (equal passes),
    # or the total is under the call's total threshold
    for p in placements:
        if p.score is None:
            continue
        under = {
            c.id
            for c in criteria
            if c.threshold is not None and p.candidate.scores[c.id] < c.threshold
        }
        assert {c.id for c in p.failed} == under
        assert p.total_failed == (p.score < total_threshold)
        assert p.passed == passes(p.candidate, criteria, total_threshold)
        assert (p.computed is Outcome.below_threshold) == (not p.passed)

    # the ranked list: exactly the passing proposals, first, numbered 1..n, in the
    # documented order (weighted total, then the tie-break)
    ranked = [p for p in placements if p.rank is not None]
    assert placements[: len(ranked)] == ranked
    assert [p.rank for p in ranked] == list(range(1, len(ranked) + 1))
    assert {p.candidate.key for p in ranked} == {
        c.key for c in candidates if passes(c, criteria, total_threshold)
    }
    assert [p.score for p in ranked] == sorted((p.score for p in ranked), reverse=True)
    for i, earlier in enumerate(ranked):
        for later in ranked[i + 1 :]:
            assert precedes(earlier.candidate, later.candidate, criteria)

    # the budget line: the longest run from the top within the budget (exact fit funded)
    requests = [p.candidate.requested for p in ranked]
    k = funded_count(requests, budget)
    reserve = min(reserve_size, len(ranked) - k)
    assert [p.computed for p in ranked] == (
        [Outcome.funded] * k
        + [Outcome.reserve] * reserve
        + [Outcome.rejected] * (len(ranked) - k - reserve)
    )
    for i, p in enumerate(ranked):
        if i < k:
            assert isinstance(p.cumulative, Decimal)
            assert Fraction(p.cumulative) == sum(Fraction(r) for r in requests[: i + 1])
        else:
            assert p.cumulative is None
    if k:
        assert ranked[k - 1].cumulative <= budget
    if k < len(ranked):
        assert sum(requests[: k + 1], Decimal("0")) > budget

    # the others: complete (below a threshold) by score, then incomplete; by reference
    others = placements[len(ranked) :]
    assert [(p.score is None, -(p.score or 0), p.candidate.reference) for p in others] == sorted(
        (p.score is None, -(p.score or 0), p.candidate.reference) for p in others
    )


@settings(max_examples=50, deadline=None)
@given(calls_st(), st.randoms(use_true_random=False))
def test_the_same_call_always_gives_the_same_ranking_and_fingerprint(call, rnd: random.Random):
    criteria, candidates, budget, reserve_size, total_threshold = call

    def decide(items, crits):
        placements = rank(
            items, crits, budget=budget, reserve_size=reserve_size, total_threshold=total_threshold
        )
        data = {
            "budget_eur": f"{budget:.2f}",
            "rows": [
                {
                    "proposal_id": p.candidate.key,
                    "rank": p.rank,
                    "score": None if p.score is None else str(p.score),
                    "cumulative_eur": None if p.cumulative is None else f"{p.cumulative:.2f}",
                    "computed": p.computed.value if p.computed else None,
                }
                for p in placements
            ],
        }
        return _summary(placements), fingerprint(data)

    first = decide(candidates, criteria)
    assert decide(candidates, criteria) == first
    # the order in which the database happens to return rows changes nothing
    shuffled, shuffled_criteria = list(candidates), list(criteria)
    rnd.shuffle(shuffled)
    rnd.shuffle(shuffled_criteria)
    assert decide(shuffled, shuffled_criteria) == first
    assert len(first[1]) == 64
