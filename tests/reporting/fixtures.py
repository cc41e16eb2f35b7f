"""A 2021 call with proposals submitted on known days: the known answers of the tests.

Shared with tests/api/test_stats_api.py (plain functions; the fixture is in conftest.py).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from app.calls.models import ProjectType
from app.core.time import brussels
from app.organisations.models import ProviderType
from app.proposals import services as proposals
from tests.factories import complete_fields, make_call, make_organisation, make_user


def at(day: int, hour: int = 12, month: int = 3) -> datetime:
    """A moment in March 2021, Brussels wall-clock time."""
    return brussels(2021, month, day, hour)


def write(user, call, received_at: datetime, **fields):
    """A complete proposal written (not submitted) at ``received_at``."""
    organisation_id = sorted(user.organisation_ids)[0]
    proposal = proposals.create_proposal(user, call.id, organisation_id, received_at=received_at)
    return proposals.update_proposal(
        user, proposal.id, complete_fields(**fields), proposal.revision, received_at=received_at
    )


def submit(user, proposal, received_at: datetime, **changes):
    if changes:
        proposal = proposals.update_proposal(
            user, proposal.id, changes, proposal.revision, received_at=received_at
        )
    return proposals.submit_proposal(user, proposal.id, received_at=received_at)


@dataclass
class World:
    call: object
    official: object
    public_user: object
    private_user: object
    p1: object  # public, VR + AI, convert, practice-oriented, 90,000.00; submitted 10 March
    p2: object  # private, VR + LMS on 5 March, resubmitted as AI, adapt on 20 March
    p3: object  # private, AI + LMS, new, not practice-oriented; submitted 12, withdrawn 25
    p4: object  # public, a draft written on 15 March at 12:00, never submitted
    p5: object  # public, gamification only, submitted at 23:00 on 31 March


def build_world() -> World:
    call = make_call(
        code="ESF-2021", opens_at=brussels(2021, 1, 1), deadline=brussels(2021, 3, 31, 23, 59, 59)
    )
    official = make_user("official", name="Olivia Official")
    public_user = make_user(
        "applicant",
        organisation=make_organisation(legal_name="Stad Gent", provider_type=ProviderType.public),
    )
    private_user = make_user(
        "applicant",
        organisation=make_organisation(
            legal_name="Leerhuis bv", provider_type=ProviderType.private
        ),
    )

    p1 = write(
        public_user,
        call,
        at(9),
        title="Lassen in VR",
        technologies=["vr", "ai"],
        project_type=ProjectType.convert,
        practice_oriented=True,
        requested_eur=Decimal("90000.00"),
    )
    submit(public_user, p1, at(10))

    p2 = write(
        private_user,
        call,
        at(4),
        title="Heftruck",
        technologies=["vr", "lms"],
        project_type=ProjectType.convert,
        requested_eur=Decimal("40000.00"),
    )
    submit(private_user, p2, at(5))
    submit(
        private_user,
        p2,
        at(20),
        technologies=["ai"],
        project_type=ProjectType.adapt,
        requested_eur=Decimal("50000.50"),
    )

    p3 = write(
        private_user,
        call,
        at(11),
        title="Boekhouden",
        technologies=["ai", "lms"],
        project_type=ProjectType.new,
        training_current_form="",
        training_hours=None,
        practice_oriented=False,
        practice_explanation="",
        requested_eur=Decimal("30000.00"),
    )
    submit(private_user, p3, at(12))
    proposals.withdraw_proposal(private_user, p3.id, "Partner haakt af", received_at=at(25))

    p4 = write(public_user, call, at(15), title="Nog niet klaar")
    p5 = write(
        public_user,
        call,
        at(31, 9),
        title="Kassa-escape",
        technologies=["gamification"],
        requested_eur=Decimal("12345.67"),
        content="Cursisten oefenen met een chatbot en een VR-bril; geen detail vergeten.",
    )
    submit(public_user, p5, at(31, 23))
    return World(call, official, public_user, private_user, p1, p2, p3, p4, p5)


def evaluate(world: World) -> None:
    """The world's call evaluated and decided: p1 and p2 admissible, p5 inadmissible; the
    decision funds p1 and puts p2 on the reserve list (the budget, lowered to 100,000 euro,
    holds one)."""
    from flask_babel import force_locale

    from app.core.db import db
    from app.reviews.models import Admissibility
    from app.reviews.rules import admissibility as admissibility_rules
    from app.reviews.rules import consensus as consensus_rules
    from app.reviews.rules import criteria as criteria_rules
    from app.reviews.rules import decisions as decisions_rules
    from tests.factories import allow_fewer_reviews

    world.call.budget_eur = Decimal("100000.00")
    db.session.commit()
    [criterion] = criteria_rules.set_criteria(
        None, world.call.id, [criteria_rules.CriterionInput("Kwaliteit", "Quality", Decimal("1"))]
    )
    official = world.official
    for proposal in (world.p1, world.p2):
        admissibility_rules.decide_admissibility(official, proposal.id, Admissibility.admissible)
    admissibility_rules.decide_admissibility(
        official, world.p5.id, Admissibility.inadmissible, "Te laat aangevuld"
    )
    allow_fewer_reviews(official, world.p1, world.p2)
    for proposal, score in ((world.p1, "5"), (world.p2, "4")):
        consensus_rules.record_consensus(official, proposal.id, criterion.id, score, "Eens")
    with force_locale("nl"):
        decisions_rules.publish_decision(official, world.call.id)
