"""Every boundary of the funding policy, one example each side (``ranking_policy.rank``).

Each test here fails when the comparison it guards is flipped (``<=`` to ``<``, ``<`` to
``<=``, or a tie-break level reversed).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.reviews.models import Outcome
from app.reviews.ranking_policy import Candidate, rank

AT = datetime(2021, 3, 31, 21, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Crit:
    id: int
    position: int
    weight: Decimal
    scale_max: Decimal = Decimal("5")
    threshold: Decimal | None = None


HEAVY = Crit(1, 1, Decimal("60"), threshold=Decimal("2.5"))
LIGHT = Crit(2, 2, Decimal("40"))


def proposal(key, heavy, light, requested="50000.00", *, at=AT, reference=None):
    return Candidate(
        key,
        reference or f"ESF-2021-{key:03d}",
        Decimal(requested),
        at,
        {HEAVY.id: Decimal(heavy), LIGHT.id: Decimal(light)},
    )


def outcome(
    candidates, criteria=(HEAVY, LIGHT), *, budget="1000000.00", reserve=2, total_threshold="0"
):
    return rank(
        candidates,
        list(criteria),
        budget=Decimal(budget),
        reserve_size=reserve,
        total_threshold=Decimal(total_threshold),
    )


def keys(placements):
    return [p.candidate.key for p in placements]


# ---------------------------------------------------------------------------- budget line


def test_a_request_that_exactly_fits_the_budget_left_is_funded():
    placements = outcome(
        [proposal(1, "5", "5", "120000.00"), proposal(2, "4", "4", "80000.00")], budget="200000.00"
    )
    assert [p.computed for p in placements] == [Outcome.funded, Outcome.funded]
    assert placements[1].cumulative == Decimal("200000.00")


def test_one_cent_over_the_budget_left_ends_the_funded_run():
    placements = outcome(
        [
            proposal(1, "5", "5", "120000.00"),
            proposal(2, "4", "4", "80000.01"),
            proposal(3, "3", "3", "1.00"),
        ],
        budget="200000.00",
        reserve=1,
    )
    # the third would fit, but the run of funded proposals from the top has ended
    assert [p.computed for p in placements] == [Outcome.funded, Outcome.reserve, Outcome.rejected]
    assert [p.cumulative for p in placements] == [Decimal("120000.00"), None, None]


def test_a_single_request_equal_to_the_budget_is_funded_and_one_cent_more_is_not():
    assert (
        outcome([proposal(1, "5", "5", "200000.00")], budget="200000.00")[0].computed
        is Outcome.funded
    )
    assert (
        outcome([proposal(1, "5", "5", "200000.01")], budget="200000.00")[0].computed
        is Outcome.reserve
    )


def test_the_reserve_list_holds_exactly_the_next_n_passing_proposals():
    placements = outcome(
        [proposal(k, "5", str(5 - k * Decimal("0.5"))) for k in range(1, 6)],
        budget="50000.00",
        reserve=2,
    )
    assert [p.computed for p in placements] == [
        Outcome.funded,
        Outcome.reserve,
        Outcome.reserve,
        Outcome.rejected,
        Outcome.rejected,
    ]


# ---------------------------------------------------------------------------- thresholds


def test_a_score_equal_to_the_criterion_threshold_passes():
    [placed] = outcome([proposal(1, "2.5", "5")])
    assert placed.passed and placed.rank == 1 and placed.failed == ()


def test_a_score_one_step_under_the_criterion_threshold_is_below_threshold():
    [placed] = outcome([proposal(1, "2", "5")])
    assert not placed.passed and placed.rank is None
    assert placed.computed is Outcome.below_threshold and placed.failed == (HEAVY,)


def test_a_total_equal_to_the_total_threshold_passes():
    # 60 * 3/5 + 40 * 3/5 = 60.00
    [placed] = outcome([proposal(1, "3", "3")], total_threshold="60.00")
    assert placed.score == Decimal("60.00") and placed.passed and not placed.total_failed


def test_a_total_one_cent_under_the_total_threshold_is_below_threshold():
    [placed] = outcome([proposal(1, "3", "3")], total_threshold="60.01")
    assert not placed.passed and placed.total_failed
    assert placed.computed is Outcome.below_threshold


# ---------------------------------------------------------------------------- tie-break


def test_the_higher_weighted_total_ranks_first():
    # 60*3/5 + 40*4/5 = 68 against 60*4/5 + 40*2/5 = 64: the light criterion tips it
    assert keys(outcome([proposal(1, "4", "2"), proposal(2, "3", "4")])) == [2, 1]


def test_equal_totals_the_score_on_the_heaviest_criterion_decides():
    # 60*4/5 + 40*2.5/5 = 68 = 60*3/5 + 40*4/5
    placements = outcome([proposal(1, "3", "4"), proposal(2, "4", "2.5")])
    assert placements[0].score == placements[1].score == Decimal("68.00")
    assert keys(placements) == [2, 1]


def test_equal_totals_and_heaviest_score_the_next_heaviest_criterion_decides():
    first = Crit(1, 1, Decimal("50"))
    second = Crit(2, 2, Decimal("30"))
    third = Crit(3, 3, Decimal("20"))

    def sheet(key, a, b, c):
        return Candidate(
            key,
            f"ESF-2021-{key:03d}",
            Decimal("1.00"),
            AT,
            {1: Decimal(a), 2: Decimal(b), 3: Decimal(c)},
        )

    # 50*4 + 30*2 + 20*5 = 360 = 50*4 + 30*4 + 20*2, so equal totals and an equal first
    placements = outcome([sheet(1, "4", "2", "5"), sheet(2, "4", "4", "2")], (first, second, third))
    assert placements[0].score == placements[1].score
    assert keys(placements) == [2, 1]


def test_equal_weights_the_earlier_criterion_counts_first():
    one = Crit(1, 1, Decimal("50"))
    two = Crit(2, 2, Decimal("50"))

    def sheet(key, a, b):
        return Candidate(
            key, f"ESF-2021-{key:03d}", Decimal("1.00"), AT, {1: Decimal(a), 2: Decimal(b)}
        )

    assert keys(outcome([sheet(1, "3", "4"), sheet(2, "4", "3")], (one, two))) == [2, 1]
    # the order in which the criteria are given does not matter, their position does
    assert keys(outcome([sheet(1, "3", "4"), sheet(2, "4", "3")], (two, one))) == [2, 1]


def test_equal_scores_the_earlier_submission_decides_to_the_microsecond():
    later = proposal(1, "4", "3", at=AT)
    earlier = proposal(2, "4", "3", at=AT - timedelta(microseconds=1))
    assert keys(outcome([later, earlier])) == [2, 1]


def test_equal_scores_and_submission_the_reference_decides():
    placements = outcome(
        [
            proposal(1, "4", "3", reference="ESF-2021-002"),
            proposal(2, "4", "3", reference="ESF-2021-001"),
        ]
    )
    assert keys(placements) == [2, 1]
    assert [p.rank for p in placements] == [1, 2]


def test_the_tie_break_decides_who_is_funded_at_the_budget_line():
    placements = outcome(
        [
            proposal(1, "4", "3", "60000.00", at=AT),
            proposal(2, "4", "3", "60000.00", at=AT - timedelta(seconds=1)),
        ],
        budget="100000.00",
    )
    assert [(p.candidate.key, p.computed) for p in placements] == [
        (2, Outcome.funded),
        (1, Outcome.reserve),
    ]


# ---------------------------------------------------------------------------- totals


def test_a_total_exactly_half_a_cent_rounds_up():
    # 100 * (1 * 0.5/5 + 15 * 0/5) / 16 = 0.625 exactly
    light, heavy = Crit(1, 1, Decimal("1")), Crit(2, 2, Decimal("15"))
    [placed] = outcome(
        [Candidate(1, "ESF-2021-001", Decimal("1.00"), AT, {1: Decimal("0.5"), 2: Decimal("0")})],
        (light, heavy),
    )
    assert placed.score == Decimal("0.63")
