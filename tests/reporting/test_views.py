"""Statistics pages over HTTP: figures, as-of, comparison, charts, exports, verification, and
who may NOT see them."""

import csv
import io
import re
import shutil
import subprocess

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from werkzeug.http import parse_options_header

from app.audit.models import AuditRecord
from app.core.db import db
from app.core.time import brussels
from app.reporting import services
from app.reporting.models import TechnologyVerification
from tests.factories import make_call, make_organisation, make_user
from tests.reporting.fixtures import at, submit, write

DASHBOARD = "/reporting/calls/ESF-2021"


@pytest.fixture
def official(world, login):
    return login(world.official)


def _figure(page: str, key: str) -> str:
    match = re.search(rf'data-figure="{key}">([^<]*)<', page)
    assert match, key
    return match.group(1)


def _cell(page: str, table: str, row: str, column: str) -> str:
    body = page.split(f'id="table-{table}"', 1)[1].split("</table>", 1)[0]
    row_html = body.split(f'data-row="{row}"', 1)[1].split("</tr>", 1)[0]
    match = re.search(rf'data-column="{column}">([^<]*)<', row_html)
    assert match, (table, row, column)
    return match.group(1)


# ---------------------------------------------------------------------------- dashboard


def test_dashboard_shows_the_live_counts(client, official, world):
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _figure(page, "submitted") == "3"
    assert _figure(page, "vr_or_ai") == "2"
    assert _figure(page, "vr_and_ai") == "1"
    assert _figure(page, "requested_budget") == "€ 152.346,17"
    assert _cell(page, "technologies", "vr", "declared") == "1"
    assert _cell(page, "technologies", "ai", "declared") == "2"
    assert _cell(page, "status", "withdrawn", "proposals") == "1"
    assert _cell(page, "technology_by_project_type", "ai", "adapt") == "1"
    assert _cell(page, "technology_by_provider_type", "all", "public") == "2"
    assert _cell(page, "budget", "all", "requested_eur") == "€ 152.346,17"
    assert "Brussel" in page  # the moment is given, in Brussels time
    # charts are images with a text alternative, served by their own route
    images = re.findall(r"<img [^>]*>", page)
    assert len(images) == 2
    for image in images:
        assert re.search(r'src="/reporting/calls/ESF-2021/charts/\w+\.svg\?as_of=[^"]+"', image)
        assert re.search(r' alt="[^"]{20,}"', image)
    assert "<style" not in page.split("<body", 1)[1]
    assert ' style="' not in page


