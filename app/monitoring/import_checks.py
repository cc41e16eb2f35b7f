"""The checks of an enrolment file: its columns and allowed values, pseudonymity (no names,
email addresses or national numbers), and every value of every row, with the errors stored as
codes with their parameters (line, column, value) and translated when a page shows them
(``error_message``). The import flow that reads the file and writes the rows is in
``app.monitoring.imports``.

Rules chosen here (README, "Monitoring"): a training code that is not one of the project's
trainings is an error naming the code, so a typo never creates a training and the reports'
training list stays the project's own.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from app.monitoring.models import (
    Answer,
    Channel,
    Education,
    EnrolmentStatus,
    Gender,
    LabourStatus,
    Mode,
)

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


def error_message(error: dict[str, Any]) -> str:
    """One stored error in the user's language."""
    template = MESSAGES.get(error.get("code", ""), MESSAGES["internal"])
    params = {k: v for k, v in error.items() if k not in ("line", "column", "code")}
    try:
        return str(template) % params if params else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)


class Unreadable(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


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

    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    total: int = 0

    def add(self, line: int | None, column: str | None, code: str, **params: Any) -> None:
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
            raw: dict[str, str | None] = {name: values[i].strip() for i, name in enumerate(names)}
            row: dict[str, Any] = {"line": line}
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
