"""``flask --app app monitoring ...``: funded projects and enrolment imports for operators."""

from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from app.core.errors import PortalError
from app.monitoring import import_checks, imports, services
from app.monitoring.models import ImportStatus

monitoring_cli = AppGroup("monitoring", help="Funded projects and their enrolment imports.")


@monitoring_cli.command("projects")
def projects_command() -> None:
    """One funded project per line: reference, organisation, call, status, enrolments."""
    for row in services.list_all_projects():
        click.echo(
            "\t".join(
                (
                    row.project.reference,
                    row.organisation,
                    row.call_code,
                    row.project.status.value,
                    str(row.enrolments),
                )
            )
        )


@monitoring_cli.command("import")
@click.argument("reference")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The import day (YYYY-MM-DD): the status date of rows without status_on. "
    "Default: today in Brussels.",
)
@click.option(
    "--queue", is_flag=True, help="Only queue the import for the job worker and print its number."
)
def import_command(reference: str, path: Path, as_of, queue: bool) -> None:
    """Import the enrolment file PATH (CSV or XLSX) into project REFERENCE.

    Runs the same checks as an upload; a file with any error changes nothing and the command
    exits with status 1 after listing every error with its line and column."""
    day: date | None = as_of.date() if as_of else None
    try:
        project = services.get_project_by_reference(reference)
        with path.open("rb") as stream:
            batch = services.queue_import(
                None, project.id, path.name, stream, as_of=day, enqueue=queue
            )
    except PortalError as exc:
        message = "; ".join(exc.errors.values()) if hasattr(exc, "errors") else exc.user_message()
        raise click.ClickException(message) from exc
    if queue:
        click.echo(f"Import {batch.id} queued for {project.reference}.")
        return
    finished = imports.run_import(batch.id)
    assert finished is not None  # queued just now
    batch = finished
    if batch.status is ImportStatus.done:
        click.echo(
            f"Imported {batch.rows_total} rows into {project.reference}: "
            f"{batch.created_count} new, {batch.updated_count} updated, "
            f"{batch.unchanged_count} unchanged, {batch.late_count} late."
        )
        return
    for error in batch.errors:
        where = ", ".join(
            part
            for part in (
                f"line {error['line']}" if error.get("line") else "",
                f"column {error['column']}" if error.get("column") else "",
            )
            if part
        )
        click.echo(f"{where or 'file'}: {import_checks.error_message(error)}", err=True)
    if batch.error_count > len(batch.errors):
        click.echo(f"... and {batch.error_count - len(batch.errors)} more errors.", err=True)
    raise click.ClickException(
        f"The file was refused ({batch.error_count} errors): nothing was changed."
    )
