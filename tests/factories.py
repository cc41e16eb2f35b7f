"""Small factories that commit; states that carry rules go through the real services."""

import itertools

from app.auth import services as auth_services
from app.core.permissions import Role
from app.organisations import services as organisations
from app.organisations.enterprise_number import normalise
from app.organisations.models import Organisation, ProviderType

DEFAULT_PASSWORD = "Correct-Paard-Batterij-9"
_counter = itertools.count(1)


def valid_enterprise_number(n: int | None = None) -> str:
    """A valid enterprise number derived from ``n`` (mod-97 check digits)."""
    body = 2000000 + (n if n is not None else next(_counter))  # 8 digits, leading 0
    return normalise(f"{body:08d}{97 - body % 97:02d}")


def make_organisation(**overrides) -> Organisation:
    n = next(_counter)
    data = {
        "legal_name": f"Opleidingscentrum {n}",
        "enterprise_number": valid_enterprise_number(n),
        "provider_type": ProviderType.private,
        "city": "Gent",
        "postal_code": "9000",
        "street": "Kouter 1",
    }
    data.update(overrides)
    return organisations.create_organisation(None, organisations.OrganisationInput(**data))


def make_user(
    role: Role | str = Role.applicant,
    *,
    organisation: Organisation | None = None,
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
    verified: bool = True,
    name: str | None = None,
    language: str = "nl",
):
    n = next(_counter)
    role = Role(role)
    user = auth_services.create_user(
        None,
        auth_services.AccountInput(
            email=email or f"user{n}@example.org",
            name=name or f"Gebruiker {n}",
            password=password,
            language=language,
        ),
        roles={role},
        verified=verified,
    )
    if role is Role.applicant:
        organisations.add_member(None, organisation or make_organisation(), user)
    return user


def make_call(
    *, code: str | None = None, opens_at=None, deadline=None, publish: bool = True, **overrides
):
    """A published call, open now, closing in thirty days unless told otherwise."""
    from datetime import timedelta
    from decimal import Decimal

    from app.calls import services as calls
    from app.core.time import utcnow

    now = utcnow()
    data = {
        "code": code or f"TEST-{next(_counter)}",
        "title": "ESF e-leren (test)",
        "opens_at": opens_at or now - timedelta(days=30),
        "deadline": deadline or now + timedelta(days=30),
        "description": "Oproep voor e-learningprojecten.",
        "budget_eur": Decimal("1000000.00"),
        "max_request_eur": Decimal("150000.00"),
        "min_own_contribution_pct": Decimal("10"),
    }
    data.update(overrides)
    call = calls.create_call(None, calls.CallInput(**data))
    if publish:  # a past call is published as it was while still open
        calls.publish_call(None, call.id, received_at=min(now, call.opens_at))
    return call


def complete_fields(**overrides) -> dict:
    """Every field a submission needs, with plausible Dutch values."""
    from datetime import date
    from decimal import Decimal

    from app.calls.models import ProjectType

    values = {
        "title": "Lassen leren met virtuele realiteit",
        "acronym": "VR-LAS",
        "project_type": ProjectType.convert,
        "training_name": "Basisopleiding lassen",
        "training_current_form": "Klassikale opleiding in het atelier",
        "training_hours": 40,
        "training_reference": "OPL-12345",
        "learning_objectives": "De cursist last veilig een hoeknaad.",
        "content": "Theorie, simulaties en praktijkopdrachten.",
        "didactic_approach": "Eerst oefenen in VR, daarna in het atelier.",
        "target_group": "Werkzoekenden zonder diploma secundair onderwijs.",
        "disadvantaged_groups": "Laaggeschoolden en anderstaligen.",
        "practice_oriented": True,
        "practice_explanation": "Elke module eindigt met een praktijkopdracht.",
        "guidance_before": "Intakegesprek.",
        "guidance_during": "Wekelijkse coaching.",
        "guidance_after": "Opvolggesprek na drie maanden.",
        "lms_follow_up": "Voortgang per module in het LMS.",
        "technologies": ["vr", "lms"],
        "technology_other": "",
        "start_date": date(2030, 1, 1),
        "end_date": date(2030, 12, 31),
        "milestones": [],
        "requested_eur": Decimal("90000.00"),
        "own_contribution_eur": Decimal("20000.00"),
        "partners": [],
        "expected_participants": 120,
    }
    values.update(overrides)
    return values


def make_proposal(call, user, *, complete: bool = True, submit: bool = False, **overrides):
    """A proposal of ``user``'s first organisation; filled in and optionally submitted."""
    from app.proposals import services as proposals

    organisation_id = sorted(user.organisation_ids)[0]
    proposal = proposals.create_proposal(user, call.id, organisation_id)
    if complete or overrides:
        values = complete_fields(**overrides) if complete else overrides
        proposal = proposals.update_proposal(user, proposal.id, values, proposal.revision)
    if submit:
        proposals.submit_proposal(user, proposal.id)
    return proposal


def allow_fewer_reviews(official, *proposal_list, reason="Test: decided without reviews"):
    """Record the official's reason to hold the consensus without the required reviews
    (for tests about consensus, ranking and decisions rather than about reviewing)."""
    from app.reviews.rules import consensus as consensus_rules

    for proposal in proposal_list:
        if not consensus_rules.review_quorum(proposal).met:
            consensus_rules.override_review_quorum(official, proposal.id, reason)
