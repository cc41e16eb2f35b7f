"""``flask audit verify``: is anything altered, removed or inserted?"""

import time

import click
from flask.cli import AppGroup

from app.audit import integrity

audit_cli = AppGroup("audit", help="The audit trail and the integrity of stored records.")


@audit_cli.command("verify")
@click.option(
    "--anchor",
    metavar="HASH",
    help="A chain head noted earlier (printed by this command and kept in each "
    "backup's manifest): it must still be in the chain.",
)
def verify_command(anchor: str | None) -> None:
    """Check the audit chain, every stored version and decision fingerprint and every
    stored file's SHA-256. Exit 1 naming the first record that does not hold."""
    started = time.perf_counter()
    results, head = integrity.run_all(anchor)
    problems = [result for result in results if result.problem]
    for result in problems:
        click.echo(f"NOT INTACT: {result.problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo(f"{integrity.summary(results, head)} ({time.perf_counter() - started:.1f} s)")
