"""Operators' commands: user accounts and API tokens (``users create`` is in
app.organisations.cli: it can attach the new user to an organisation)."""

import click
from flask.cli import AppGroup

from app.audit import services as audit
from app.auth import services
from app.auth import tokens as auth_tokens
from app.core.db import transaction
from app.core.errors import PortalError, ValidationFailed

users_cli = AppGroup("users", help="User accounts.")
tokens_cli = AppGroup("tokens", help="Personal API tokens.")


def fail(exc: PortalError) -> click.ClickException:
    if isinstance(exc, ValidationFailed):
        return click.ClickException("; ".join(f"{k}: {v}" for k, v in exc.errors.items()))
    return click.ClickException(exc.user_message())


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
        token, plain = auth_tokens.create_token(user, user, name)
    except PortalError as exc:
        raise fail(exc) from exc
    click.echo(f"Token {token.id} '{token.name}' for {user.email}; shown once, store it now:")
    click.echo(f"token {plain}")


@tokens_cli.command("revoke")
@click.argument("email")
@click.argument("token_id", type=int)
def revoke_token(email: str, token_id: int) -> None:
    """Revoke one of a user's tokens by id."""
    try:
        user = services.get_active_by_email(email)
        auth_tokens.revoke_token(user, token_id)
    except PortalError as exc:
        raise fail(exc) from exc
    click.echo(f"revoked token {token_id}")


@tokens_cli.command("list")
@click.argument("email")
def list_tokens(email: str) -> None:
    """List a user's tokens (never the tokens themselves)."""
    try:
        user = services.get_active_by_email(email)
    except PortalError as exc:
        raise fail(exc) from exc
    for token in auth_tokens.list_tokens(user):
        state = "revoked" if token.revoked_at else "expired" if token.is_expired else "active"
        used = token.last_used_at.isoformat() if token.last_used_at else "never"
        click.echo(
            f"{token.id}\t{token.name}\t{token.prefix}…\t{state}\tlast used {used}"
            f"\texpires {token.expires_at.isoformat()}"
        )
