"""The database-backed ranking agrees with the pure policy for generated calls, on SQLite and
PostgreSQL: what ``ranking_rules.ranking`` reads (criteria, consensus, the version that counts, the
budget, the reserve size, the total threshold) is what ``ranking_policy.rank`` decides on.

Few examples: each one builds a call with real submissions, admissibility and consensus.
The policy itself is checked over hundreds of examples in test_ranking_properties.py.
"""

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.db import db
from app.core.time import brussels
from app.proposals import services as proposals
from app.reviews import facts, ranking_policy
from app.reviews.models import Admissibility, Outcome
from app.reviews.rules import admissibility as admissibility_rules
from app.reviews.rules import consensus as consensus_rules
from app.reviews.rules import criteria as criteria_rules
from app.reviews.rules import decisions as decisions_rules
from app.reviews.rules import ranking as ranking_rules
from app.reviews.rules.criteria import CriterionInput
from tests.factories import allow_fewer_reviews, complete_fields, make_call, make_user

WRITTEN = datetime(2021, 3, 1, tzinfo=UTC)
SUBMITTED = [
    datetime(2021, 3, 30, 12, tzinfo=UTC),
    datetime(2021, 3, 30, 12, tzinfo=UTC) + timedelta(microseconds=1),
]
HALVES = [Decimal(n) / 2 for n in range(11)]  # 0 to 5 in steps of 0.5
REQUESTS = [
    Decimal("10000.00"),
    Decimal("45000.00"),
    Decimal("45000.01"),
    Decimal("90000.00"),
    Decimal("149999.99"),
]

spec_st = st.fixed_dictionaries(
    {
        "criteria": st.lists(
            st.tuples(
                st.sampled_from(["25", "40", "40"]), st.none() | st.sampled_from(HALVES[3:7])
            ),
            min_size=1,
            max_size=2,
        ),
        "sheets": st.lists(
            st.lists(st.sampled_from(HALVES[4:]), min_size=2, max_size=2), min_size=1, max_size=2
        ),  # few sheets: equal totals are common
        "proposals": st.lists(
            st.tuples(st.integers(0, 1), st.sampled_from(REQUESTS), st.sampled_from(SUBMITTED)),
            min_size=1,
            max_size=4,
        ),
        "reserve": st.integers(0, 2),
        "total_threshold": st.sampled_from([Decimal("0"), Decimal("60"), Decimal("70")]),
    }
)


@pytest.fixture(autouse=True)
def _english():
    with force_locale("en"):
        yield


def test_the_service_ranks_generated_calls_as_the_policy_does():
    official = make_user("official")
    applicants = [make_user("applicant") for _ in range(4)]
    codes = itertools.count(1)

    @settings(
        max_examples=5, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(spec_st, st.data())
    def check(spec, data):
        call = make_call(
            code=f"ESF-P{next(codes)}",
            opens_at=brussels(2021, 1, 1),
            deadline=brussels(2021, 3, 31, 23, 59, 59),
        )
        criteria = criteria_rules.set_criteria(
            None,
            call.id,
            [
                CriterionInput(
                    f"Criterium {i}", f"Criterion {i}", Decimal(weight), threshold=threshold
                )
                for i, (weight, threshold) in enumerate(spec["criteria"], start=1)
            ],
        )
        settings_row = facts.settings_of(call)
        settings_row.reserve_size = spec["reserve"]
        settings_row.total_threshold = spec["total_threshold"]
        candidates = []
        for applicant, (sheet, requested, at) in zip(applicants, spec["proposals"], strict=False):
            organisation_id = sorted(applicant.organisation_ids)[0]
            proposal = proposals.create_proposal(
                applicant, call.id, organisation_id, received_at=WRITTEN
            )
            proposals.update_proposal(
                applicant,
                proposal.id,
                complete_fields(requested_eur=requested),
                proposal.revision,
                received_at=WRITTEN,
            )
            proposals.submit_proposal(applicant, proposal.id, received_at=at)
            admissibility_rules.decide_admissibility(
                official, proposal.id, Admissibility.admissible
            )
            allow_fewer_reviews(official, proposal)
            scores = {}
            for criterion, score in zip(
                criteria, spec["sheets"][sheet % len(spec["sheets"])], strict=False
            ):
                consensus_rules.record_consensus(
                    official, proposal.id, criterion.id, str(score), "Consensus"
                )
                scores[criterion.id] = score
            candidates.append(
                ranking_policy.Candidate(proposal.id, proposal.reference, requested, at, scores)
            )

        # a budget at an exact fit somewhere down the ranking, or a cent either side
        def policy(budget):
            return ranking_policy.rank(
                candidates,
                criteria,
                budget=budget,
                reserve_size=spec["reserve"],
                total_threshold=spec["total_threshold"],
            )

        ranked = [p for p in policy(Decimal("0")) if p.rank is not None]
        fits = [
            sum((p.candidate.requested for p in ranked[:k]), Decimal("0"))
            for k in range(len(ranked) + 1)
        ]
        budget = data.draw(st.sampled_from(fits)) + data.draw(
            st.sampled_from([Decimal("0"), Decimal("0.01"), Decimal("-0.01")])
        )
        call.budget_eur = max(budget, Decimal("0"))
        db.session.commit()

        expected = policy(call.budget_eur)
        db.session.expire_all()
        rows = ranking_rules.ranking(call.id)
        assert [
            (r.proposal.id, r.rank, r.score, r.requested, r.cumulative, r.computed, r.passed)
            for r in rows
        ] == [
            (
                p.candidate.key,
                p.rank,
                p.score,
                p.candidate.requested,
                p.cumulative,
                p.computed,
                p.passed,
            )
            for p in expected
        ]
        funded = [r for r in rows if r.computed is Outcome.funded]
        if call.budget_eur in fits:  # an exact fit: the run reaches exactly the budget
            assert (funded[-1].cumulative if funded else Decimal("0")) == call.budget_eur
        for row in rows:
            assert isinstance(row.requested, Decimal)
            assert row.score is None or row.score.as_tuple().exponent == -2
        # the same input gives the same decision fingerprint
        first = ranking_policy.fingerprint(decisions_rules.decision_data(call, rows))
        db.session.expire_all()
        assert (
            ranking_policy.fingerprint(
                decisions_rules.decision_data(call, ranking_rules.ranking(call.id))
            )
            == first
        )

    check()
