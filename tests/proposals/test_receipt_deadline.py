"""A receipt states the deadline that was in force when its version was submitted: an
extension granted afterwards does not change what an old receipt says."""

from datetime import timedelta

from flask import current_app, render_template

from app.calls import services as calls
from app.core.time import format_brussels
from app.proposals import pdf
from tests.factories import make_call, make_proposal, make_user


def test_the_version_keeps_the_deadline_in_force(monkeypatch):
    call = make_call()
    applicant = make_user("applicant")
    proposal = make_proposal(call, applicant, submit=True)
    [version] = proposal.versions
    assert version.deadline_in_force == call.deadline
    later = call.deadline + timedelta(days=7)
    calls.grant_extension(
        make_user("official"), call.id, proposal.organisation_id, later, "Overmacht: stroompanne"
    )
    # The PDF is WeasyPrint's rendering of this HTML: read the HTML it is given.
    monkeypatch.setattr(
        pdf, "render_pdf", lambda name, **context: render_template(name, **context).encode()
    )
    with current_app.test_request_context():  # a download answers a request
        response = pdf.receipt_pdf(proposal, version)
        response.direct_passthrough = False
        text = response.get_data(as_text=True)
    assert format_brussels(call.deadline) in text
    assert format_brussels(later) not in text
