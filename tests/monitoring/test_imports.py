"""Enrolment imports: checks with line numbers, nothing changed on error, upserts, status
history, late registrations, pseudonymity, XLSX, and queries that do not grow with rows."""

import io
from datetime import date

import pytest
import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.core.db import db
from app.core.errors import NotFound, ValidationFailed
from app.monitoring import import_checks, imports, services
from app.monitoring.models import (
    Enrolment,
    EnrolmentImport,
    EnrolmentStatusChange,
    ImportStatus,
    ReportedMonth,
)
from tests import snapshots
from tests.factories import make_user
from tests.monitoring.factories import (
    FILE_COLUMNS,
    add_training,
    csv_bytes,
    file_row,
    make_funded_project,
    xlsx_bytes,
)

DAY = date(2026, 2, 5)


_BUILT: dict = {}  # the rows of the first build in this process


def _funded_project():
    project, member = make_funded_project()
    add_training(project, "T1")
    add_training(project, "T2", planned_mode="blended")
    return project, member


@pytest.fixture
def project():
    """A funded project with two trainings, built once per process, then its rows written
    back."""
    project, member = snapshots.kept(_BUILT, "project", _funded_project)
    project.member = member
    return project


def run(
    project, data: bytes, name: str = "enrolments.csv", as_of: date = DAY, actor="member"
) -> EnrolmentImport:
    actor = project.member if actor == "member" else actor
    batch = services.queue_import(actor, project.id, name, io.BytesIO(data), as_of=as_of)
    db.session.expire_all()
    return db.session.get(EnrolmentImport, batch.id)


def codes(batch):
    return [(e["line"], e["column"], e["code"]) for e in batch.errors]


def history(project, enrolment_id):
    enrolment = db.session.scalar(
        sa.select(Enrolment).filter_by(project_id=project.id, enrolment_id=enrolment_id)
    )
    return [
        (c.status.value, c.status_on, c.until_on)
        for c in db.session.scalars(
            sa.select(EnrolmentStatusChange)
            .filter_by(enrolment_pk=enrolment.id)
            .order_by(EnrolmentStatusChange.status_on)
        )
    ]


def test_a_valid_file_creates_enrolments_with_derived_columns_and_history(project):
    batch = run(
        project,
        csv_bytes(
            [
                file_row(1),
                file_row(2, status_on="", birth_year="", mode="blended", training_code="T2"),
            ]
        ),
    )
    assert batch.status is ImportStatus.done
    assert (
        batch.rows_total,
        batch.created_count,
        batch.updated_count,
        batch.unchanged_count,
        batch.late_count,
    ) == (2, 2, 0, 0, 0)
    first, second = db.session.scalars(sa.select(Enrolment).order_by(Enrolment.enrolment_id))
    assert (first.started_year, first.started_month, first.age_at_start) == (2026, 1, 36)
    assert second.birth_year is None and second.age_at_start is None
    assert second.status_on == DAY  # empty status_on: the import day
    assert history(project, "E000001") == [("enrolled", date(2026, 1, 12), None)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportedMonth)) == 1
    assert (
        db.session.scalar(
            sa.select(AuditRecord.action)
            .where(AuditRecord.entity_type == "enrolment_imports")
            .order_by(AuditRecord.id.desc())
        )
        == "enrolment_import.done"
    )


def test_every_error_has_its_line_and_column_and_nothing_changes(project):
    run(project, csv_bytes([file_row(1)]))
    rows = [
        file_row(1, status="active", status_on="2026-02-01"),  # valid on its own
        file_row(2, mode="web", started_on="2026-13-01"),
        file_row(3, training_code="NOPE", birth_year="90"),
        file_row(4, enrolment_id="", gender="v", status_on="2026-03-01"),
        file_row(2, birth_year="2030", started_on="1899-12-31"),
    ]
    batch = run(project, csv_bytes(rows))
    assert batch.status is ImportStatus.refused
    assert codes(batch) == [
        (3, "mode", "choice"),
        (3, "started_on", "date"),
        (4, "training_code", "unknown_training"),
        (4, "birth_year", "birth_year"),
        (5, "enrolment_id", "required"),
        (5, "gender", "choice"),
        (5, "status_on", "status_future"),
        (6, "enrolment_id", "duplicate_id"),
        (6, "started_on", "date_range"),
    ]
    assert batch.error_count == 9
    # nothing changed: the first enrolment keeps its status, no new rows or months
    assert history(project, "E000001") == [("enrolled", date(2026, 1, 12), None)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportedMonth)) == 1


def test_errors_are_translated_when_shown(project, app):
    batch = run(project, csv_bytes([file_row(1, mode="web")]))
    with app.test_request_context(headers={"Accept-Language": "en"}):
        from flask_babel import force_locale

        with force_locale("en"):
            assert (
                import_checks.error_message(batch.errors[0])
                == "'web' is not one of: online, blended, physical."
            )
        with force_locale("nl"):
            assert (
                import_checks.error_message(batch.errors[0])
                == "'web' is niet een van: online, blended, physical."
            )


