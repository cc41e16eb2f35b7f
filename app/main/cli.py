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
    help="Write to this file instead of standard output: a name ending in .zip gets the "
    "archive the profile offers (the JSON and the documents the person uploaded), any other "
    "the JSON alone.",
)
def export_personal_data(email: str, output: Path | None) -> None:
    """Print (or write) everything kept about an account, as on its profile."""
    data = privacy.personal_data(None, _user(email).id)
    if output is None:
        click.echo(privacy.to_json(data))
    elif output.suffix.lower() == ".zip":
        output.write_bytes(privacy.to_archive(data))
        click.echo(f"wrote {output}", err=True)
    else:
        output.write_text(privacy.to_json(data) + "\n", encoding="utf-8")
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
