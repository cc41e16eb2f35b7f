"""Proposal pages: the applicant's journey over HTTP, and who may NOT see or do things."""

import io
from datetime import UTC, datetime

import sqlalchemy as sa
import time_machine

from app.core.db import db
from app.core.time import brussels
from app.proposals import services
from app.proposals.models import Proposal, ProposalStatus, ProposalVersion
from tests.factories import make_call, make_proposal, make_user

DECLARED = {"declaration": "y"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _section(proposal, **values):
    return {"revision": str(proposal.revision), **values}


def test_start_a_proposal_from_the_call(client, login):
    call = make_call()
    user = login(make_user("applicant"))
    response = client.post(f"/proposals/new/{call.code}")
    assert response.status_code == 302
    proposal = db.session.scalar(sa.select(Proposal))
    assert response.location.endswith(f"/proposals/{proposal.id}")
    assert proposal.organisation_id in user.organisation_ids
    page = client.get(response.location).get_data(as_text=True)
    assert proposal.reference in page
    assert "Onvolledig" in page or "Incomplete" in page


def test_save_a_section_with_partial_data(client, login):
    call = make_call()
    user = login(make_user("applicant"))
    proposal = make_proposal(call, user, complete=False)
    response = client.post(
        f"/proposals/{proposal.id}/edit/general",
        data=_section(proposal, title="Heftruck in VR", then="overview"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert proposal.title == "Heftruck in VR"
    assert proposal.project_type is None


def test_bad_input_is_refused_per_field_and_kept(client, login):
    call = make_call(max_request_eur=100000)
    user = login(make_user("applicant"))
    proposal = make_proposal(call, user, complete=False)
    response = client.post(
        f"/proposals/{proposal.id}/edit/budget",
        data=_section(proposal, requested_eur="twaalf", own_contribution_eur="-5"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "twaalf" in page  # nothing typed is lost
    assert "Er is een probleem" in page or "There is a problem" in page
    response = client.post(
        f"/proposals/{proposal.id}/edit/planning",
        data=_section(proposal, start_date="2030-05-01", end_date="2030-01-01"),
    )
    assert response.status_code == 422
    response = client.post(
        f"/proposals/{proposal.id}/edit/general", data=_section(proposal, training_hours="veertig")
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert proposal.requested_eur is None


def test_amounts_are_exact_decimals(client, login):
    call = make_call()
    user = login(make_user("applicant"))
    proposal = make_proposal(call, user, complete=False)
    client.post(
        f"/proposals/{proposal.id}/edit/budget",
        data=_section(proposal, requested_eur="12.345,67", own_contribution_eur="1000.10"),
    )
    db.session.expire_all()
    assert str(proposal.requested_eur) == "12345.67"
    assert str(proposal.own_contribution_eur) == "1000.10"


def test_stale_save_shows_both_versions_and_keeps_the_text(client, login):
    call = make_call()
    user = login(make_user("applicant"))
    proposal = make_proposal(call, user, complete=False)
    opened = proposal.revision
    colleague = make_user("applicant", organisation=user.organisations[0], name="Collega Els")
    services.update_proposal(colleague, proposal.id, {"title": "Titel van Els"}, opened)
    response = client.post(
        f"/proposals/{proposal.id}/edit/general",
        data={"revision": str(opened), "title": "Mijn eigen titel"},
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Mijn eigen titel" in page and "Titel van Els" in page and "Collega Els" in page
    db.session.expire_all()
    # saving again from the conflict page replaces the other version deliberately
    response = client.post(
        f"/proposals/{proposal.id}/edit/general",
        data={"revision": str(proposal.revision), "title": "Mijn eigen titel"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert proposal.title == "Mijn eigen titel"


def test_attachments(client, login, app):
    call = make_call()
    user = login(make_user("applicant"))
    proposal = make_proposal(call, user, complete=False)
    url = f"/proposals/{proposal.id}/attachments"
    response = client.post(
        url, data={"file": (io.BytesIO(PDF), "plan.pdf")}, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    response = client.post(
        url,
        data={"file": (io.BytesIO(b"PK\x03\x04zip"), "nep.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "geen PDF" in response.get_data(as_text=True) or "not a PDF" in response.get_data(
        as_text=True
    )
    big = io.BytesIO(b"%PDF-1.4\n" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 10))
    response = client.post(
        url, data={"file": (big, "groot.pdf")}, content_type="multipart/form-data"
    )
    assert response.status_code == 413
    db.session.expire_all()
    [attachment] = proposal.attachments
    download = client.get(f"/proposals/{proposal.id}/files/{attachment.sha256}")
    assert download.status_code == 200
    assert download.data == PDF


def test_submit_receipt_and_history(client, login):
    call = make_call()
    user = login(make_user("applicant"))
    proposal = make_proposal(call, user)
    check = client.get(f"/proposals/{proposal.id}/check")
    assert check.status_code == 200
    response = client.post(f"/proposals/{proposal.id}/submit", data=DECLARED)
    assert response.status_code == 302
    db.session.expire_all()
    assert proposal.status is ProposalStatus.submitted
    receipt = client.get(f"/proposals/{proposal.id}/versions/1/receipt.pdf")
    assert receipt.status_code == 200
    assert receipt.mimetype == "application/pdf"
    assert receipt.data.startswith(b"%PDF-")
    assert client.get(f"/proposals/{proposal.id}/versions/1").status_code == 200
    assert client.get(f"/proposals/{proposal.id}/versions/2").status_code == 404


def test_submit_with_problems_lists_them_all(client, login):
    call = make_call()
    user = login(make_user("applicant"))
    proposal = make_proposal(call, user, complete=False)
    response = client.post(f"/proposals/{proposal.id}/submit", data=DECLARED)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count("<li>") >= 15


def test_the_deadline_instant_over_http(client, login):
    """31 March 2021 23:59:59 Brussels = 21:59:59 UTC: the last microsecond is on time."""
    call = make_call(
        code="ESF-2021", opens_at=brussels(2021, 1, 1), deadline=brussels(2021, 3, 31, 23, 59, 59)
    )
    user = make_user("applicant")
    with time_machine.travel(datetime(2021, 3, 31, 21, tzinfo=UTC), tick=False):
        proposal = make_proposal(call, user)
        login(user)
    with time_machine.travel(datetime(2021, 3, 31, 21, 59, 59, 999999, tzinfo=UTC), tick=False):
        assert client.post(f"/proposals/{proposal.id}/submit", data=DECLARED).status_code == 302
    with time_machine.travel(datetime(2021, 3, 31, 22, 0, 0, tzinfo=UTC), tick=False):
        response = client.post(f"/proposals/{proposal.id}/submit", data=DECLARED)
        assert response.status_code == 409
        assert "01-04-2021 00:00:00.000000" in response.get_data(as_text=True)
        response = client.post(
            f"/proposals/{proposal.id}/edit/general", data=_section(proposal, title="Te laat")
        )
        assert response.status_code == 302  # back to the read-only proposal
        response = client.post(f"/proposals/{proposal.id}/withdraw", data={"reason": "x"})
        assert response.status_code == 409
    db.session.expire_all()
    assert proposal.title != "Te laat"
    assert proposal.status is ProposalStatus.submitted
    assert [v.number for v in proposal.versions] == [1]
    assert proposal.versions[0].submitted_at == datetime(
        2021, 3, 31, 21, 59, 59, 999999, tzinfo=UTC
    )


def test_withdraw_with_a_reason(client, login):
    call = make_call()
    user = login(make_user("applicant"))
    proposal = make_proposal(call, user, submit=True)
    response = client.post(f"/proposals/{proposal.id}/withdraw", data={"reason": ""})
    assert response.status_code == 422
    response = client.post(
        f"/proposals/{proposal.id}/withdraw", data={"reason": "Partner haakt af"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert proposal.status is ProposalStatus.withdrawn


def test_other_organisations_get_404_everywhere(client, login):
    call = make_call()
    owner = make_user("applicant")
    proposal = make_proposal(call, owner, submit=True)
    services.add_attachment(owner, proposal.id, "plan.pdf", io.BytesIO(PDF))
    sha = proposal.attachments[0].sha256
    login(make_user("applicant"))
    for url in (
        f"/proposals/{proposal.id}",
        f"/proposals/{proposal.id}/edit/general",
        f"/proposals/{proposal.id}/attachments",
        f"/proposals/{proposal.id}/check",
        f"/proposals/{proposal.id}/versions/1",
        f"/proposals/{proposal.id}/versions/1/receipt.pdf",
        f"/proposals/{proposal.id}/files/{sha}",
        f"/proposals/{proposal.id}/withdraw",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/proposals/{proposal.id}/submit",
        f"/proposals/{proposal.id}/withdraw",
        f"/proposals/{proposal.id}/attachments/{proposal.attachments[0].id}/remove",
    ):
        assert client.post(url, data={"reason": "x"}).status_code == 404, url
    assert proposal.reference not in client.get("/proposals/").get_data(as_text=True)


def test_missing_csrf_is_refused(app, client, login):
    call = make_call()
    user = login(make_user("applicant"))
    proposal = make_proposal(call, user)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/proposals/{proposal.id}/submit", data=DECLARED)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(ProposalVersion.id))) == 0


def _count_queries(client, url):
    statements = []

    def _before(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", _before)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", _before)
    return len(statements)


def test_proposal_list_and_page_run_a_fixed_number_of_queries(client, login):
    call = make_call()
    user = login(make_user("applicant"))
    first = make_proposal(call, user, submit=True)
    services.add_attachment(user, first.id, "a.pdf", io.BytesIO(PDF))
    small_list = _count_queries(client, "/proposals/")
    small_page = _count_queries(client, f"/proposals/{first.id}")
    for n in range(4):
        proposal = make_proposal(call, user, submit=True)
        services.add_attachment(user, proposal.id, "b.pdf", io.BytesIO(PDF + bytes([n])))
        services.update_proposal(
            user, first.id, {"title": f"Titel {n}"}, db.session.get(Proposal, first.id).revision
        )
        services.submit_proposal(user, first.id)
        services.add_attachment(user, first.id, f"c{n}.pdf", io.BytesIO(PDF + bytes([n, n])))
    assert _count_queries(client, "/proposals/") == small_list
    assert _count_queries(client, f"/proposals/{first.id}") == small_page
