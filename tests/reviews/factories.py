"""Worlds for the evaluation's tests: a closed call with submitted proposals (admissibility),
and one ranked and ready to publish (decisions)."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from app.calls.models import Call
from app.core.time import brussels
from app.proposals import services as proposals
from app.reviews.models import Admissibility
from app.reviews.rules import admissibility as admissibility_rules
from app.reviews.rules import consensus as consensus_rules
from app.reviews.rules import criteria as criteria_rules
from app.reviews.rules.criteria import CriterionInput
from tests.factories import allow_fewer_reviews, complete_fields, make_call, make_user

OPEN = datetime(2021, 3, 1, tzinfo=UTC)


@dataclass
class EvaluationWorld:
    call: Call
    official: object
    proposals: list = field(default_factory=list)
    applicants: list = field(default_factory=list)
    criteria: list = field(default_factory=list)


def submitted(call, *, language: str = "nl", **fields):
    """A proposal submitted before the deadline by a new applicant, and that applicant."""
    user = make_user("applicant", language=language)
    organisation_id = sorted(user.organisation_ids)[0]
    proposal = proposals.create_proposal(user, call.id, organisation_id, received_at=OPEN)
    proposals.update_proposal(
        user, proposal.id, complete_fields(**fields), proposal.revision, received_at=OPEN
    )
    proposals.submit_proposal(user, proposal.id, received_at=OPEN)
    return proposal, user


def admissibility_world(count: int = 3, *, code: str = "ESF-2021", languages=("nl",)):
    """A call closed on 31 March 2021 with ``count`` submitted proposals, none decided."""
    call = make_call(
        code=code,
        opens_at=brussels(2021, 1, 1),
        deadline=brussels(2021, 3, 31, 23, 59, 59),
        budget_eur=Decimal("200000.00"),
    )
    world = EvaluationWorld(call, make_user("official", name="Olivia Official"))
    for i in range(count):
        proposal, user = submitted(
            call,
            language=languages[i % len(languages)],
            title=f"Project {i + 1}",
            requested_eur=Decimal("90000.00") if i < 2 else Decimal("50000.00"),
        )
        world.proposals.append(proposal)
        world.applicants.append(user)
    return world


def ranked_world(count: int = 3, *, code: str = "ESF-2021", languages=("nl",), release=True):
    """``admissibility_world`` with every proposal admissible (released when ``release``) and
    a complete consensus: the decision can be published (two funded, the rest reserve)."""
    world = admissibility_world(count, code=code, languages=languages)
    for proposal in world.proposals:
        admissibility_rules.decide_admissibility(
            world.official, proposal.id, Admissibility.admissible
        )
    if release:
        preview = admissibility_rules.release_preview(world.official, world.call.id)
        admissibility_rules.release_results(world.official, world.call.id, preview.token)
    world.criteria = criteria_rules.set_criteria(
        None,
        world.call.id,
        [
            CriterionInput("Relevantie", "Relevance", Decimal("60"), threshold=Decimal("2")),
            CriterionInput("Didactiek", "Didactics", Decimal("40")),
        ],
    )
    allow_fewer_reviews(world.official, *world.proposals)
    for proposal in world.proposals:
        for criterion in world.criteria:
            consensus_rules.record_consensus(
                world.official, proposal.id, criterion.id, "4", "Het panel vond het degelijk."
            )
    return world