def test_header_errors_missing_extra_and_duplicate_columns(project):
    columns = [c for c in FILE_COLUMNS if c != "channel"] + ["remarks", "mode"]
    batch = run(project, csv_bytes([file_row(1)], columns=columns))
    assert batch.status is ImportStatus.refused
    assert codes(batch) == [
        (1, "remarks", "unknown_column"),
        (1, "mode", "duplicate_column"),
        (1, "channel", "missing_column"),
    ]


def test_header_order_is_free_and_semicolons_work(project):
    columns = tuple(reversed(FILE_COLUMNS))
    batch = run(project, csv_bytes([file_row(1)], columns=columns, delimiter=";"))
    assert batch.status is ImportStatus.done and batch.created_count == 1


@pytest.mark.parametrize(
    "header",
    [
        "naam",
        "Voornaam",
        "first_name",
        "E-mail",
        "email",
        "Rijksregisternummer",
        "INSZ",
        "national_number",
        "SSN",
        "Last Name",
        "mail_adres",
    ],
)
def test_a_personal_data_column_is_refused_with_its_own_message(project, header):
    batch = run(project, csv_bytes([file_row(1)], columns=(*FILE_COLUMNS, header)))
    assert batch.status is ImportStatus.refused
    assert codes(batch) == [(1, header, "personal_column")]
    assert "gepseudonimiseerd" in import_checks.error_message(batch.errors[0])


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("jan.peeters@example.org", "personal_email"),
        ("85.07.30-033.28", "personal_national_number"),
        ("85073003328", "personal_national_number"),
        ("00012556777", "personal_national_number"),  # born in 2000: check digits on 2 + number
    ],
)
def test_values_that_look_like_personal_data_are_refused_without_being_stored(project, value, code):
    batch = run(project, csv_bytes([file_row(1, enrolment_id=value)]))
    assert codes(batch) == [(2, "enrolment_id", code)]
    assert value not in str(batch.errors)


def test_an_eleven_digit_id_with_wrong_check_digits_is_an_ordinary_id(project):
    assert not import_checks.is_national_number("85073003327")
    batch = run(project, csv_bytes([file_row(1, enrolment_id="85073003327")]))
    assert batch.status is ImportStatus.done


def test_the_same_file_again_changes_nothing(project):
    data = csv_bytes([file_row(n, status_on="") for n in range(1, 6)])
    run(project, data)
    before = db.session.execute(sa.select(Enrolment.id, Enrolment.updated_at)).all()
    changes = db.session.scalar(sa.select(sa.func.count()).select_from(EnrolmentStatusChange))
    again = run(project, data, as_of=date(2026, 3, 5))  # later day: empty status_on moves
    assert (
        again.status,
        again.created_count,
        again.updated_count,
        again.unchanged_count,
        again.late_count,
    ) == (ImportStatus.done, 0, 0, 5, 0)
    assert db.session.execute(sa.select(Enrolment.id, Enrolment.updated_at)).all() == before
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(EnrolmentStatusChange)) == changes
    )


def test_a_status_change_appends_history_and_closes_the_previous_interval(project):
    run(project, csv_bytes([file_row(1), file_row(2)]))
    batch = run(
        project,
        csv_bytes(
            [file_row(1, status="active", status_on="2026-02-01"), file_row(2, education="high")]
        ),
        as_of=date(2026, 3, 1),
    )
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (0, 2, 0)
    assert history(project, "E000001") == [
        ("enrolled", date(2026, 1, 12), date(2026, 2, 1)),
        ("active", date(2026, 2, 1), None),
    ]
    assert history(project, "E000002") == [("enrolled", date(2026, 1, 12), None)]
    third = run(
        project,
        csv_bytes([file_row(1, status="completed", status_on="2026-03-20")]),
        as_of=date(2026, 4, 1),
    )
    assert third.updated_count == 1
    assert [h[0] for h in history(project, "E000001")] == ["enrolled", "active", "completed"]
    enrolment = db.session.scalar(sa.select(Enrolment).filter_by(enrolment_id="E000001"))
    assert (enrolment.status.value, enrolment.status_on) == ("completed", date(2026, 3, 20))
    assert enrolment.first_import_id != third.id


