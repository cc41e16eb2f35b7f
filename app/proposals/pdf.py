"""The submission receipt, rendered with WeasyPrint from the immutable version."""

from flask import Response

from app.core.downloads import download
from app.core.pdf import render_pdf
from app.proposals.access import deadline_of
from app.proposals.models import Proposal, ProposalVersion


def receipt_pdf(proposal: Proposal, version: ProposalVersion) -> Response:
    # The deadline in force when this version was submitted (older versions: today's).
    pdf = render_pdf(
        "proposals/receipt.html",
        proposal=proposal,
        version=version,
        deadline=version.deadline_in_force or deadline_of(proposal),
    )
    filename = f"ontvangstbewijs-{proposal.reference}-v{version.number}.pdf"
    return download(pdf, "application/pdf", filename)
