"""Enrolment files: reading CSV and XLSX, and the import job that checks them
(``app.monitoring.import_checks``) and writes their rows.

The job reads and checks the whole file first (writing its progress to the import row every
``PROGRESS_EVERY`` rows, each in its own short transaction), then writes everything in one
transaction: a file with any error changes nothing.

Rules chosen here (README, "Monitoring"):
- a status change must take effect on or after the recorded status's day: the same day
  corrects the current status, an earlier day is an error (history is only appended to);
- an unchanged status keeps its original day, whatever ``status_on`` the file gives.
"""

import csv
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from app.audit import services as audit
from app.core import files, jobs
from app.core.db import db, table_of, transaction
from app.core.time import utcnow
from app.monitoring import xlsx
from app.monitoring.import_checks import (
    PROGRESS_EVERY,
    Parsed,
    Unreadable,
    error_message,
    parse,
)
from app.monitoring.models import (
    Enrolment,
    EnrolmentImport,
    EnrolmentStatusChange,
    FundedProject,
    ImportStatus,
    ProjectTraining,
    ReportedMonth,
)

if TYPE_CHECKING:
    from app.auth.models import User

log = logging.getLogger(__name__)

# The profile columns an update compares (status and status_on are handled as history).
PROFILE = (
    "training_code",
    "started_on",
    "mode",
    "channel",
    "education",
    "birth_year",
    "gender",
    "disability",
    "migration_background",
    "labour_status",
)


def kind_of(filename: str) -> str | None:
    """``csv`` or ``xlsx`` by the file name's extension, else None."""
    suffix = Path(filename or "").suffix.lower()
    return {".csv": "csv", ".xlsx": "xlsx"}.get(suffix)


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
            delimiter = ";" if first.count(";") > first.count(",") else ","
            handle.seek(0)
            reader = csv.reader(handle, delimiter=delimiter, strict=True)
            for values in reader:
                yield reader.line_num, values
    except UnicodeDecodeError:
        raise Unreadable("encoding") from None
    except csv.Error:
        raise Unreadable("unreadable", kind="CSV") from None


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        yield from xlsx.rows(path)
    except xlsx.NotAWorkbook:
        raise Unreadable("unreadable", kind="XLSX") from None


