"""The monitoring reports pages: officials only, exact on the page, suppressed in files."""

import csv
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.core.db import db
from app.monitoring import report_charts, reports
from tests import snapshots
from tests.factories import make_user
from tests.monitoring.factories import (
    add_enrolments,
    enrolment_rows,
    make_funded_project,
    report_world,
)

PAGE = "/monitoring/reports/"
ARGS = "?year=2026&base=2025&start=2026-01-01&end=2026-12-31&day=2026-12-31"


@pytest.fixture(scope="module")
def world_snapshot(app):
    """The two funded projects' enrolments built once per module (and worker)."""
    return snapshots.build_once(app, report_world)


@pytest.fixture
def world(world_snapshot) -> None:
    snapshots.put_back(world_snapshot)


def _csv_rows(response):
    text = response.get_data().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


# ---------------------------------------------------------------------------- access


@pytest.mark.parametrize(
    "path",
    ["", "charts/yoy.svg", "tables/yoy.csv", "report.pdf", "answer-sheet", "answer-sheet.pdf"],
)
@pytest.mark.parametrize("role", ["applicant", "evaluator", "admin"])
def test_others_are_refused(client, as_role, path, role):
    as_role(role)
    assert client.get(PAGE + path).status_code == 403


def test_a_project_member_is_refused_even_for_their_own_project(client, login):
    member = make_user("applicant")
    project, member = make_funded_project(member=member)
    login(member)
    assert client.get(f"{PAGE}?project={project.reference}").status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# ---------------------------------------------------------------------------- the page


def test_official_sees_exact_figures(client, as_role, world):
    as_role("official")
    response = client.get(PAGE + ARGS)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="table-yoy_totals"' in html
    # February online: 0 in the base year, 5 now; one blended of the base year is "3" exactly
    assert "&lt; 5" not in html.split('id="table-yoy_totals"')[1].split("</table>")[0]
    assert "n.v.t." in html  # a zero base in Dutch
    assert "Online = " not in html
    assert "-10,0\u00a0%" in html  # the drop in physical trainings in January


def test_page_in_english(client, as_role, world):
    official = as_role("official")
    official.language = "en"
    db.session.commit()
    client.post("/language", data={"language": "en"})
    html = client.get(PAGE + ARGS).get_data(as_text=True)
    assert "Year over year" in html


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?year=abc", "year"),
        ("?year=1999", "year"),
        ("?year=2026&base=2026", "base"),
        ("?months=13", "months"),
        ("?months=x", "months"),
        ("?start=2026-13-01", "start"),
        ("?start=2026-05-01&end=2026-04-01", "end"),
        ("?project=NOPE", "project"),
        ("?day=yesterday", "day"),
    ],
)
def test_bad_input_gives_a_form_error_and_keeps_it(client, as_role, world, query, field):
    as_role("official")
    response = client.get(PAGE + query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert "govuk-error-summary" in html


def test_bad_input_to_files_is_a_400_not_a_500(client, as_role):
    as_role("official")
    for path in ("charts/yoy.svg", "tables/all.csv", "report.pdf", "answer-sheet.pdf"):
        assert client.get(f"{PAGE}{path}?year=x&start=x").status_code == 400


def test_chart_is_the_same_svg_as_the_pdf_gets(client, as_role, world, app):
    official = as_role("official")
    response = client.get(PAGE + "charts/yoy.svg" + ARGS)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    with app.test_request_context():
        yoy = reports.year_over_year(official, 2026, 2025)
        assert report_charts.yoy_chart(yoy) == response.get_data()


# ---------------------------------------------------------------------------- files (suppressed)


def test_csv_suppresses_small_counts(client, as_role, world):
    as_role("official")
    response = client.get(PAGE + "tables/yoy.csv" + ARGS)
    assert response.status_code == 200
    rows = _csv_rows(response)
    figures = {(r["table"], r["row"], r["column"]): r["value"] for r in rows}
    # January: base online 4 is small; its row and column need a second hidden cell
    assert figures[("yoy", "1.online", "base_count")] == "< 5"
    assert figures[("yoy", "1.online", "change_pct")] == "x"  # a change from a hidden count
    # 10 is shown, or hidden as "x" to protect the 4: never claimed to be "< 5"
    assert figures[("yoy", "1.physical", "base_count")] in ("10", "x")
    assert figures[("yoy_totals", "0", "count")] == "25"  # the year's total stays
    about = {r["row"]: r["value"] for r in rows if r["table"] == "about"}
    assert "enrolments" in about["source"]
    # no single hidden cell in any month row of the base year
    for month in range(1, 13):
        hidden = [
            mode
            for mode in ("online", "blended", "physical", "total")
            if figures[("yoy", f"{month}.{mode}", "base_count")] in ("< 5", "x")
        ]
        assert len(hidden) != 1, (month, hidden)


def test_xlsx_of_all_tables(client, as_role, world):
    as_role("official")
    response = client.get(PAGE + "tables/all.xlsx" + ARGS)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    assert len(book.sheetnames) > 10
    values = [cell.value for sheet in book for row in sheet.iter_rows() for cell in row]
    assert "< 5" in values


def test_reports_pdf_and_answer_sheet_pdf(client, as_role, world):
    as_role("official")
    for path in ("report.pdf", "answer-sheet.pdf"):
        response = client.get(PAGE + path + "?start=2026-01-01&end=2026-02-28&year=2026")
        assert response.status_code == 200, path
        assert response.get_data().startswith(b"%PDF")


# ---------------------------------------------------------------------------- answer sheet


def test_answer_sheet_answers_in_order_with_sources_and_suppression(client, as_role, world):
    as_role("official")
    response = client.get(
        PAGE + "answer-sheet?start=2026-01-01&end=2026-02-28"
        "&base_start=2025-01-01&base_end=2025-02-28&day=2026-02-28"
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    positions = [html.index(f'id="q{n}"') for n in range(1, 7)]
    assert positions == sorted(positions)
    assert html.count("Bron:") >= 6
    assert "&lt; 5" in html  # small counts hidden on the answer sheet
    # physical: 9 against 10 in the base period, -10.0%
    assert "9 enrolments" in html or "9 inschrijvingen" in html


def test_answer_sheet_bad_period(client, as_role):
    as_role("official")
    response = client.get(PAGE + "answer-sheet?start=2026-05-01&end=2026-01-01")
    assert response.status_code == 400
    assert 'id="end-error"' in response.get_data(as_text=True)


# ---------------------------------------------------------------------------- queries


def _count(fn):
    statements = []

    def _before(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", _before)
    try:
        fn()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", _before)
    return len(statements)


def test_page_queries_do_not_grow_with_the_data(client, as_role):
    as_role("official")
    project, _member = make_funded_project()
    add_enrolments(project, enrolment_rows(2, "2026-03-01"))
    small = _count(lambda: client.get(PAGE + ARGS))
    add_enrolments(
        project,
        [
            row
            for month in range(1, 13)
            for row in enrolment_rows(5, f"2026-{month:02d}-02", training_code=f"T{month}")
        ],
    )
    large = _count(lambda: client.get(PAGE + ARGS))
    assert small == large


def test_officials_reach_the_reports_from_the_menu_and_applicants_do_not(client, as_role):
    as_role("official")
    assert 'href="/monitoring/reports/"' in client.get("/calls/").get_data(as_text=True)
    client.post("/auth/logout")
    as_role("applicant")
    body = client.get("/calls/").get_data(as_text=True)
    assert 'href="/monitoring/projects' in body and "/monitoring/reports/" not in body
