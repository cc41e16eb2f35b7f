"""Operators' command for proposals: deadline reminders (``flask calls remind``)."""

import click

from app.proposals import services


@click.command("remind")
def remind() -> None:
    """Queue deadline reminders (7 days and 1 day before) for unsubmitted drafts."""
    queued = services.send_deadline_reminders()
    click.echo(f"{queued} reminder email(s) queued.")
