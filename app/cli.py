"""``flask --app app ...``: each domain's command group, plus ``seed-demo``."""

from flask import Flask


def register_cli(app: Flask) -> None:
    from app.auth.cli import tokens_cli, users_cli
    from app.calls.cli import calls_cli
    from app.core.email import outbox_cli
    from app.core.jobs import jobs_cli
    from app.demo import seed_demo_command
    from app.main.cli import anonymise_account, export_personal_data
    from app.monitoring.cli import monitoring_cli
    from app.organisations.cli import create_user
    from app.proposals.cli import remind

    for group in (users_cli, tokens_cli, calls_cli, outbox_cli, jobs_cli,
                  monitoring_cli):
        app.cli.add_command(group)
    app.cli.add_command(seed_demo_command)
    users_cli.add_command(create_user)  # `flask users create`: may join an organisation
    calls_cli.add_command(remind)  # `flask calls remind`: the reminders belong to proposals
    # `flask users export|anonymise`: one person's data spans every domain
    users_cli.add_command(export_personal_data)
    users_cli.add_command(anonymise_account)
