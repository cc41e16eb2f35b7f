"""Evaluation PDFs (WeasyPrint): the applicant's evaluation summary report, rendered from
the frozen decision record (never an evaluator's name), and the officials' ranking."""

from app.calls.models import Call
from app.core.pdf import render_pdf
from app.core.time import utcnow
from app.proposals.models import Proposal
from app.proposals.services import counting_version
from app.reviews.facts import settings_of
from app.reviews.models import Outcome
from app.reviews.result_queries import PublishedResult
from app.reviews.rules.ranking import TIE_BREAK, Ranking


def summary_pdf(proposal: Proposal, result: PublishedResult) -> bytes:
    return render_pdf(
        "reviews/summary.html",
        proposal=proposal,
        result=result,
        version=counting_version(proposal),
        Outcome=Outcome,
    )


def ranking_pdf(call: Call, rows: Ranking) -> bytes:
    return render_pdf(
        "reviews/ranking_pdf.html",
        call=call,
        ranked=rows.ranked,
        unranked=[row for row in rows if row.rank is None],
        last_funded=rows.last_funded_id,
        funded_total=rows.funded_total,
        settings=settings_of(call),
        tie_break=TIE_BREAK,
        as_of=utcnow(),
    )
