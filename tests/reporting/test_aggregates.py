"""The statistics aggregated in SQL equal a plain count in Python over the loaded rows, on
random worlds: resubmissions that change every figure, withdrawals before and after a
submission, drafts, verifications and their corrections, days across the change to summer
time, as of many moments."""

import contextlib
import random
from dataclasses import fields
from datetime import timedelta
from decimal import Decimal

import pytest

from app.calls.models import ALL_TECHNOLOGIES, ProjectType
from app.core.errors import DomainError
from app.core.time import brussels
from app.organisations.models import ProviderType
from app.proposals import access as proposal_access
from app.proposals import services as proposals
from app.reporting import proposal_rows, services, statistics
from tests.factories import make_call, make_organisation, make_user
from tests.reporting.fixtures import submit, write


def _random_world(seed: int):
    rng = random.Random(seed)
    opens, deadline = brussels(2021, 3, 1), brussels(2021, 4, 2, 23, 59, 59)
    call = make_call(code=f"RAND-{seed}", opens_at=opens, deadline=deadline)
    official = make_user("official")
    users = [
        make_user(
            "applicant",
            organisation=make_organisation(provider_type=rng.choice(list(ProviderType))),
        )
        for _ in range(4)
    ]
    span = (deadline - opens).total_seconds() - 3600

    def moment(after):
        left = (deadline - after).total_seconds() - 60
        return after + timedelta(seconds=rng.uniform(1, max(2, left / 3)))

    def fields_():
        amount = Decimal(rng.randint(1_000_00, 90_000_00)) / 100
        return {
            "technologies": rng.sample(ALL_TECHNOLOGIES, rng.randint(1, 4)),
            "technology_other": "Een eigen simulator",
            "project_type": rng.choice(list(ProjectType)),
            "practice_oriented": rng.random() < 0.6,
            "requested_eur": amount,
        }

    for n in range(rng.randint(12, 20)):
        user = rng.choice(users)
        when = opens + timedelta(seconds=rng.uniform(0, span * 0.7))
        proposal = write(user, call, when, title=f"Voorstel {n}", **fields_())
        if rng.random() < 0.15:  # a draft, perhaps withdrawn
            if rng.random() < 0.5:
                with contextlib.suppress(DomainError):  # if a draft cannot be withdrawn
                    proposals.withdraw_proposal(
                        user, proposal.id, "Geen tijd", received_at=moment(when)
                    )
            continue
        when = moment(when)
        submit(user, proposal, when)
        versions = 1
        for _ in range(rng.choice((0, 0, 1, 2))):
            if rng.random() < 0.5:
                when = moment(when)
                services.verify_technologies(
                    official,
                    proposal.id,
                    rng.sample(ALL_TECHNOLOGIES, rng.randint(0, 3)),
                    version_number=versions,
                    received_at=when,
                )
            when = moment(when)
            proposal = proposal_access.get_proposal(user, proposal.id)
            submit(user, proposal, when, **fields_())
            versions += 1
        for _ in range(rng.choice((0, 1, 2))):
            when = moment(when)
            services.verify_technologies(
                official,
                proposal.id,
                rng.sample(ALL_TECHNOLOGIES, rng.randint(0, 3)),
                version_number=versions,
                received_at=when,
            )
        if rng.random() < 0.2:
            proposals.withdraw_proposal(
                user, proposal.id, "Partner haakt af", received_at=moment(when)
            )
    moments = [
        opens - timedelta(days=1),
        opens,
        deadline,
        brussels(2021, 3, 28, 1),
        brussels(2021, 3, 28, 3),
        deadline + timedelta(days=5),
    ]
    moments += [opens + timedelta(seconds=rng.uniform(0, span)) for _ in range(6)]
    return call, official, moments


def _figures(stats) -> dict:
    return {
        f.name: getattr(stats, f.name)
        for f in fields(stats)
        if f.name not in ("call", "loaded_rows", "evaluation")
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_figures_equal_a_count_in_python(seed):
    call, _official, moments = _random_world(seed)
    for as_of in moments:
        in_sql = statistics.aggregate_statistics(call, as_of)
        in_python = statistics.compute_statistics(call, proposal_rows.load_rows(call, as_of), as_of)
        assert _figures(in_sql) == _figures(in_python), as_of
        assert in_sql.days == in_python.days
    assert any(statistics.aggregate_statistics(call, m).by_status["submitted"] for m in moments)


def test_rows_are_loaded_only_when_asked_for(world):
    stats = statistics.call_statistics(world.official, world.call)
    assert stats.loaded_rows is None
    assert {row.reference for row in stats.submitted} == {
        world.p1.reference,
        world.p2.reference,
        world.p5.reference,
    }
    assert stats.loaded_rows is not None
