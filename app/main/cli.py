"""``flask users export`` and ``flask users anonymise``: personal data from the command line
(added to the ``users`` group by app.cli)."""

from pathlib import Path

import click

from app.auth import services as auth
from app.auth.models import User
from app.core.errors import DomainError
from app.main import privacy


def _user(email: str) -> User:
    user = auth.get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account {email}.")
    return user


@click.command("export")
@click.argument("email")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the JSON to this file instead of standard output.",
)
def export_personal_data(email: str, output: Path | None) -> None:
    """Print (or write) everything kept about an account as JSON, as on its profile."""
    body = privacy.to_json(privacy.personal_data(None, _user(email).id))
    if output is None:
        click.echo(body)
    else:
        output.write_text(body + "\n", encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


@click.command("anonymise")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def anonymise_account(email: str, yes: bool) -> None:
    """Anonymise an account: placeholders for name and email, no login ever again."""
    user = _user(email)
    if not yes:
        click.confirm(f"Anonymise {user.email} ({user.name})? This cannot be undone.", abort=True)
    try:
        user = privacy.anonymise(None, user.id)
    except DomainError as exc:
        raise click.ClickException(exc.user_message()) from exc
    click.echo(f"anonymised account {user.id}: now {user.email}")
