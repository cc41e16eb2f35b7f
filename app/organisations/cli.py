"""``flask users create``: an account, optionally a member of an organisation. It lives here,
above auth, because it needs both; app.cli adds it to the ``users`` group."""

import secrets
import sys

import click

from app.auth import services as auth_services
from app.auth.cli import fail
from app.core.errors import PortalError
from app.core.permissions import Role
from app.organisations import services


@click.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option(
    "--role",
    "roles",
    required=True,
    multiple=True,
    type=click.Choice([r.value for r in Role]),
    help="Role; repeat for several.",
)
@click.option(
    "--organisation",
    "enterprise_number",
    default=None,
    help="Enterprise number of the organisation the user belongs to (its first "
    "member becomes a member administrator).",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--language", default="nl", type=click.Choice(["nl", "en"]), show_default=True)
def create_user(
    email: str,
    name: str,
    roles: tuple[str, ...],
    enterprise_number: str | None,
    password_stdin: bool,
    language: str,
) -> None:
    """Create a verified, active account. Without --password-stdin a password is generated."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else secrets.token_urlsafe(12)
    organisation = None
    if enterprise_number:
        organisation = services.get_by_enterprise_number(enterprise_number)
        if organisation is None:
            raise click.ClickException(
                f"No organisation with enterprise number {enterprise_number}."
            )
    try:
        user = auth_services.create_user(
            None,
            auth_services.AccountInput(
                email=email, name=name, password=password, language=language
            ),
            roles={Role(r) for r in roles},
            verified=True,
        )
        if organisation is not None:
            services.add_member(None, organisation, user)
    except PortalError as exc:
        raise fail(exc) from exc
    click.echo(f"created {user.email} ({', '.join(sorted(roles))})")
    if not password_stdin:
        click.echo(f"password {password}")