def test_a_status_dated_before_the_current_one_is_an_error_and_changes_nothing(project):
    run(project, csv_bytes([file_row(1, status="active", status_on="2026-02-01")]))
    batch = run(
        project,
        csv_bytes([file_row(1, status="completed", status_on="2026-01-20"), file_row(2)]),
        as_of=date(2026, 3, 1),
    )
    assert batch.status is ImportStatus.refused
    assert codes(batch) == [(2, "status_on", "status_before_current")]
    assert history(project, "E000001") == [("active", date(2026, 2, 1), None)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 1


def test_a_new_status_on_the_same_day_corrects_the_current_one(project):
    run(project, csv_bytes([file_row(1, status="active", status_on="2026-02-01")]))
    run(project, csv_bytes([file_row(1, status="dropped", status_on="2026-02-01")]))
    assert history(project, "E000001") == [("dropped", date(2026, 2, 1), None)]


def test_new_enrolments_of_an_already_reported_month_are_late(project):
    run(project, csv_bytes([file_row(1, started_on="2026-01-05", status_on="2026-01-05")]))
    batch = run(
        project,
        csv_bytes(
            [
                file_row(1, started_on="2026-01-05", status_on="2026-01-05"),
                file_row(2, started_on="2026-01-20", status_on="2026-01-20"),  # January: late
                file_row(3, started_on="2026-02-02", status_on="2026-02-02"),
            ]
        ),  # new month
        as_of=date(2026, 3, 5),
    )
    assert (batch.created_count, batch.unchanged_count, batch.late_count) == (2, 1, 1)
    late = dict(db.session.execute(sa.select(Enrolment.enrolment_id, Enrolment.late)).all())
    assert late == {"E000001": False, "E000002": True, "E000003": False}
    months = db.session.execute(
        sa.select(ReportedMonth.month, ReportedMonth.first_import_id).order_by(ReportedMonth.month)
    ).all()
    assert [m for m, _ in months] == [1, 2] and months[1][1] == batch.id


@pytest.mark.parametrize("typed", [False, True])
def test_xlsx_files_import_like_csv(project, typed):
    rows = [file_row(1), file_row(2, status_on="", birth_year="")]
    batch = run(project, xlsx_bytes(rows, typed=typed), name="enrolments.xlsx")
    assert batch.status is ImportStatus.done, batch.errors
    assert batch.created_count == 2
    bad = run(project, xlsx_bytes([file_row(3, mode="web")], typed=typed), name="b.xlsx")
    assert codes(bad) == [(2, "mode", "choice")]


def test_a_file_that_is_not_what_its_name_says_is_refused(project):
    batch = run(project, b"not a workbook", name="enrolments.xlsx")
    assert codes(batch) == [(None, None, "unreadable")]
    batch = run(project, "enrolment_id\n\xe9\n".encode("latin-1"), name="latin.csv")
    assert codes(batch) == [(None, None, "encoding")]
    batch = run(project, csv_bytes([]), name="header-only.csv")
    assert codes(batch) == [(None, None, "no_rows")]


def test_only_csv_and_xlsx_names_are_accepted(project):
    with pytest.raises(ValidationFailed) as caught:
        services.queue_import(project.member, project.id, "data.txt", io.BytesIO(b"x"))
    assert "file" in caught.value.errors
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EnrolmentImport)) == 0


def test_another_organisation_may_not_import(project):
    with pytest.raises(NotFound):
        services.queue_import(
            make_user("applicant"), project.id, "a.csv", io.BytesIO(csv_bytes([file_row(1)]))
        )
    with pytest.raises(NotFound):
        services.queue_import(
            make_user("evaluator"), project.id, "a.csv", io.BytesIO(csv_bytes([file_row(1)]))
        )
    official = make_user("official")
    batch = run(project, csv_bytes([file_row(1)]), actor=official)
    assert batch.status is ImportStatus.done


def test_errors_beyond_the_stored_ones_are_counted(project, monkeypatch):
    monkeypatch.setattr(import_checks, "MAX_STORED_ERRORS", 3)
    batch = run(project, csv_bytes([file_row(n, mode="web") for n in range(1, 11)]))
    assert (len(batch.errors), batch.error_count) == (3, 10)


def test_progress_is_written_while_the_file_is_checked(project, monkeypatch):
    seen = []
    original = imports._set
    monkeypatch.setattr(imports, "_set", lambda i, **v: (seen.append(v), original(i, **v)))
    batch = services.queue_import(
        project.member,
        project.id,
        "a.csv",
        io.BytesIO(csv_bytes([file_row(n) for n in range(1, 8)])),
        as_of=DAY,
        enqueue=False,
    )
    imports.run_import(batch.id, progress_every=3)
    assert [v.get("rows_done") for v in seen] == [0, 3, 6, 7]


def _queries(fn) -> int:
    statements = []

    def _before(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", _before)
    try:
        fn()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", _before)
    return len(statements)


@pytest.mark.parametrize("kind", ["new", "update"])
def test_queries_do_not_grow_with_the_number_of_rows(kind):
    def counted(n: int, offset: int) -> int:
        project, member = make_funded_project()
        project.member = member
        add_training(project, "T1")
        first = [
            file_row(offset + i, started_on="2026-01-05", status_on="2026-01-05") for i in range(n)
        ]
        if kind == "update":
            run(project, csv_bytes(first))
            second = [
                file_row(
                    offset + i,
                    started_on="2026-01-05",
                    status="active",
                    status_on="2026-02-01",
                    education="high",
                )
                for i in range(n)
            ]
        else:
            second = first
        return _queries(lambda: run(project, csv_bytes(second), as_of=date(2026, 3, 1)))

    assert counted(5, 0) == counted(60, 1000)
