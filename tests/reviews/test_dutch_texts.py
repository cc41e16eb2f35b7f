"""Texts in the reader's language: the ranking page, its PDF and XLSX in Dutch carry no
English sentence, and the frozen decision record keeps codes with both languages."""

import io
from datetime import date

import pytest
from flask import render_template
from flask_babel import force_locale
from openpyxl import load_workbook

from app.reviews import pdf
from app.reviews.rules import decisions as decisions_rules
from app.reviews.rules import ranking as ranking_rules
from tests.reviews.factories import BASE, reviewed_world

ENGLISH = (
    "Equal scores are ordered",
    "weighted total",
    "Budget line",
    "As of",
    "Tie-break",
    "Ranking",
)


def _english_tie_break() -> str:
    with force_locale("en"):
        return str(ranking_rules.TIE_BREAK)


def _dutch_tie_break() -> str:
    with force_locale("nl"):
        return str(ranking_rules.TIE_BREAK)


@pytest.fixture
def dutch(client, login):
    world = reviewed_world(count=5)  # the fifth is below the criterion's threshold
    login(world.official)
    with client.session_transaction() as session:
        session["language"] = "nl"
    return world


def test_the_ranking_page_pdf_and_xlsx_in_dutch_have_no_english(client, dutch, monkeypatch):
    page = client.get(f"{BASE}/ranking").get_data(as_text=True)
    assert _dutch_tie_break() in page
    assert _english_tie_break() not in page
    for english in ENGLISH:
        assert english not in page, english
    workbook = load_workbook(io.BytesIO(client.get(f"{BASE}/ranking.xlsx").data))
    cells = [
        str(c.value)
        for sheet in workbook
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    assert _dutch_tie_break() in cells
    for english in ENGLISH:
        assert not [c for c in cells if english in c], english
    # The PDF is WeasyPrint's rendering of this HTML: read the HTML it is given.
    monkeypatch.setattr(
        pdf, "render_pdf", lambda name, **context: render_template(name, **context).encode()
    )
    text = client.get(f"{BASE}/ranking.pdf").get_data(as_text=True)
    assert _dutch_tie_break() in text
    for english in ENGLISH:
        assert english not in text, english


def test_the_frozen_record_keeps_codes_and_both_languages():
    world = reviewed_world(count=5)
    with force_locale("en"):  # published by an official reading English
        record = decisions_rules.publish_decision(
            world.official, world.call.id, today=date(2021, 6, 1)
        )
    data = record.data
    assert data["tie_break"] == ranking_rules.TIE_BREAK_CODE
    assert data["tie_break_text"] == {"nl": _dutch_tie_break(), "en": _english_tie_break()}
    failed = next(r["failed_thresholds"] for r in data["rows"] if r["failed_thresholds"])
    assert {
        "code": f"criterion:{world.criteria[0].id}",
        "nl": "Criterium 1",
        "en": "Criterion 1",
    } in failed
    assert all(set(item) == {"code", "nl", "en"} for item in failed)
