"""Funded projects and enrolment records for monitoring tests.

``make_funded_project`` builds the decision record directly (the evaluation that leads to
it is tested in tests/reviews); ``add_enrolments`` writes rows as an import would leave
them, so report tests can state known answers on small, exact fixtures.
"""

import hashlib
import itertools
from datetime import UTC, date, datetime

from app.core.db import db
from app.core.time import utcnow
from app.monitoring.models import (
    Enrolment,
    EnrolmentImport,
    EnrolmentStatusChange,
    FundedProject,
    ImportStatus,
)
from app.reviews.models import DecisionRecord
from tests.factories import make_call, make_proposal, make_user

_counter = itertools.count(1)


def make_funded_project(*, member=None, call=None, title: str = "Lassen leren in VR"):
    """A funded project of ``member``'s organisation (a new applicant if none) and the member."""
    member = member or make_user("applicant")
    call = call or make_call()
    proposal = make_proposal(call, member, submit=True, title=title)
    record = DecisionRecord(
        call_id=call.id,
        number=db.session.query(DecisionRecord).filter_by(call_id=call.id).count() + 1,
        published_at=utcnow(),
        reason="",
        data={"proposals": [proposal.reference]},
        fingerprint=hashlib.sha256(proposal.reference.encode()).hexdigest(),
        notified_on=date.today(),
        objection_until=date.today(),
    )
    db.session.add(record)
    db.session.flush()
    project = FundedProject(
        reference=proposal.reference,
        proposal_id=proposal.id,
        call_id=call.id,
        organisation_id=proposal.organisation_id,
        decision_record_id=record.id,
        title=title,
    )
    db.session.add(project)
    db.session.commit()
    return project, member


def add_enrolments(project, rows, *, reported_at: datetime | None = None):
    """Write enrolments as an import would: ``rows`` are dicts with the file's columns
    (strings or typed values); ``history`` may list earlier (status, status_on) pairs."""
    reported_at = reported_at or datetime(2000, 1, 1, tzinfo=UTC)
    batch = EnrolmentImport(
        project_id=project.id,
        filename="fixture.csv",
        sha256=f"{next(_counter):064d}",
        imported_on=reported_at.date(),
        status=ImportStatus.done,
        rows_total=len(rows),
        rows_done=len(rows),
        created_count=len(rows),
        finished_at=reported_at,
    )
    db.session.add(batch)
    db.session.flush()
    made = []
    for n, row in enumerate(rows, start=1):
        started = _date(row["started_on"])
        birth_year = row.get("birth_year")
        history = [(s, _date(d)) for s, d in row.get("history", [])]
        history.append((row.get("status", "enrolled"), _date(row.get("status_on", started))))
        enrolment = Enrolment(
            project_id=project.id,
            enrolment_id=str(row.get("enrolment_id", f"E{n:06d}")),
            training_code=row.get("training_code", "T1"),
            started_on=started,
            started_year=started.year,
            started_month=started.month,
            mode=row.get("mode", "online"),
            channel=row.get("channel", "own"),
            education=row.get("education", "unknown"),
            birth_year=int(birth_year) if birth_year else None,
            age_at_start=started.year - int(birth_year) if birth_year else None,
            gender=row.get("gender", "unknown"),
            disability=row.get("disability", "unknown"),
            migration_background=row.get("migration_background", "unknown"),
            labour_status=row.get("labour_status", "unknown"),
            status=history[-1][0],
            status_on=history[-1][1],
            late=row.get("late", False),
            first_import_id=batch.id,
            first_reported_at=reported_at,
            updated_at=reported_at,
        )
        db.session.add(enrolment)
        db.session.flush()
        for i, (status, status_on) in enumerate(history):
            until = history[i + 1][1] if i + 1 < len(history) else None
            db.session.add(
                EnrolmentStatusChange(
                    enrolment_pk=enrolment.id,
                    status=status,
                    status_on=status_on,
                    until_on=until,
                    import_id=batch.id,
                )
            )
        made.append(enrolment)
    db.session.commit()
    return made


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


# ---------------------------------------------------------------- enrolment files

FILE_COLUMNS = (
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


def add_training(
    project, code: str = "T1", *, title: str | None = None, planned_mode: str = "online"
):
    from app.monitoring.models import ProjectTraining

    training = ProjectTraining(
        project_id=project.id,
        code=code,
        title=title or f"Training {code}",
        planned_mode=planned_mode,
    )
    db.session.add(training)
    db.session.commit()
    return training


def file_row(n: int = 1, **overrides) -> dict:
    """One valid line of an enrolment file, as strings."""
    row = {
        "enrolment_id": f"E{n:06d}",
        "training_code": "T1",
        "started_on": "2026-01-12",
        "mode": "online",
        "status": "enrolled",
        "status_on": "2026-01-12",
        "channel": "own",
        "education": "middle",
        "birth_year": "1990",
        "gender": "f",
        "disability": "no",
        "migration_background": "unknown",
        "labour_status": "employed",
    }
    row.update({k: str(v) for k, v in overrides.items()})
    return row


def csv_bytes(rows, columns=FILE_COLUMNS, delimiter: str = ",") -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue().encode()


def xlsx_bytes(rows, columns=FILE_COLUMNS, *, typed: bool = False) -> bytes:
    """An XLSX workbook; ``typed`` writes dates and years as Excel dates and numbers."""
    import io

    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(columns))
    for row in rows:
        values = []
        for c in columns:
            value = row.get(c, "")
            if typed and c in ("started_on", "status_on") and value:
                value = datetime.fromisoformat(value)
            elif typed and c == "birth_year" and value:
                value = int(value)
            values.append(value)
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def enrolment_rows(count: int, started_on: str, **fields) -> list[dict]:
    """``count`` rows alike (each its own enrolment_id), for ``add_enrolments``."""
    return [
        {"enrolment_id": f"R{next(_counter):07d}", "started_on": started_on, **fields}
        for _ in range(count)
    ]


def report_world():
    """Two funded projects of one call with known year-over-year answers (2026 against 2025).

    January: base online 4, physical 10 (total 14); year online 6, blended 2, physical 9
    (total 17; one physical of project B is a late registration). February: base blended 3;
    year online 5 (a zero base), blended 3. Returns (call, project_a, project_b).
    """
    project_a, _member = make_funded_project(title="Project A")
    project_b, _other = make_funded_project(call=_call_of(project_a), title="Project B")
    rows = (
        enrolment_rows(4, "2025-01-10", mode="online")
        + enrolment_rows(10, "2025-01-20", mode="physical")
        + enrolment_rows(6, "2026-01-05", mode="online", channel="partner")
        + enrolment_rows(2, "2026-01-06", mode="blended")
        + enrolment_rows(8, "2026-01-07", mode="physical")
        + enrolment_rows(3, "2025-02-03", mode="blended")
        + enrolment_rows(5, "2026-02-03", mode="online")
        + enrolment_rows(3, "2026-02-04", mode="blended")
    )
    add_enrolments(project_a, rows)
    add_enrolments(project_b, enrolment_rows(1, "2026-01-09", mode="physical", late=True))
    return _call_of(project_a), project_a, project_b


def _call_of(project):
    from app.calls.models import Call

    return db.session.get(Call, project.call_id)
