"""``flask --app app ...``: each domain's command group, plus ``seed-demo``."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup

files_cli = AppGroup("files", help="Uploaded files in the storage folder.")


@files_cli.command("clean")
@click.option("--dry-run", is_flag=True, help="List what would be removed; remove nothing.")
@click.option(
    "--grace-minutes",
    type=click.IntRange(min=1),
    default=None,
    help="Leave files younger than this alone (default UPLOAD_CLEAN_GRACE_SECONDS).",
)
def clean_files(dry_run: bool, grace_minutes: int | None) -> None:
    """Remove temporary files and stored files no row refers to, older than the grace period.

    Safe to run while the portal serves requests (for example hourly from cron)."""
    from app.core import files
    from app.core.db import db
    from app.proposals.storage import version_file_hashes

    grace = (
        grace_minutes * 60 if grace_minutes else current_app.config["UPLOAD_CLEAN_GRACE_SECONDS"]
    )
    report = files.clean_storage(
        lambda: files.hashes_in_columns() | version_file_hashes(),
        grace_seconds=grace,
        dry_run=dry_run,
    )
    db.session.rollback()
    verb = "would remove" if dry_run else "removed"
    root = files.storage_root()
    for path in report.temporary:
        click.echo(f"{verb} temporary {path.relative_to(root)}")
    for path in report.unreferenced:
        click.echo(f"{verb} unreferenced {path.relative_to(root)}")
    click.echo(
        f"{verb} {len(report.removed)} file(s), {report.removed_bytes} bytes; kept "
        f"{report.kept_referenced} referenced and {report.kept_young} younger than "
        f"{grace // 60} minutes."
    )


def register_cli(app: Flask) -> None:
    from app.audit import integrity
    from app.audit.cli import audit_cli
    from app.auth.cli import tokens_cli, users_cli
    from app.calls.cli import calls_cli
    from app.core.backup import backup_cli
    from app.core.email import outbox_cli
    from app.core.jobs import jobs_cli
    from app.demo.accounts import seed_demo_command
    from app.main.cli import anonymise_account, export_personal_data
    from app.monitoring.cli import monitoring_cli
    from app.organisations.cli import create_user
    from app.proposals import integrity as proposals_integrity
    from app.proposals.cli import remind
    from app.reviews import integrity as reviews_integrity

    for group in (
        users_cli,
        tokens_cli,
        calls_cli,
        outbox_cli,
        jobs_cli,
        monitoring_cli,
        audit_cli,
        backup_cli,
    ):
        app.cli.add_command(group)
    app.cli.add_command(seed_demo_command)
    users_cli.add_command(create_user)  # `flask users create`: may join an organisation
    app.cli.add_command(files_cli)
    calls_cli.add_command(remind)  # `flask calls remind`: the reminders belong to proposals
    # `flask users export|anonymise`: one person's data spans every domain
    users_cli.add_command(export_personal_data)
    users_cli.add_command(anonymise_account)
    # What `flask audit verify` (and a restore) checks besides the audit chain
    integrity.register(
        app,
        records=[proposals_integrity.verify_versions, reviews_integrity.verify_decision_records],
        file_references=[proposals_integrity.referenced_files, reviews_integrity.referenced_files],
    )
