"""Operators' command for proposals: deadline reminders (``flask calls remind``)."""

import click

from app.proposals import reminders


@click.command("remind")
def remind() -> None:
    """Queue deadline reminders (7 days and 1 day before) for unsubmitted drafts."""
    queued = reminders.send_deadline_reminders()
    click.echo(f"{queued} reminder email(s) queued.")