def read_rows(path: Path, kind: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, values) for every line of the file, the header first."""
    return _csv_rows(path) if kind == "csv" else _xlsx_rows(path)


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    late: int = 0
    errors: Parsed = field(default_factory=Parsed)


def enrolment_values(
    row: dict[str, Any], *, project_id: int, import_id: int, now: datetime, late: bool
) -> dict[str, Any]:
    """The columns of a new ``enrolments`` row from a checked file row (also the demo's)."""
    started: date = row["started_on"]
    birth_year = row.get("birth_year")
    return {
        "project_id": project_id,
        "enrolment_id": row["enrolment_id"],
        "training_code": row["training_code"],
        "started_on": started,
        "started_year": started.year,
        "started_month": started.month,
        "mode": row["mode"],
        "channel": row["channel"],
        "education": row["education"],
        "birth_year": birth_year,
        "age_at_start": started.year - birth_year if birth_year else None,
        "gender": row["gender"],
        "disability": row["disability"],
        "migration_background": row["migration_background"],
        "labour_status": row["labour_status"],
        "status": row["status"],
        "status_on": row["status_on"],
        "late": late,
        "first_import_id": import_id,
        "first_reported_at": now,
        "updated_at": now,
    }


def insert_enrolments(values: list[dict[str, Any]]) -> dict[str, int]:
    """Insert ``enrolments`` rows of one project in bulk; their primary keys by
    ``enrolment_id``.

    A plain executemany, then the keys read back by (project, enrolment id), which is
    unique: an INSERT … RETURNING of thousands of rows is sent as statements so long that
    psycopg parses each anew (on PostgreSQL 85% of an import's time, 7,000 rows a second
    instead of 25,000)."""
    if not values:
        return {}
    (project_id,) = {v["project_id"] for v in values}
    table = table_of(Enrolment)
    db.session.execute(sa.insert(table), values)
    wanted = {v["enrolment_id"] for v in values}
    rows = db.session.execute(
        sa.select(table.c.enrolment_id, table.c.id).where(table.c.project_id == project_id)
    )
    return {enrolment_id: pk for enrolment_id, pk in rows if enrolment_id in wanted}


def insert_history(values: list[dict[str, Any]]) -> None:
    """Insert ``enrolment_status_changes`` rows in bulk (enrolment_pk, status, status_on,
    until_on, import_id)."""
    if values:
        db.session.execute(sa.insert(table_of(EnrolmentStatusChange)), values)


def apply_rows(
    project_id: int, import_id: int, rows: list[dict[str, Any]], *, now: datetime
) -> Outcome:
    """Upsert checked rows into the project's enrolments, inside the caller's transaction.

    Reads the project's enrolments and reported months once, then writes with one bulk
    statement per kind of change. Errors that depend on what is stored (a status dated
    before the current one) come back in ``Outcome.errors``; the caller rolls back then."""
    outcome = Outcome()
    e = table_of(Enrolment).c
    enums = {
        "mode",
        "channel",
        "education",
        "gender",
        "disability",
        "migration_background",
        "labour_status",
        "status",
    }

    def plain(name: str) -> Any:  # enum columns as their text: no enum object per value
        return sa.type_coerce(e[name], sa.String()).label(name) if name in enums else e[name]

    # (id, status, status_on, *PROFILE) by enrolment_id, in one query
    stored = {
        r[0]: r[1:]
        for r in db.session.execute(
            sa.select(
                e.enrolment_id, e.id, plain("status"), e.status_on, *(plain(c) for c in PROFILE)
            ).where(e.project_id == project_id)
        )
    }
    reported = {
        (r.year, r.month)
        for r in db.session.execute(
            sa.select(ReportedMonth.year, ReportedMonth.month).where(
                ReportedMonth.project_id == project_id
            )
        )
    }
    new_values: list[dict[str, Any]] = []
    new_history: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    closes: list[dict[str, Any]] = []
    corrections: list[dict[str, Any]] = []
    appended: list[dict[str, Any]] = []
    months: set[tuple[int, int]] = set()
    for row in rows:
        started: date = row["started_on"]
        months.add((started.year, started.month))
        old = stored.get(row["enrolment_id"])
        if old is None:
            late = (started.year, started.month) in reported
            outcome.created += 1
            outcome.late += late
            new_values.append(
                enrolment_values(
                    row, project_id=project_id, import_id=import_id, now=now, late=late
                )
            )
            new_history.append(
                {
                    "enrolment_id": row["enrolment_id"],
                    "status": row["status"],
                    "status_on": row["status_on"],
                }
            )
            continue
        pk, old_status, old_status_on = old[0], old[1], old[2]
        changed = tuple(row[c] for c in PROFILE) != old[3:]
        status, status_on = old_status, old_status_on
        if row["status"] != old_status:
            if row["status_on"] < old_status_on:
                outcome.errors.add(
                    row["line"],
                    "status_on",
                    "status_before_current",
                    value=row["enrolment_id"],
                    status=old_status,
                    day=old_status_on.isoformat(),
                )
                continue
            if row["status_on"] == old_status_on:
                corrections.append({"b_pk": pk, "b_status": row["status"]})
            else:
                closes.append({"b_pk": pk, "b_until": row["status_on"]})
                appended.append(
                    {
                        "enrolment_pk": pk,
                        "status": row["status"],
                        "status_on": row["status_on"],
                        "until_on": None,
                        "import_id": import_id,
                    }
                )
            status, status_on = row["status"], row["status_on"]
            changed = True
        if not changed:
            outcome.unchanged += 1
            continue
        outcome.updated += 1
        birth_year = row.get("birth_year")
        updates.append(
            {
                "b_id": pk,
                **{f"b_{c}": row[c] for c in PROFILE},
                "b_started_year": started.year,
                "b_started_month": started.month,
                "b_age_at_start": started.year - birth_year if birth_year else None,
                "b_status": status,
                "b_status_on": status_on,
                "b_updated_at": now,
            }
        )
    if outcome.errors.error_count:
        return outcome
    pks = insert_enrolments(new_values)
    insert_history(
        [
            {
                "enrolment_pk": pks[h.pop("enrolment_id")],
                "until_on": None,
                "import_id": import_id,
                **h,
            }
            for h in new_history
        ]
    )
    h = table_of(EnrolmentStatusChange)
    if closes:
        db.session.execute(
            sa.update(h)
            .where(h.c.enrolment_pk == sa.bindparam("b_pk"), h.c.until_on.is_(None))
            .values(until_on=sa.bindparam("b_until")),
            closes,
        )
    if corrections:
        db.session.execute(
            sa.update(h)
            .where(h.c.enrolment_pk == sa.bindparam("b_pk"), h.c.until_on.is_(None))
            .values(status=sa.bindparam("b_status")),
            corrections,
        )
    insert_history(appended)
    if updates:
        columns = (
            *PROFILE,
            "started_year",
            "started_month",
            "age_at_start",
            "status",
            "status_on",
            "updated_at",
        )
        db.session.execute(
            sa.update(table_of(Enrolment))
            .where(e.id == sa.bindparam("b_id"))
            .values({c: sa.bindparam(f"b_{c}") for c in columns}),
            updates,
        )
    if new_months := sorted(months - reported):
        db.session.execute(
            sa.insert(table_of(ReportedMonth)),
            [
                {
                    "project_id": project_id,
                    "year": y,
                    "month": m,
                    "first_import_id": import_id,
                    "first_reported_at": now,
                }
                for y, m in new_months
            ],
        )
    return outcome


def _set(import_id: int, **values: Any) -> None:
    """Write progress in its own short transaction, visible to the page at once."""
    table = table_of(EnrolmentImport)
    with db.engine.begin() as connection:
        connection.execute(sa.update(table).where(table.c.id == import_id).values(**values))


@jobs.job
def import_job(import_id: int) -> None:
    """The background job: run one queued import."""
    run_import(import_id)


def run_import(import_id: int, *, progress_every: int = PROGRESS_EVERY) -> EnrolmentImport | None:
    """Read, check and (when the whole file is right) write one queued import."""
    batch = db.session.get(EnrolmentImport, import_id)
    if batch is None or batch.status is not ImportStatus.queued:
        return batch
    project_id, as_of = batch.project_id, batch.imported_on
    path, kind = files.path_for(batch.sha256), kind_of(batch.filename) or "csv"
    db.session.rollback()  # nothing held open while the file is read
    _set(import_id, status=ImportStatus.running.value, rows_done=0)
    try:
        trainings = set(
            db.session.scalars(
                sa.select(ProjectTraining.code).where(ProjectTraining.project_id == project_id)
            )
        )
        db.session.rollback()
        parsed = parse(
            read_rows(path, kind),
            as_of=as_of,
            trainings=trainings,
            on_progress=lambda n: _set(import_id, rows_done=n),
            progress_every=progress_every,
        )
        if parsed.error_count:
            return _refuse(import_id, parsed)
        outcome = None
        with transaction():
            # Take the project's write lock first: two imports of one project never
            # interleave (a row lock on PostgreSQL, the database write lock on SQLite).
            db.session.execute(
                sa.update(FundedProject)
                .where(FundedProject.id == project_id)
                .values(id=FundedProject.id)
            )
            now = utcnow()
            outcome = apply_rows(project_id, import_id, parsed.rows, now=now)
            if outcome.errors.error_count:
                raise _Refused()
            batch = db.session.get_one(EnrolmentImport, import_id)
            batch.status = ImportStatus.done
            batch.rows_total = batch.rows_done = parsed.total
            batch.created_count, batch.updated_count = outcome.created, outcome.updated
            batch.unchanged_count, batch.late_count = outcome.unchanged, outcome.late
            batch.errors, batch.error_count, batch.finished_at = [], 0, now
            audit.record(
                _actor(batch),
                "enrolment_import.done",
                batch,
                after={
                    "created": outcome.created,
                    "updated": outcome.updated,
                    "unchanged": outcome.unchanged,
                    "late": outcome.late,
                },
            )
        return batch
    except _Refused:
        assert outcome is not None  # refused by the rows it applied
        outcome.errors.total = parsed.total
        return _refuse(import_id, outcome.errors)
    except Exception:
        log.exception("enrolment import %s failed", import_id)
        db.session.rollback()
        with transaction():
            batch = db.session.get_one(EnrolmentImport, import_id)
            batch.status, batch.finished_at = ImportStatus.failed, utcnow()
            batch.errors, batch.error_count = (
                [{"line": None, "column": None, "code": "internal"}],
                1,
            )
            audit.record(_actor(batch), "enrolment_import.failed", batch)
        return batch


def _actor(batch: EnrolmentImport) -> "User | None":
    from app.auth.models import User

    return db.session.get(User, batch.created_by_id) if batch.created_by_id else None


class _Refused(Exception):
    """Roll back the write phase: the stored data made some rows wrong."""


def _refuse(import_id: int, parsed: Parsed) -> EnrolmentImport:
    with transaction():
        batch = db.session.get_one(EnrolmentImport, import_id)
        batch.status, batch.finished_at = ImportStatus.refused, utcnow()
        batch.rows_total = batch.rows_done = parsed.total
        batch.errors, batch.error_count = parsed.errors, parsed.error_count
        batch.created_count = batch.updated_count = batch.unchanged_count = 0
        batch.late_count = 0
        audit.record(
            _actor(batch), "enrolment_import.refused", batch, after={"errors": parsed.error_count}
        )
    return batch


def translated_errors(batch: EnrolmentImport, limit: int = 200) -> list[dict[str, Any]]:
    """The first ``limit`` errors of an import, each with its message in the user's
    language."""
    return [{**error, "message": error_message(error)} for error in (batch.errors or [])[:limit]]
