"""Operators' commands: user accounts and API tokens."""

import sys

import click
from flask.cli import AppGroup

from app.audit import services as audit
from app.auth import services
from app.core.db import transaction
from app.core.errors import PortalError, ValidationFailed
from app.core.permissions import Role
from app.organisations import services as organisations

users_cli = AppGroup("users", help="User accounts.")
tokens_cli = AppGroup("tokens", help="Personal API tokens.")


def _fail(exc: PortalError) -> click.ClickException:
    if isinstance(exc, ValidationFailed):
        return click.ClickException("; ".join(f"{k}: {v}" for k, v in exc.errors.items()))
    return click.ClickException(exc.user_message())


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", "roles", required=True, multiple=True,
              type=click.Choice([r.value for r in Role]), help="Role; repeat for several.")
@click.option("--organisation", "enterprise_number", default=None,
              help="Enterprise number of the organisation the user belongs to.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--language", default="nl", type=click.Choice(["nl", "en"]), show_default=True)
def create_user(email: str, name: str, roles: tuple[str, ...], enterprise_number: str | None,
                password_stdin: bool, language: str) -> None:
    """Create a verified, active account. Without --password-stdin a password is generated."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        import secrets

        password = secrets.token_urlsafe(12)
    organisation = None
    if enterprise_number:
        organisation = organisations.get_by_enterprise_number(enterprise_number)
        if organisation is None:
            raise click.ClickException(f"No organisation with enterprise number "
                                       f"{enterprise_number}.")
    try:
        user = services.create_user(
            None, services.AccountInput(email=email, name=name, password=password,
                                        language=language),
            roles={Role(r) for r in roles}, verified=True)
        if organisation is not None:
            organisations.add_member(None, organisation, user)
    except PortalError as exc:
        raise _fail(exc) from exc
    click.echo(f"created {user.email} ({', '.join(sorted(roles))})")
    if not password_stdin:
        click.echo(f"password {password}")


@users_cli.command("list")
def list_users() -> None:
    """List accounts with their roles."""
    for user in services.list_users():
        state = "active" if user.active else "inactive"
        click.echo(f"{user.email}\t{user.name}\t{','.join(sorted(user.roles))}\t{state}")


@users_cli.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Deactivate an account (it can no longer log in or use tokens)."""
    user = services.get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account {email}.")
    with transaction():
        user.active = False
        audit.record(None, "user.deactivated", user, after={"active": False})
    click.echo(f"deactivated {user.email}")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", default="cli", show_default=True, help="A name to recognise it by.")
def create_token(email: str, name: str) -> None:
    """Create a personal API token; the token is the last word of the last line."""
    try:
        user = services.get_active_by_email(email)
        token, plain = services.create_token(user, user, name)
    except PortalError as exc:
        raise _fail(exc) from exc
    click.echo(f"Token {token.id} '{token.name}' for {user.email}; shown once, store it now:")
    click.echo(f"token {plain}")


@tokens_cli.command("revoke")
@click.argument("email")
@click.argument("token_id", type=int)
def revoke_token(email: str, token_id: int) -> None:
    """Revoke one of a user's tokens by id."""
    try:
        user = services.get_active_by_email(email)
        services.revoke_token(user, token_id)
    except PortalError as exc:
        raise _fail(exc) from exc
    click.echo(f"revoked token {token_id}")


@tokens_cli.command("list")
@click.argument("email")
def list_tokens(email: str) -> None:
    """List a user's tokens (never the tokens themselves)."""
    try:
        user = services.get_active_by_email(email)
    except PortalError as exc:
        raise _fail(exc) from exc
    for token in services.list_tokens(user):
        state = "revoked" if token.revoked_at else "expired" if token.is_expired else "active"
        used = token.last_used_at.isoformat() if token.last_used_at else "never"
        click.echo(f"{token.id}\t{token.name}\t{token.prefix}…\t{state}\tlast used {used}"
                   f"\texpires {token.expires_at.isoformat()}")
