"""Evaluation PDFs (WeasyPrint): the applicant's evaluation summary report, rendered from
the frozen decision record (never an evaluator's name), and the officials' ranking."""

from dataclasses import dataclass, field

from app.calls.models import Call
from app.core.pdf import render_pdf
from app.core.time import utcnow
from app.proposals.models import Proposal
from app.proposals.services import counting_version
from app.reviews.facts import settings_of
from app.reviews.models import Outcome
from app.reviews.result_queries import PublishedResult
from app.reviews.rules.ranking import TIE_BREAK, Ranking, RankingRow

# The ranking's table is laid out a page at a time: each page is one table row whose cells
# hold a column's values, one line per proposal. WeasyPrint's cost grows with the number of
# boxes it lays out (about 0.8 ms of CPU per table cell), so a cell per value made the PDF of
# 5,000 proposals take 91 s of CPU; one cell per column and page takes 25 s (README).
# Lines never wrap (long titles and names are shortened, the CSV and XLSX carry them whole),
# so the number of lines that fit on a page is known here.
FIRST_PAGE_LINES = 29  # below the title and the lead
PAGE_LINES = 37
BUDGET_LINE_LINES = 2  # the budget line takes the height of about two lines


@dataclass
class Segment:
    rows: list[RankingRow] = field(default_factory=list)
    budget_line: bool = False


def pages_of(
    rows: list[RankingRow],
    line_after: int | None = None,
    line_first: bool = False,
    first: int = FIRST_PAGE_LINES,
    per_page: int = PAGE_LINES,
) -> list[list[Segment]]:
    """``rows`` split into pages of segments: runs of rows, and the budget line (first when
    ``line_first``, else after the row of proposal ``line_after``) between them."""
    pages: list[list[Segment]] = [[]]
    room = first

    def take(lines: int) -> None:
        nonlocal room
        if lines > room:
            pages.append([])
            room = per_page
        room -= lines

    def line() -> None:
        take(BUDGET_LINE_LINES)
        pages[-1].append(Segment(budget_line=True))

    if line_first:
        line()
    for row in rows:
        take(1)
        if not pages[-1] or pages[-1][-1].budget_line:
            pages[-1].append(Segment())
        pages[-1][-1].rows.append(row)
        if line_after is not None and row.proposal.id == line_after:
            line()
    return [page for page in pages if page]


def summary_pdf(proposal: Proposal, result: PublishedResult) -> bytes:
    return render_pdf(
        "reviews/summary.html",
        proposal=proposal,
        result=result,
        version=counting_version(proposal),
        Outcome=Outcome,
    )


def ranking_pdf(call: Call, rows: Ranking) -> bytes:
    ranked = rows.ranked
    unranked = [row for row in rows if row.rank is None]
    return render_pdf(
        "reviews/ranking_pdf.html",
        call=call,
        ranked_pages=pages_of(
            ranked,
            line_after=rows.last_funded_id,
            line_first=bool(ranked) and rows.last_funded_id is None,
        ),
        unranked_pages=pages_of(unranked, first=PAGE_LINES - 3),
        overridden=[row for row in rows if row.override],
        has_ranked=bool(ranked),
        funded_total=rows.funded_total,
        settings=settings_of(call),
        tie_break=TIE_BREAK,
        as_of=utcnow(),
    )