def test_dashboard_as_of_a_past_moment(client, official, world):
    response = client.get(DASHBOARD, query_string={"as_of": "2021-03-15 12:00"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _figure(page, "submitted") == "3"
    assert _figure(page, "vr_or_ai") == "3"
    assert "15-03-2021 12:00:00" in page
    # the links carry the exact moment so the charts and exports show the same figures
    assert "as_of=2021-03-15T11:00:00%2B00:00" in page


def test_dashboard_with_a_bad_moment_explains(client, official, world):
    response = client.get(DASHBOARD, query_string={"as_of": "gisteren"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "govuk-error-summary" in page
    assert 'href="#as_of"' in page
    assert "gisteren" in page
    assert 'data-figure="submitted"' not in page


def test_dashboard_in_english(client, official, world):
    client.post("/language", data={"language": "en", "next": "/"})
    page = client.get(DASHBOARD).get_data(as_text=True)
    assert _figure(page, "requested_budget") == "€152,346.17"
    assert "Statistics of call ESF-2021" in page


def test_comparison_with_another_call(client, official, world):
    call_2022 = make_call(
        code="ESF-2022", opens_at=brussels(2022, 1, 1), deadline=brussels(2022, 3, 31, 23, 59, 59)
    )
    proposal = write(world.public_user, call_2022, brussels(2022, 3, 1), technologies=["ar"])
    submit(world.public_user, proposal, brussels(2022, 3, 2))
    response = client.get("/reporting/calls/ESF-2022", query_string={"compare": "esf-2021"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="table-comparison"' in page
    assert _cell(page, "comparison", "submitted", "earlier") == "3"
    assert _cell(page, "comparison", "submitted", "later") == "1"
    assert _cell(page, "comparison", "submitted", "change_pct") == "-66,7\u00a0%"
    # "n/a" until the Dutch catalog has "n.v.t."
    assert _cell(page, "comparison", "technology.ar", "change_pct") in ("n.v.t.", "n/a")
    assert "compare=ESF-2021" in page
    assert (
        client.get(
            "/reporting/calls/ESF-2022/charts/comparison.svg", query_string={"compare": "ESF-2021"}
        ).status_code
        == 200
    )

    response = client.get("/reporting/calls/ESF-2022", query_string={"compare": "NOPE"})
    assert response.status_code == 400
    assert 'href="#compare"' in response.get_data(as_text=True)


def test_index_goes_to_the_chosen_or_newest_call(client, official, world):
    response = client.get("/reporting/")
    assert response.status_code == 302
    assert response.location.endswith("/reporting/calls/ESF-2021")
    response = client.get(
        "/reporting/", query_string={"call": "esf-2021", "as_of": "2021-03-15", "compare": ""}
    )
    assert response.location.endswith("/reporting/calls/ESF-2021?as_of=2021-03-15")


def test_index_without_calls(client, login):
    login(make_user("official"))
    response = client.get("/reporting/")
    assert response.status_code == 200


def test_unknown_call_is_404(client, official, world):
    assert client.get("/reporting/calls/NOPE").status_code == 404


# ---------------------------------------------------------------------------- charts


def test_charts_are_svg_and_deterministic(client, official, world):
    url = "/reporting/calls/ESF-2021/charts/technologies.svg?as_of=2021-04-01T00:00:00Z"
    first = client.get(url)
    assert first.status_code == 200
    assert first.mimetype == "image/svg+xml"
    assert (
        first.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    )
    assert b"<svg" in first.data and b"<script" not in first.data
    assert client.get(url).data == first.data
    submissions = client.get("/reporting/calls/ESF-2021/charts/submissions.svg")
    assert submissions.status_code == 200 and b"<svg" in submissions.data
    # a comparison chart needs a second call
    assert client.get("/reporting/calls/ESF-2021/charts/comparison.svg").status_code == 404
    assert client.get("/reporting/calls/ESF-2021/charts/other.svg").status_code == 404
    assert client.get("/reporting/calls/ESF-2021/charts/submissions.svg?as_of=x").status_code == 400


# ---------------------------------------------------------------------------- exports


def _rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _filename(response) -> str:
    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    assert disposition == "attachment"
    assert response.headers["Cache-Control"] == "no-store"
    return options["filename"]


def test_figures_csv(client, official, world):
    response = client.get(
        "/reporting/calls/ESF-2021/figures.csv", query_string={"as_of": "2021-03-15T12:00:00+01:00"}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert _filename(response) == "cijfers-ESF-2021-20210315-1200.csv"
    rows = _rows(response.data)
    assert rows[0] == ["table", "row", "row_label", "column", "column_label", "value"]
    values = {(r[0], r[1], r[3]): r[5] for r in rows[1:]}
    assert values[("about", "as_of", "")] == "2021-03-15T12:00:00+01:00"
    assert values[("technologies", "vr_or_ai", "declared")] == "3"
    assert values[("technologies", "vr", "declared")] == "2"
    assert values[("budget", "all", "requested_eur")] == "160000.00"
    assert values[("submissions_per_day", "2021-03-12", "cumulative")] == "3"
    assert values[("status", "draft", "proposals")] == "1"  # p4, written at that instant


def test_figures_csv_for_excel_set_to_dutch(client, official, world):
    """ "CSV (Excel)": semicolons, a decimal comma and the byte-order mark, same figures."""
    response = client.get(
        "/reporting/calls/ESF-2021/figures.csv",
        query_string={"as_of": "2021-03-15T12:00:00+01:00", "csv": "excel"},
    )
    assert response.status_code == 200
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == ["table", "row", "row_label", "column", "column_label", "value"]
    values = {(r[0], r[1], r[3]): r[5] for r in rows[1:]}
    assert values[("budget", "all", "requested_eur")] == "160000,00"
    assert values[("technologies", "vr_or_ai", "declared")] == "3"


def test_the_dashboard_offers_both_csv_variants(client, official, world):
    page = client.get("/reporting/calls/ESF-2021").get_data(as_text=True)
    assert "CSV (Excel)" in page and "csv=excel" in page
    assert "CSV (komma, UTF-8)" in page


def test_figures_xlsx_with_comparison(client, official, world):
    make_call(
        code="ESF-2022", opens_at=brussels(2022, 1, 1), deadline=brussels(2022, 3, 31, 23, 59, 59)
    )
    response = client.get(
        "/reporting/calls/ESF-2021/figures.xlsx", query_string={"compare": "ESF-2022"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert "ESF-2021" in book.worksheets[0]["A1"].value  # "About": the call and the moment
    assert len(book.sheetnames) == 9  # about, 6 tables, days, comparison
    sheet = book.worksheets[2]  # technologies: title, moment, header, one row per code, ...
    vr_or_ai = 4 + len(world.call.technologies)
    assert [cell.value for cell in sheet[vr_or_ai]][1:] == [2, 0]  # declared, verified
    comparison = book.worksheets[-1]
    values = [[cell.value for cell in row] for row in comparison.iter_rows(min_row=4)]
    assert any(row[3] == "n/a" for row in values if row and len(row) > 3)


def test_proposal_list_exports_neutralise_formulas(client, official, world):
    tricky = make_user("applicant", organisation=make_organisation(legal_name="@SUM(A1:A9)"))
    proposal = write(
        tricky, world.call, at(20), title='=HYPERLINK("http://x","klik")', technologies=["vr"]
    )
    submit(tricky, proposal, at(21))
    response = client.get("/reporting/calls/ESF-2021/proposals.csv")
    assert response.status_code == 200
    rows = _rows(response.data)
    header = rows[0]
    records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    mine = next(r for r in records if r["reference"] == proposal.reference)
    assert mine["title"] == '\'=HYPERLINK("http://x","klik")'
    assert mine["organisation"] == "'@SUM(A1:A9)"
    assert mine["declared_technologies"] == "vr"
    assert mine["requested_eur"] == "90000.00"
    assert (
        mine["training_name"],
        mine["expected_participants"],
        mine["partners"],
        mine["own_contribution_eur"],
    ) == ("Basisopleiding lassen", "120", "", "20000.00")
    assert len(records) == 4  # submitted only
    assert all(
        not value.startswith(("=", "+", "-", "@", "\t", "\r"))
        for record in records
        for value in record.values()
    )

    response = client.get("/reporting/calls/ESF-2021/proposals.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    titles = {row[0].value: row for row in sheet.iter_rows(min_row=2) if row[0].value}
    cell = titles[proposal.reference][1]
    assert cell.value == '\'=HYPERLINK("http://x","klik")'
    assert cell.data_type == "s"
    assert titles[proposal.reference][2].value == "'@SUM(A1:A9)"


def test_neutralise():
    from app.reporting.exports import neutralise

    for text in ("=1+1", "+32 9", "-2", "@x", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    assert neutralise("Gent") == "Gent"
    assert neutralise(5) == 5


def test_pdf_report(client, official, world, tmp_path):
    response = client.get(
        "/reporting/calls/ESF-2021/report.pdf", query_string={"as_of": "2021-04-01 12:00"}
    )
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert _filename(response) == "stand-van-zaken-ESF-2021-20210401-1200.pdf"
    if shutil.which("pdftotext"):
        path = tmp_path / "report.pdf"
        path.write_bytes(response.data)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Stand van zaken" in text or "State of play" in text  # nl once translated
        assert "01-04-2021 12:00:00" in text
        assert "152.346,17" in text


# ---------------------------------------------------------------------------- verification


def test_proposals_to_verify(client, official, world):
    page = client.get("/reporting/calls/ESF-2021/proposals").get_data(as_text=True)
    for p in (world.p1, world.p2, world.p5):
        assert f'data-reference="{p.reference}"' in page
    assert world.p3.reference not in page and world.p4.reference not in page
    services.verify_technologies(world.official, world.p1.id, ["vr"], version_number=1)
    page = client.get("/reporting/calls/ESF-2021/proposals?show=unverified").get_data(as_text=True)
    assert world.p1.reference not in page
    assert world.p2.reference in page


def test_the_proposal_list_marks_the_sort_it_applied(client, official, world):
    page = client.get("/reporting/calls/ESF-2021/proposals?sort=nonsense").get_data(as_text=True)
    assert re.findall(r'<strong aria-current="true">([^<]+)</strong>', page) == ["Referentie"]


def test_verify_a_proposal(client, official, world):
    url = f"/reporting/proposals/{world.p5.id}/technologies"
    page = client.get(url).get_data(as_text=True)
    assert "<mark>chatbot</mark>" in page
    assert re.search(r'<input [^>]*name="version" type="hidden" value="1"', page)
    response = client.post(
        url,
        data={
            "version": "1",
            "technologies": ["gamification", "ai"],
            "note": "Chatbot als oefenpartner",
            "next": "/reporting/calls/ESF-2021/mentions",
        },
    )
    assert response.status_code == 302
    assert response.location.endswith("/reporting/calls/ESF-2021/mentions")
    verification = db.session.scalar(sa.select(TechnologyVerification))
    assert verification.technologies == ["ai", "gamification"]
    assert verification.verified_by_id == world.official.id
    record = db.session.scalar(
        sa.select(AuditRecord).where(AuditRecord.action == "proposal.technologies_verified")
    )
    assert record.after["added"] == ["ai"]
    assert "Chatbot als oefenpartner" in client.get(url).get_data(as_text=True)


def test_verify_refusals(client, official, world):
    url = f"/reporting/proposals/{world.p2.id}/technologies"
    assert client.post(url, data={}).status_code == 422  # no version: nothing recorded
    response = client.post(url, data={"version": "1", "technologies": ["ai"]})  # stale
    assert response.status_code == 302
    assert f"/reporting/proposals/{world.p2.id}/technologies" in response.location
    assert "govuk-error-summary" in client.get(response.location).get_data(as_text=True)
    assert client.post(url, data={"version": "2", "technologies": ["hologram"]}).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(TechnologyVerification.id))) == 0
    assert client.get(f"/reporting/proposals/{world.p4.id}/technologies").status_code == 200
    assert (
        client.post(
            f"/reporting/proposals/{world.p4.id}/technologies", data={"version": "1"}
        ).status_code
        == 302
    )
    assert db.session.scalar(sa.select(sa.func.count(TechnologyVerification.id))) == 0
    assert client.get("/reporting/proposals/999999/technologies").status_code == 404


def test_mentions_page(client, official, world):
    page = client.get("/reporting/calls/ESF-2021/mentions").get_data(as_text=True)
    assert f'data-reference="{world.p5.reference}"' in page
    assert f'data-reference="{world.p2.reference}"' in page
    assert f'data-reference="{world.p1.reference}"' not in page
    assert "<mark>chatbot</mark>" in page
    assert "<mark>VR-bril</mark>" in page


# ---------------------------------------------------------------------------- who may not

PAGES = [
    DASHBOARD,
    "/reporting/",
    f"{DASHBOARD}/charts/technologies.svg",
    f"{DASHBOARD}/figures.csv",
    f"{DASHBOARD}/figures.xlsx",
    f"{DASHBOARD}/proposals.csv",
    f"{DASHBOARD}/proposals.xlsx",
    f"{DASHBOARD}/report.pdf",
    f"{DASHBOARD}/proposals",
    f"{DASHBOARD}/mentions",
]


def test_anonymous_users_are_sent_to_log_in(client, world):
    for url in [*PAGES, f"/reporting/proposals/{world.p1.id}/technologies"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/auth/login" in response.location
    response = client.post(
        f"/reporting/proposals/{world.p1.id}/technologies",
        data={"version": "1", "technologies": ["vr"]},
    )
    assert response.status_code == 302 and "/auth/login" in response.location


@pytest.mark.parametrize("role", ["applicant", "evaluator", "admin"])
def test_others_are_refused(client, as_role, world, role):
    user = world.public_user if role == "applicant" else None
    if user is not None:
        client.post(
            "/auth/login", data={"email": user.email, "password": "Correct-Paard-Batterij-9"}
        )
    else:
        as_role(role)
    for url in [*PAGES, f"/reporting/proposals/{world.p1.id}/technologies"]:
        response = client.get(url)
        assert response.status_code == 403, (role, url)
        assert b"152" not in response.data
    response = client.post(
        f"/reporting/proposals/{world.p1.id}/technologies",
        data={"version": "1", "technologies": ["vr"]},
    )
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(TechnologyVerification.id))) == 0


# ---------------------------------------------------------------------------- queries


def _count_queries(client, url):
    statements = []

    def _before(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.expire_all()  # each request starts from a clean session, as in production
    sa.event.listen(db.engine, "before_cursor_execute", _before)
    try:
        response = client.get(url)
        assert response.status_code == 200, url
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", _before)
    return len(statements)


def _add_proposals(world, n: int) -> None:
    for i in range(n):
        proposal = write(
            world.private_user, world.call, at(2), title=f"Extra {i}", technologies=["vr", "ai"]
        )
        submit(world.private_user, proposal, at(3))
        submit(world.private_user, proposal, at(6), technologies=["ai"])
        services.verify_technologies(world.official, proposal.id, ["ai"], version_number=2)


def test_pages_run_a_fixed_number_of_queries(client, login):
    from tests.reporting.fixtures import build_world

    world = build_world()
    login(world.official)
    make_call(
        code="ESF-2022", opens_at=brussels(2022, 1, 1), deadline=brussels(2022, 3, 31, 23, 59, 59)
    )
    urls = [
        DASHBOARD,
        f"{DASHBOARD}?compare=ESF-2022",
        f"{DASHBOARD}/proposals",
        f"{DASHBOARD}/mentions",
        f"{DASHBOARD}/figures.csv",
        f"{DASHBOARD}/proposals.csv",
        f"{DASHBOARD}/charts/technologies.svg",
    ]
    _add_proposals(world, 2)
    small = {url: _count_queries(client, url) for url in urls}
    _add_proposals(world, 8)
    large = {url: _count_queries(client, url) for url in urls}
    assert large == small
    page = client.get(DASHBOARD).get_data(as_text=True)
    assert _figure(page, "submitted") == "13"


def test_the_proposals_export_names_the_partners(client, official, world):
    partner = {
        "name": "Lascentrum Kempen vzw",
        "enterprise_number": "0123.456.749",
        "role": "Praktijklocatie",
    }
    user = make_user("applicant")
    proposal = write(user, world.call, at(20), partners=[partner])
    submit(user, proposal, at(21))
    rows = _rows(client.get("/reporting/calls/ESF-2021/proposals.csv").data)
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    mine = next(r for r in records if r["reference"] == proposal.reference)
    assert mine["partners"] == "Lascentrum Kempen vzw (0123.456.749)"
