"""Review detail in the ranking exports: consensus per criterion, and a second sheet with the
individual scores and justifications, evaluators anonymised per proposal."""

import csv
import io

from openpyxl import load_workbook

from app.auth import tokens as auth_tokens
from tests.reviews.test_official_views import BASE, CODE, EVALUATOR_NAMES, _world


def _language(client, language):
    with client.session_transaction() as session:
        session["language"] = language


def test_csv_and_xlsx_carry_the_consensus_per_criterion(client, login):
    world = _world(count=2)
    login(world.official)
    _language(client, "en")
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"{BASE}/ranking.csv").data.decode("utf-8-sig")))
    )
    # proposal 1: consensus 4 and 3; proposal 2 the same (see _world)
    assert {(r["consensus_criterion_1"], r["consensus_criterion_2"]) for r in rows} == {
        ("4.00", "3.00")
    }
    book = load_workbook(io.BytesIO(client.get(f"{BASE}/ranking.xlsx").data))
    header = [c.value for c in book.worksheets[0][1]]
    assert header[-2:] == ["consensus_criterion_1", "consensus_criterion_2"]


def test_the_second_sheet_has_anonymised_individual_scores(client, login):
    world = _world(count=2)
    login(world.official)
    _language(client, "en")
    book = load_workbook(io.BytesIO(client.get(f"{BASE}/ranking.xlsx").data))
    assert book.sheetnames == ["Ranking", "Individual scores"]
    values = [[c.value for c in row] for row in book["Individual scores"].iter_rows()]
    assert values[0] == ["Reference", "Evaluator", "Criterion", "Score", "Justification"]
    body = values[1:]
    assert len(body) == 2 * 3 * 2  # proposals x reviews x criteria
    assert {row[1] for row in body} == {"Evaluator 1", "Evaluator 2", "Evaluator 3"}
    assert any(str(row[4]).startswith("Sterk punt volgens") for row in body)
    flat = " ".join(str(v) for row in values for v in row)
    for name in EVALUATOR_NAMES:  # never an evaluator's name, except inside a text they wrote
        assert f"Evaluator {name}" not in flat and all(row[1] != name for row in body)
    _language(client, "nl")
    book = load_workbook(io.BytesIO(client.get(f"{BASE}/ranking.xlsx").data))
    assert book.sheetnames[1] == "Individuele scores"
    assert book.worksheets[1]["B2"].value == "Beoordelaar 1"


def test_only_officials_download_the_review_detail(client, login):
    world = _world(count=1)
    login(world.applicants[0])
    assert client.get(f"{BASE}/ranking.xlsx").status_code == 403
    _token, plain = auth_tokens.create_token(world.official, world.official, "t")
    assert (
        client.get(
            f"/api/v1/calls/{CODE}/ranking", headers={"Authorization": f"Bearer {plain}"}
        ).status_code
        == 200
    )
