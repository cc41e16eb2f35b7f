"""``flask --app app seed-demo``: demo organisations, one account per role, and two calls
with proposals (app/demo_proposals.py), last year's evaluated to a published decision
(app/demo_evaluation.py). Idempotent: a second run changes nothing."""

import click
from flask.cli import with_appcontext

from app import demo_evaluation
from app.auth import services as auth_services
from app.core.permissions import Role
from app.organisations import services as organisations
from app.organisations.models import ProviderType

DEMO_PASSWORD = "Demo-portaal-2026!"  # noqa: S105 (public demo accounts)

DEMO_ORGANISATIONS = [
    organisations.OrganisationInput(
        legal_name="Vormingscentrum De Leerboom vzw",
        enterprise_number="0403.170.701",
        provider_type=ProviderType.private,
        street="Kouter 12",
        postal_code="9000",
        city="Gent",
        contact_name="Els Vermeulen",
        contact_email="info@leerboom.example",
        contact_phone="09 123 45 67",
    ),
    organisations.OrganisationInput(
        legal_name="Provinciaal Opleidingscentrum Limburg",
        enterprise_number="0216.477.175",
        provider_type=ProviderType.public,
        street="Universiteitslaan 1",
        postal_code="3500",
        city="Hasselt",
        contact_name="Jan Claes",
        contact_email="opleidingen@pocl.example",
        contact_phone="011 23 45 67",
    ),
]

# (role, email, name, enterprise number of the organisation or None)
DEMO_ACCOUNTS = [
    (Role.applicant, "aanvrager@leerboom.example", "Els Vermeulen", "0403.170.701"),
    (Role.applicant, "aanvrager@pocl.example", "Jan Claes", "0216.477.175"),
    (Role.evaluator, "beoordelaar@esf-eleren.example", "Sofie Maes", None),
    (Role.official, "ambtenaar@esf-eleren.example", "Pieter Janssens", None),
    (Role.admin, "beheerder@esf-eleren.example", "An De Smet", None),
]


def seed_demo() -> list[tuple[str, str, str]]:
    """Create what is missing; return (role, email, password) per demo account."""
    for data in DEMO_ORGANISATIONS:
        if organisations.get_by_enterprise_number(data.enterprise_number) is None:
            organisations.create_organisation(None, data)
    lines = []
    for role, email, name, enterprise_number in DEMO_ACCOUNTS:
        user = auth_services.get_user_by_email(email)
        if user is None:
            user = auth_services.create_user(
                None,
                auth_services.AccountInput(email=email, name=name, password=DEMO_PASSWORD),
                roles={role},
                verified=True,
            )
        if enterprise_number:
            organisation = organisations.get_by_enterprise_number(enterprise_number)
            if organisation.id not in user.organisation_ids:
                organisations.add_member(None, organisation, user)
        lines.append((role.value, user.email, DEMO_PASSWORD))
    return lines


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load demo data; safe to run again.

    Prints ROLE EMAIL PASSWORD per demo account, then one line per demo call and one for
    the evaluation of last year's call (app/demo_evaluation.py). The applicants of the other
    demo providers (app/demo_proposals.py) and the other evaluators use the same password.
    """
    for role, email, password in seed_demo():
        click.echo(f"{role} {email} {password}")
    for line in demo_evaluation.seed_calls(DEMO_PASSWORD):
        click.echo(line)
    from app.monitoring import demo as monitoring_demo

    click.echo(monitoring_demo.seed_monitoring())
