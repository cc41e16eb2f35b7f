"""Enrolment files: reading CSV and XLSX, checking every value, and the import job.

The job reads and checks the whole file first (writing its progress to the import row every
``PROGRESS_EVERY`` rows, each in its own short transaction), then writes everything in one
transaction: a file with any error changes nothing. Errors are stored as codes with their
parameters (line, column, value) and translated when a page shows them.

Rules chosen here (README, "Monitoring"):
- a training code that is not one of the project's trainings is an error naming the code, so
  a typo never creates a training and the reports' training list stays the project's own;
- a status change must take effect on or after the recorded status's day: the same day
  corrects the current status, an earlier day is an error (history is only appended to);
- an unchanged status keeps its original day, whatever ``status_on`` the file gives.
"""

import csv
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.core import files, jobs
from app.core.db import db, transaction
from app.core.time import utcnow
from app.monitoring import xlsx
from app.monitoring.models import (
    Answer,
    Channel,
    Education,
    Enrolment,
    EnrolmentImport,
    EnrolmentStatus,
    EnrolmentStatusChange,
    FundedProject,
    Gender,
    ImportStatus,
    LabourStatus,
    Mode,
    ProjectTraining,
    ReportedMonth,
)

log = logging.getLogger(__name__)

COLUMNS = (
    "enrolment_id",
    "training_code",
    "started_on",
    "mode",
    "status",
    "status_on",
    "channel",
    "education",
    "birth_year",
    "gender",
    "disability",
    "migration_background",
    "labour_status",
)
OPTIONAL = frozenset({"status_on", "birth_year"})
CHOICES: dict[str, tuple[str, ...]] = {
    "mode": tuple(m.value for m in Mode),
    "status": tuple(s.value for s in EnrolmentStatus),
    "channel": tuple(c.value for c in Channel),
    "education": tuple(e.value for e in Education),
    "gender": tuple(g.value for g in Gender),
    "disability": tuple(a.value for a in Answer),
    "migration_background": tuple(a.value for a in Answer),
    "labour_status": tuple(s.value for s in LabourStatus),
}
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
MAX_ID_LENGTH = 64
MAX_CODE_LENGTH = 50
MAX_STORED_ERRORS = 1000
PROGRESS_EVERY = 5000
FIRST_YEAR, LAST_YEAR = 1900, 2100

