"""The ranking PDF laid out a page at a time (app.reviews.pdf.pages_of): every row once, in
order, the budget line where it belongs, no page over its lines."""

from types import SimpleNamespace

import pytest

from app.core.db import db
from app.reviews import pdf
from app.reviews.models import Outcome
from app.reviews.pdf import BUDGET_LINE_LINES, pages_of
from app.reviews.rules import ranking as ranking_rules
from tests.reviews.test_official_views import BASE, _pdf_text, _world


def _rows(n: int) -> list:
    return [SimpleNamespace(proposal=SimpleNamespace(id=i)) for i in range(1, n + 1)]


def _lines(page) -> int:
    return sum(BUDGET_LINE_LINES if s.budget_line else len(s.rows) for s in page)


@pytest.mark.parametrize("n", [0, 1, 5, 6, 7, 20, 101])
@pytest.mark.parametrize("line_after", [None, 1, 5, 6, 7])
def test_every_row_once_in_order_and_pages_within_their_lines(n, line_after):
    rows = _rows(n)
    pages = pages_of(rows, line_after=line_after, first=5, per_page=7)
    flat = [
        item for page in pages for s in page for item in (["line"] if s.budget_line else s.rows)
    ]
    expected = []
    for row in rows:
        expected.append(row)
        if row.proposal.id == line_after:
            expected.append("line")
    assert flat == expected
    assert all(page for page in pages)
    if pages:
        assert _lines(pages[0]) <= 5
        assert all(_lines(page) <= 7 for page in pages[1:])
        assert all(not (s.rows == [] and not s.budget_line) for page in pages for s in page)


def test_the_budget_line_first_when_nothing_is_funded():
    pages = pages_of(_rows(3), line_first=True, first=5, per_page=7)
    assert pages[0][0].budget_line and [r.proposal.id for r in pages[0][1].rows] == [1, 2, 3]


def test_no_rows_no_pages():
    assert pages_of([]) == []


def test_a_long_ranking_has_few_boxes_per_page():
    """5,000 rows make pages of PAGE_LINES rows each: the HTML WeasyPrint gets has one table
    row per page and segment, not one per proposal."""
    rows = _rows(5000)
    pages = pages_of(rows)
    assert len(pages) == 1 + -(-(5000 - pdf.FIRST_PAGE_LINES) // pdf.PAGE_LINES)
    assert sum(len(page) for page in pages) == len(pages)


def test_the_pdf_shortens_long_titles_and_lists_overrides_whole(client, login, tmp_path):
    world = _world(count=5)
    world.proposals[1].title = "A very long title " * 6
    db.session.commit()
    reason = "Regional spread across the provinces, as the call text foresees in section 4"
    ranking_rules.override_outcome(world.official, world.proposals[0].id, Outcome.reserve, reason)
    login(world.official)
    with client.session_transaction() as session:
        session["language"] = "en"
    response = client.get(f"{BASE}/ranking.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = _pdf_text(response.data, tmp_path)
    if text is None:
        pytest.skip("pdftotext is missing")
    assert "Budget line" in text
    for proposal in world.proposals:
        assert text.count(proposal.reference) >= 1
    assert " ".join(reason.split()) in " ".join(text.split())  # whole, though it wraps
    assert "Outcomes set by an official" in text
    words = " ".join(text.split())
    assert "A very long title A very long t…" in words
    assert ("A very long title " * 6).strip() not in words
