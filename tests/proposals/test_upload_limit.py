"""An upload over the size limit stays on the attachments page, with the error on its field."""

import io

from tests.factories import make_call, make_proposal, make_user

PDF_START = b"%PDF-1.4\n"


def _upload(client, proposal, size: int):
    body = io.BytesIO(PDF_START + b"0" * size)
    return client.post(
        f"/proposals/{proposal.id}/attachments",
        data={"file": (body, "groot.pdf")},
        content_type="multipart/form-data",
    )


def test_over_the_request_limit_the_attachments_page_shows_the_error_inline(app, client, login):
    user = login(make_user("applicant"))
    proposal = make_proposal(make_call(), user, complete=False)
    response = _upload(client, proposal, app.config["MAX_CONTENT_LENGTH"] + 10)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert proposal.reference in page  # still the proposal's attachments page
    assert 'enctype="multipart/form-data"' in page
    assert "govuk-form-group--error" in page and "govuk-error-summary" in page
    assert "groter dan 10 MB" in page
    assert 'data-max-bytes="10485760"' in page  # the browser checks first


def test_over_the_file_limit_the_error_is_inline_too(app, client, login):
    user = login(make_user("applicant"))
    proposal = make_proposal(make_call(), user, complete=False)
    size = app.config["PROPOSAL_MAX_ATTACHMENT_BYTES"] + 1024
    assert size < app.config["MAX_CONTENT_LENGTH"]
    response = _upload(client, proposal, size)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "govuk-form-group--error" in page and proposal.reference in page


def test_someone_else_uploading_too_much_learns_nothing_of_the_proposal(app, client, login):
    proposal = make_proposal(make_call(), make_user("applicant"), complete=False)
    login(make_user("applicant"))
    response = _upload(client, proposal, app.config["MAX_CONTENT_LENGTH"] + 10)
    assert response.status_code in (404, 413)
    assert proposal.reference not in response.get_data(as_text=True)
