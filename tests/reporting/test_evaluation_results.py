"""The statistics page and its "Stand van zaken" PDF show the results of the evaluation
(admissible, funded, reserve list, rejected), as the CSV carries them; the chart of the
submissions per day names its axes and the deadline."""

import re
import shutil
import subprocess

import pytest

from tests.reporting.fixtures import evaluate

DASHBOARD = "/reporting/calls/ESF-2021"


@pytest.fixture
def official(world, login):
    return login(world.official)


def _figure(page: str, key: str) -> str:
    block = page.split('id="evaluation-figures"', 1)[1]
    match = re.search(rf'data-figure="{key}">([^<]*)<', block)
    assert match, key
    return match.group(1)


def _pdf_text(data: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is missing")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_dashboard_shows_the_evaluation_results(client, official, world):
    evaluate(world)

    page = client.get(DASHBOARD).get_data(as_text=True)

    assert "Resultaten van de beoordeling" in page
    assert [_figure(page, k) for k in ("admissible", "funded", "reserve", "rejected")] == [
        "2",
        "1",
        "1",
        "0",
    ]
    table = page.split('id="table-evaluation"', 1)[1].split("</table>", 1)[0]
    assert 'data-row="inadmissible"' in table


def test_before_any_result_the_dashboard_says_when_they_come(client, official, world):
    page = client.get(DASHBOARD).get_data(as_text=True)

    assert 'id="no-evaluation"' in page
    assert 'id="evaluation-figures"' not in page


def test_the_figures_as_of_before_the_decision_show_no_results(client, official, world):
    evaluate(world)

    page = client.get(DASHBOARD, query_string={"as_of": "2021-04-01 12:00"}).get_data(as_text=True)

    assert 'id="no-evaluation"' in page


def test_the_page_and_the_csv_agree(client, official, world):
    evaluate(world)

    page = client.get(DASHBOARD).get_data(as_text=True)
    csv_text = client.get(f"{DASHBOARD}/figures.csv").get_data(as_text=True)

    assert _figure(page, "funded") == "1"
    funded_line = next(line for line in csv_text.splitlines() if "Goedgekeurd" in line)
    assert funded_line.rstrip().endswith("1")


def test_the_report_pdf_shows_the_evaluation_results(client, official, world, tmp_path):
    evaluate(world)

    response = client.get(f"{DASHBOARD}/report.pdf")
    text = _pdf_text(response.data, tmp_path)

    assert response.status_code == 200
    assert "Resultaten van de beoordeling" in text
    assert re.search(r"Goedgekeurd\s+Reservelijst\s+Afgekeurd", text)


def test_the_report_pdf_before_any_result_says_so(client, official, world, tmp_path):
    text = _pdf_text(client.get(f"{DASHBOARD}/report.pdf").data, tmp_path)

    assert "Nog geen resultaten" in text


def test_the_submissions_chart_names_its_axes_and_the_deadline(client, official, world):
    svg = client.get(f"{DASHBOARD}/charts/submissions.svg").get_data(as_text=True)

    assert "Deadline 31-03-2021" in svg
    assert "Dag van indiening (Brusselse tijd)" in svg
    assert "Indieningen per dag (staven)" in svg


def test_the_submissions_chart_has_few_date_ticks(client, official, world):
    svg = client.get(f"{DASHBOARD}/charts/submissions.svg").get_data(as_text=True)

    date_ticks = set(re.findall(r"<!-- (\d\d-\d\d) -->", svg))
    assert 3 <= len(date_ticks) <= 6


def test_others_do_not_see_the_results(client, login, world):
    from tests.factories import make_user

    evaluate(world)
    login(make_user("evaluator"))

    assert client.get(DASHBOARD).status_code == 403
    assert client.get(f"{DASHBOARD}/report.pdf").status_code == 403
