"""``flask --app app seed-demo``: demo organisations, one account per role, and two calls
with proposals (calls.py), last year's evaluated to a published decision (evaluation.py),
and its funded projects' enrolments (monitoring.py). Idempotent: a second run changes
nothing."""

import click
from flask.cli import with_appcontext

from app.auth import services as auth_services
from app.core.permissions import Role
from app.demo.content import LEERBOOM, POCL
from app.demo.evaluation import build_and_evaluate_calls
from app.demo.monitoring import ENROLMENTS, seed_monitoring
from app.organisations import services as organisations

DEMO_PASSWORD = "Demo-portaal-2026!"  # noqa: S105 (public demo accounts)

# The organisations of the demo applicants (data/providers.json).
DEMO_ORGANISATIONS = [LEERBOOM.organisation_input(), POCL.organisation_input()]

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
            if organisation is not None and organisation.id not in user.organisation_ids:
                organisations.add_member(None, organisation, user)
        lines.append((role.value, user.email, DEMO_PASSWORD))
    return lines


@click.command("seed-demo")
@click.option(
    "--enrolments",
    type=click.IntRange(0, 1_000_000),
    default=ENROLMENTS,
    show_default=True,
    help="About how many enrolments the funded projects report over the two years.",
)
@with_appcontext
def seed_demo_command(enrolments: int) -> None:
    """Load demo data; safe to run again.

    Prints ROLE EMAIL PASSWORD per demo account, then one line per demo call and one for
    the evaluation of last year's call (app/demo/evaluation.py). The applicants of the other
    demo providers (app/demo/data/providers.json) and the other evaluators use the same
    password. Projects that already have enrolments keep them, whatever ``--enrolments``.
    """
    for role, email, password in seed_demo():
        click.echo(f"{role} {email} {password}")
    for line in build_and_evaluate_calls(DEMO_PASSWORD):
        click.echo(line)
    click.echo(seed_monitoring(enrolments=enrolments))
