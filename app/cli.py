"""``flask --app app ...``: each domain's command group, plus ``seed-demo``."""

from flask import Flask


def register_cli(app: Flask) -> None:
    from app.audit import integrity
    from app.audit.cli import audit_cli
    from app.auth.cli import tokens_cli, users_cli
    from app.calls.cli import calls_cli
    from app.core.backup import backup_cli
    from app.core.email import outbox_cli
    from app.core.jobs import jobs_cli
    from app.demo import seed_demo_command
    from app.monitoring.cli import monitoring_cli
    from app.proposals import integrity as proposals_integrity
    from app.proposals.cli import remind
    from app.reviews import integrity as reviews_integrity

    for group in (users_cli, tokens_cli, calls_cli, outbox_cli, jobs_cli,
                  monitoring_cli, audit_cli, backup_cli):
        app.cli.add_command(group)
    app.cli.add_command(seed_demo_command)
    calls_cli.add_command(remind)  # `flask calls remind`: the reminders belong to proposals
    # What `flask audit verify` (and a restore) checks besides the audit chain
    integrity.register(
        app, records=[proposals_integrity.verify_versions,
                      reviews_integrity.verify_decision_records],
        file_references=[proposals_integrity.referenced_files,
                         reviews_integrity.referenced_files])
