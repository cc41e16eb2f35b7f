"""Operators' commands: create and list calls (``calls remind`` comes from app.proposals.cli)."""

from decimal import Decimal

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.calls import services
from app.calls.models import Call
from app.core.db import db, transaction
from app.core.errors import PortalError, ValidationFailed
from app.core.money import InvalidAmount, parse_euro
from app.core.time import InvalidLocalTime, format_brussels, parse_local

calls_cli = AppGroup("calls", help="Calls for proposals.")


def _fail(exc: PortalError) -> click.ClickException:
    if isinstance(exc, ValidationFailed):
        return click.ClickException("; ".join(f"{k}: {v}" for k, v in exc.errors.items()))
    return click.ClickException(exc.user_message())


def _moment(option: str, text: str, timezone: str):
    try:
        return parse_local(text, timezone)
    except InvalidLocalTime as exc:
        raise click.ClickException(f"{option}: {exc}") from exc


def _amount(option: str, text: str | None):
    try:
        amount = parse_euro(text)
    except InvalidAmount as exc:
        raise click.ClickException(
            f"{option}: {text!r} is not an amount in euro (at most two decimals)."
        ) from exc
    return amount if amount is not None else Decimal("0")


def _utc(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


@calls_cli.command("create")
@click.option("--code", required=True, help="Call number, e.g. ESF-ELEREN-2027.")
@click.option("--title", required=True)
@click.option(
    "--opens",
    "opens_text",
    required=True,
    help='Opening of the submission period, "YYYY-MM-DD HH:MM[:SS]" local time.',
)
@click.option(
    "--deadline",
    "deadline_text",
    required=True,
    help='Submission deadline, "YYYY-MM-DD HH:MM:SS" local time.',
)
@click.option(
    "--timezone",
    default="Europe/Brussels",
    show_default=True,
    help="Time zone of --opens and --deadline.",
)
@click.option("--budget", default=None, help="Call budget in euro.")
@click.option("--max-request", default=None, help="Maximum per proposal in euro.")
@click.option("--description", default="", help="Description shown on the call's page.")
@click.option("--publish", is_flag=True, help="Publish the call at once (otherwise a draft).")
def create_call(
    code: str,
    title: str,
    opens_text: str,
    deadline_text: str,
    timezone: str,
    budget: str | None,
    max_request: str | None,
    description: str,
    publish: bool,
) -> None:
    """Create a call (a draft unless --publish); deadlines are stored in UTC."""
    data = services.CallInput(
        code=code,
        title=title,
        description=description,
        opens_at=_moment("--opens", opens_text, timezone),
        deadline=_moment("--deadline", deadline_text, timezone),
        budget_eur=_amount("--budget", budget),
        max_request_eur=_amount("--max-request", max_request),
    )
    try:
        with transaction():  # create and publish together, or neither
            call = services.create_call(None, data)
            if publish:
                services.publish_call(None, call.id)
    except PortalError as exc:
        raise _fail(exc) from exc
    click.echo(f"created call {call.code} ({call.status.value}): {call.title}")
    click.echo(
        f"  opens     {format_brussels(call.opens_at)} Europe/Brussels = {_utc(call.opens_at)}"
    )
    click.echo(
        f"  deadline  {format_brussels(call.deadline)} Europe/Brussels = {_utc(call.deadline)}"
    )


@calls_cli.command("list")
def list_calls() -> None:
    """List every call: code, status, deadline (Brussels time), title."""
    calls = db.session.scalars(sa.select(Call).order_by(Call.deadline.desc(), Call.id)).all()
    if not calls:
        click.echo("no calls")
    for call in calls:  # operators see drafts too
        click.echo(
            f"{call.code}\t{call.status.value}\t"
            f"{format_brussels(call.deadline)} Europe/Brussels\t{call.title}"
        )