# Header names that betray personal data, compared without case and separators.
PERSONAL_HEADERS = frozenset(
    {
        "naam",
        "voornaam",
        "achternaam",
        "familienaam",
        "volledigenaam",
        "roepnaam",
        "name",
        "firstname",
        "lastname",
        "surname",
        "givenname",
        "fullname",
        "familyname",
        "email",
        "mail",
        "emailadres",
        "emailaddress",
        "mailadres",
        "mailaddress",
        "rijksregisternummer",
        "rijksregister",
        "rrn",
        "insz",
        "inszummer",
        "insznummer",
        "nationalnumber",
        "nationalregisternumber",
        "nationalid",
        "ssn",
        "socialsecuritynumber",
        "telefoon",
        "telefoonnummer",
        "gsm",
        "phone",
        "phonenumber",
        "mobile",
        "adres",
        "address",
        "straat",
        "street",
        "geboortedatum",
        "birthdate",
        "dateofbirth",
        "dob",
    }
)
PERSONAL_PARTS = (
    "naam",
    "name",
    "mail",
    "rijksregister",
    "insz",
    "nationalnumber",
    "socialsecurity",
    "geboortedatum",
    "birthdate",
    "dateofbirth",
    "telefoon",
    "phone",
)
_SEPARATORS = re.compile(r"[\s_\-./]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_NATIONAL_NUMBER = re.compile(r"(\d{2})\.?(\d{2})\.?(\d{2})[-\s.]?(\d{3})\.?(\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_YEAR = re.compile(r"\d{4}")

MESSAGES = {
    "empty_file": _l("The file holds no header row."),
    "no_rows": _l("The file holds no enrolment rows."),
    "unreadable": _l("The file cannot be read as %(kind)s."),
    "encoding": _l("The file is not UTF-8 text: save it as 'CSV UTF-8'."),
    "missing_column": _l("Column %(name)s is missing."),
    "unknown_column": _l("Column %(name)s is not one of the expected columns."),
    "duplicate_column": _l("Column %(name)s appears more than once."),
    "personal_column": _l(
        "Column %(name)s looks like personal data (a name, an email "
        "address or a national number). Enrolment files are "
        "pseudonymous: remove this column."
    ),
    "field_count": _l("This line has %(found)s values where the header has %(expected)s."),
    "required": _l("A value is required."),
    "date": _l("'%(value)s' is not a date written as YYYY-MM-DD."),
    "date_range": _l("'%(value)s' lies outside the years 1900 to 2100."),
    "choice": _l("'%(value)s' is not one of: %(allowed)s."),
    "birth_year": _l("'%(value)s' is not a year of four digits."),
    "birth_year_range": _l(
        "'%(value)s' is not a plausible birth year: from 1900 up to the start year %(year)s."
    ),
    "too_long": _l("'%(value)s' is longer than %(max)s characters."),
    "duplicate_id": _l("Enrolment '%(value)s' already appears on line %(first)s."),
    "unknown_training": _l(
        "Training code '%(value)s' is not one of this project's "
        "trainings: add the training on the project's page first."
    ),
    "personal_email": _l(
        "This value looks like an email address. Enrolment files are pseudonymous."
    ),
    "personal_national_number": _l(
        "This value looks like a Belgian national number. Enrolment files are pseudonymous."
    ),
    "status_future": _l("The status date %(value)s lies after the import day %(day)s."),
    "status_before_current": _l(
        "Enrolment '%(value)s' has status '%(status)s' since "
        "%(day)s: a new status must take effect on or after that "
        "day."
    ),
    "internal": _l("The import stopped on our side; nothing was changed. Please try again later."),
}


def error_message(error: dict) -> str:
    """One stored error in the user's language."""
    template = MESSAGES.get(error.get("code", ""), MESSAGES["internal"])
    params = {k: v for k, v in error.items() if k not in ("line", "column", "code")}
    try:
        return str(template) % params if params else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)


def kind_of(filename: str) -> str | None:
    """``csv`` or ``xlsx`` by the file name's extension, else None."""
    suffix = Path(filename or "").suffix.lower()
    return {".csv": "csv", ".xlsx": "xlsx"}.get(suffix)


# ---------------------------------------------------------------- reading


class Unreadable(Exception):
    def __init__(self, code: str, **params) -> None:
        super().__init__(code)
        self.code, self.params = code, params


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


# ---------------------------------------------------------------- checking


def _normal_header(name: str) -> str:
    return _SEPARATORS.sub("", name.strip().lower())


def is_personal_header(name: str) -> bool:
    key = _normal_header(name)
    return key in PERSONAL_HEADERS or any(part in key for part in PERSONAL_PARTS)


def is_national_number(value: str) -> bool:
    """A Belgian national number (rijksregisternummer): 11 digits, check digits mod 97
    (for people born before and from 2000)."""
    match = _NATIONAL_NUMBER.fullmatch(value.strip())
    if not match:
        return False
    digits = "".join(match.groups())
    base, check = int(digits[:9]), int(digits[9:])
    return check in (97 - base % 97, 97 - (2_000_000_000 + base) % 97)


@dataclass
class Parsed:
    """The typed rows of a file (in file order) and its errors."""

    rows: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    total: int = 0

    def add(self, line: int | None, column: str | None, code: str, **params) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_STORED_ERRORS:
            if isinstance(params.get("value"), str):
                params["value"] = params["value"][:80]
            self.errors.append({"line": line, "column": column, "code": code, **params})


def check_header(header: list[str], parsed: Parsed) -> list[str] | None:
    """The column name at each position, or None (with errors) when the header is wrong."""
    names = [h.strip().lstrip("\ufeff").lower() for h in header]
    while names and not names[-1]:
        names.pop()
    seen: set[str] = set()
    for name, original in zip(names, header, strict=False):
        if name in COLUMNS:
            if name in seen:
                parsed.add(1, original.strip(), "duplicate_column", name=original.strip())
            seen.add(name)
        elif is_personal_header(original):
            parsed.add(1, original.strip(), "personal_column", name=original.strip())
        else:
            parsed.add(1, original.strip() or None, "unknown_column", name=original.strip() or "''")
    for name in COLUMNS:
        if name not in seen:
            parsed.add(1, name, "missing_column", name=name)
    return None if parsed.error_count else names


def parse(
    lines: Iterator[tuple[int, list[str]]],
    *,
    as_of: date,
    trainings: set[str],
    on_progress: Callable[[int], None] | None = None,
    progress_every: int = PROGRESS_EVERY,
) -> Parsed:
    """Check every line; the typed rows when there is no error."""
    parsed = Parsed()
    try:
        first = next(lines, None)
        while first is not None and not any(v.strip() for v in first[1]):
            first = next(lines, None)
        if first is None:
            parsed.add(None, None, "empty_file")
            return parsed
        names = check_header(first[1], parsed)
        if names is None:
            return parsed
        width = len(names)
        seen_ids: dict[str, int] = {}
        choices = {column: frozenset(values) for column, values in CHOICES.items()}
        allowed = {column: ", ".join(values) for column, values in CHOICES.items()}
        add, rows = parsed.add, parsed.rows
        count = 0
        for line, values in lines:
            if not any(v and v.strip() for v in values):
                continue
            count += 1
            if on_progress and count % progress_every == 0:
                on_progress(count)
            extra = values[width:]
            if len(values) < width or any(v.strip() for v in extra):
                add(line, None, "field_count", found=len(values), expected=width)
                continue
            raw = {name: values[i].strip() for i, name in enumerate(names)}
            row: dict = {"line": line}
            ok = True
            for column, value in raw.items():
                if value and (
                    ("@" in value and _EMAIL.search(value))
                    or (len(value) >= 11 and is_national_number(value))
                ):
                    add(
                        line,
                        column,
                        "personal_email" if "@" in value else "personal_national_number",
                    )
                    ok = False
                    raw[column] = None  # checked no further
            for column in ("enrolment_id", "training_code"):
                value = raw[column]
                if value is None:
                    continue
                limit = MAX_ID_LENGTH if column == "enrolment_id" else MAX_CODE_LENGTH
                if not value:
                    add(line, column, "required")
                    ok = False
                elif len(value) > limit:
                    add(line, column, "too_long", value=value, max=limit)
                    ok = False
                row[column] = value
            enrolment_id = row.get("enrolment_id")
            if enrolment_id:
                if enrolment_id in seen_ids:
                    add(
                        line,
                        "enrolment_id",
                        "duplicate_id",
                        value=enrolment_id,
                        first=seen_ids[enrolment_id],
                    )
                    ok = False
                else:
                    seen_ids[enrolment_id] = line
            code = row.get("training_code")
            if code and len(code) <= MAX_CODE_LENGTH and code not in trainings:
                add(line, "training_code", "unknown_training", value=code)
                ok = False
            for column, options in choices.items():
                value = raw[column]
                if value is None:
                    continue
                if value in options:
                    row[column] = value
                elif not value:
                    add(line, column, "required")
                    ok = False
                else:
                    add(line, column, "choice", value=value, allowed=allowed[column])
                    ok = False
            for column in ("started_on", "status_on"):
                value = raw[column]
                if value is None:
                    continue
                if not value:
                    if column in OPTIONAL:
                        row[column] = None
                        continue
                    add(line, column, "required")
                    ok = False
                    continue
                day = _parse_day(value)
                if day is None:
                    add(line, column, "date", value=value)
                    ok = False
                elif not FIRST_YEAR <= day.year <= LAST_YEAR:
                    add(line, column, "date_range", value=value)
                    ok = False
                else:
                    row[column] = day
            if row.get("status_on") and row["status_on"] > as_of:
                add(
                    line,
                    "status_on",
                    "status_future",
                    value=row["status_on"].isoformat(),
                    day=as_of.isoformat(),
                )
                ok = False
            value = raw["birth_year"]
            if value:
                if not _YEAR.fullmatch(value):
                    add(line, "birth_year", "birth_year", value=value)
                    ok = False
                else:
                    year = int(value)
                    started = row.get("started_on")
                    if year < FIRST_YEAR or (started is not None and year > started.year):
                        add(
                            line,
                            "birth_year",
                            "birth_year_range",
                            value=value,
                            year=started.year if started else LAST_YEAR,
                        )
                        ok = False
                    row["birth_year"] = year
            elif value is not None:
                row["birth_year"] = None
            if ok:
                if row["status_on"] is None:
                    row["status_on"] = as_of
                rows.append(row)
        parsed.total = count
        if on_progress:
            on_progress(count)
        if count == 0 and not parsed.error_count:
            parsed.add(None, None, "no_rows")
    except Unreadable as exc:
        parsed.add(None, None, exc.code, **exc.params)
    return parsed


def _parse_day(value: str) -> date | None:
    if not _DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


# ---------------------------------------------------------------- writing


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    late: int = 0
    errors: Parsed = field(default_factory=Parsed)


def enrolment_values(
    row: dict, *, project_id: int, import_id: int, now: datetime, late: bool
) -> dict:
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


def insert_enrolments(values: list[dict]) -> dict[str, int]:
    """Insert ``enrolments`` rows in bulk; their primary keys by ``enrolment_id``."""
    if not values:
        return {}
    table = Enrolment.__table__
    result = db.session.execute(
        sa.insert(table).returning(table.c.id, table.c.enrolment_id), values
    )
    return {enrolment_id: pk for pk, enrolment_id in result}


def insert_history(values: list[dict]) -> None:
    """Insert ``enrolment_status_changes`` rows in bulk (enrolment_pk, status, status_on,
    until_on, import_id)."""
    if values:
        db.session.execute(sa.insert(EnrolmentStatusChange.__table__), values)


def apply_rows(project_id: int, import_id: int, rows: list[dict], *, now: datetime) -> Outcome:
    """Upsert checked rows into the project's enrolments, inside the caller's transaction.

    Reads the project's enrolments and reported months once, then writes with one bulk
    statement per kind of change. Errors that depend on what is stored (a status dated
    before the current one) come back in ``Outcome.errors``; the caller rolls back then."""
    outcome = Outcome()
    e = Enrolment.__table__.c
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

    def plain(name: str):  # enum columns as their text: no enum object per value
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
    new_values: list[dict] = []
    new_history: list[dict] = []
    updates: list[dict] = []
    closes: list[dict] = []
    corrections: list[dict] = []
    appended: list[dict] = []
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
    h = EnrolmentStatusChange.__table__
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
            sa.update(Enrolment.__table__)
            .where(e.id == sa.bindparam("b_id"))
            .values({c: sa.bindparam(f"b_{c}") for c in columns}),
            updates,
        )
    if new_months := sorted(months - reported):
        db.session.execute(
            sa.insert(ReportedMonth.__table__),
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


# ---------------------------------------------------------------- the job


def _set(import_id: int, **values) -> None:
    """Write progress in its own short transaction, visible to the page at once."""
    table = EnrolmentImport.__table__
    with db.engine.begin() as connection:
        connection.execute(sa.update(table).where(table.c.id == import_id).values(**values))


@jobs.job
def import_job(import_id: int) -> None:
    """The background job: run one queued import."""
    run_import(import_id)


def run_import(import_id: int, *, progress_every: int = PROGRESS_EVERY) -> EnrolmentImport:
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
            batch = db.session.get(EnrolmentImport, import_id)
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
        outcome.errors.total = parsed.total
        return _refuse(import_id, outcome.errors)
    except Exception:
        log.exception("enrolment import %s failed", import_id)
        db.session.rollback()
        with transaction():
            batch = db.session.get(EnrolmentImport, import_id)
            batch.status, batch.finished_at = ImportStatus.failed, utcnow()
            batch.errors, batch.error_count = (
                [{"line": None, "column": None, "code": "internal"}],
                1,
            )
            audit.record(_actor(batch), "enrolment_import.failed", batch)
        return batch


def _actor(batch: EnrolmentImport):
    from app.auth.models import User

    return db.session.get(User, batch.created_by_id) if batch.created_by_id else None


class _Refused(Exception):
    """Roll back the write phase: the stored data made some rows wrong."""


def _refuse(import_id: int, parsed: Parsed) -> EnrolmentImport:
    with transaction():
        batch = db.session.get(EnrolmentImport, import_id)
        batch.status, batch.finished_at = ImportStatus.refused, utcnow()
        batch.rows_total = batch.rows_done = parsed.total
        batch.errors, batch.error_count = parsed.errors, parsed.error_count
        batch.created_count = batch.updated_count = batch.unchanged_count = 0
        batch.late_count = 0
        audit.record(
            _actor(batch), "enrolment_import.refused", batch, after={"errors": parsed.error_count}
        )
    return batch


def translated_errors(batch: EnrolmentImport, limit: int = 200) -> list[dict]:
    """The first ``limit`` errors of an import, each with its message in the user's
    language."""
    return [{**error, "message": error_message(error)} for error in (batch.errors or [])[:limit]]
