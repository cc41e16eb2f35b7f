"""Proposal PDFs, rendered with WeasyPrint: the submission receipt (from the immutable
version) and the whole proposal (every field and the attachments with their fingerprints)."""

from flask import Response

from app.core.downloads import download
from app.core.pdf import render_pdf
from app.core.time import utcnow
from app.proposals.access import deadline_of
from app.proposals.fields import LABELS, SECTIONS
from app.proposals.models import Proposal, ProposalStatus, ProposalVersion
from app.proposals.services import counting_version
from app.proposals.versions import snapshot


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


def shown_version(proposal: Proposal) -> ProposalVersion | None:
    """The version the whole-proposal PDF shows: none for a draft never submitted (its
    working copy is shown), else the version that counts, or the last one submitted."""
    if proposal.status is ProposalStatus.draft or not proposal.versions:
        return None
    return counting_version(proposal) or proposal.versions[-1]


def proposal_pdf(proposal: Proposal, version: ProposalVersion | None) -> Response:
    """The whole proposal as a PDF: ``version``'s frozen data, or the working copy."""
    if version is not None:
        data, organisation = version.data, version.organisation_data
        suffix = f"-v{version.number}"
    else:
        data = snapshot(proposal)
        organisation = {
            "legal_name": proposal.organisation.legal_name,
            "enterprise_number": proposal.organisation.enterprise_number,
        }
        suffix = "-werkversie"
    pdf = render_pdf(
        "proposals/proposal_pdf.html",
        proposal=proposal,
        version=version,
        data=data,
        organisation=organisation,
        sections=SECTIONS,
        labels=LABELS,
        printed_at=utcnow(),
    )
    return download(pdf, "application/pdf", f"voorstel-{proposal.reference}{suffix}.pdf")
