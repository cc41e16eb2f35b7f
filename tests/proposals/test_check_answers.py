"""Check your answers before submitting, the declaration on honour kept in the version, and
the whole-proposal PDF; and who may NOT read it."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.core.db import db
from app.proposals import services, versions
from app.proposals.models import ProposalStatus, ProposalVersion
from tests.factories import make_call, make_proposal, make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    path = tmp_path / "proposal.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_check_your_answers_shows_every_answer_with_a_change_link_per_section(client, login):
    call = make_call()
    user = login(make_user("applicant", language="en"))
    proposal = make_proposal(call, user, title="Lassen in VR", content="Theorie en praktijk.")
    services.add_attachment(user, proposal.id, "projectplan.pdf", io.BytesIO(PDF))
    client.post("/language", data={"language": "en"})
    page = client.get(f"/proposals/{proposal.id}/check").get_data(as_text=True)
    assert "Check your answers before submitting" in page
    assert "Lassen in VR" in page and "Theorie en praktijk." in page
    assert "120" in page  # expected participants
    for section in ("general", "design", "technologies", "planning", "budget", "partners"):
        assert f"/proposals/{proposal.id}/edit/{section}" in page, section
    assert f"/proposals/{proposal.id}/attachments" in page
    assert proposal.attachments[0].sha256 in page  # the attachment's fingerprint
    assert 'name="declaration"' in page
    assert "I declare on my honour" in page


def test_the_detail_page_leads_to_the_check_page_before_submitting(client, login):
    call = make_call()
    user = login(make_user("applicant"))
    proposal = make_proposal(call, user)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert f'href="/proposals/{proposal.id}/check"' in page
    assert f'action="/proposals/{proposal.id}/submit"' not in page


def test_submitting_without_ticking_the_declaration_is_refused_on_the_page(client, login):
    call = make_call()
    user = login(make_user("applicant"))
    proposal = make_proposal(call, user)
    response = client.post(f"/proposals/{proposal.id}/submit", data={})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Vink de verklaring op erewoord aan" in page
    assert 'href="#declaration"' in page
    db.session.expire_all()
    assert proposal.status is ProposalStatus.draft
    assert db.session.scalar(sa.select(sa.func.count(ProposalVersion.id))) == 0


def test_the_declaration_is_kept_in_the_version_and_covered_by_its_fingerprint(client, login):
    call = make_call()
    user = login(make_user("applicant", name="An Peeters"))
    proposal = make_proposal(call, user)
    response = client.post(f"/proposals/{proposal.id}/submit", data={"declaration": "y"})
    assert response.status_code == 302
    version = db.session.scalar(sa.select(ProposalVersion))
    assert version.fingerprint_scheme == 3
    declaration = version.declaration
    assert "op erewoord" in declaration["text"] and proposal.reference in declaration["text"]
    assert declaration["accepted_by_id"] == user.id
    assert declaration["accepted_by"] == "An Peeters"
    assert version.declared_at == version.submitted_at
    assert versions.fingerprint_matches(version)
    # the fingerprint covers the declaration: another text would not match
    db.session.expunge(version)
    version.declaration = {**declaration, "text": "Iets anders"}
    assert not versions.fingerprint_matches(version)


def test_versions_of_the_earlier_schemes_still_verify(client, login):
    """A version fingerprinted before the declaration existed (scheme 2) verifies as it was
    made: its header has no declaration."""
    call = make_call()
    user = make_user("applicant")
    proposal = make_proposal(call, user, submit=True)
    version = proposal.versions[0]
    assert version.proposal.call.code  # loaded before the copy leaves the session
    db.session.expunge(version)
    version.fingerprint_scheme = 2
    version.declaration = None
    header = versions.version_header(version)
    assert "declaration" not in header
    version.fingerprint = versions.fingerprint(header, version.data)
    assert versions.fingerprint_matches(version)


def test_the_receipt_names_the_declaration(client, login, tmp_path):
    call = make_call()
    user = login(make_user("applicant"))
    proposal = make_proposal(call, user)
    client.post(f"/proposals/{proposal.id}/submit", data={"declaration": "y"})
    receipt = client.get(f"/proposals/{proposal.id}/versions/1/receipt.pdf")
    assert "erewoord" in _pdf_text(receipt.data, tmp_path)


def test_the_whole_proposal_pdf_has_every_field_and_the_attachment_fingerprints(
    client, login, tmp_path
):
    call = make_call()
    user = login(make_user("applicant"))
    proposal = make_proposal(call, user, title="Lassen in VR", lms_follow_up="Opvolging in LMS.")
    services.add_attachment(user, proposal.id, "projectplan.pdf", io.BytesIO(PDF))
    sha = proposal.attachments[0].sha256
    response = client.get(f"/proposals/{proposal.id}/proposal.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text = _pdf_text(response.data, tmp_path)
    assert "Lassen in VR" in text and "Opvolging in LMS." in text
    assert "Werkversie, niet ingediend" in text
    assert "projectplan.pdf" in text and sha[:32] in text.replace(" ", "").replace("\n", "")
    (tmp_path / "draft.pdf").write_bytes(response.data)


def test_a_submitted_proposal_pdf_shows_the_submitted_version(client, login, tmp_path):
    call = make_call()
    user = login(make_user("applicant"))
    proposal = make_proposal(call, user, title="Ingediende titel")
    client.post(f"/proposals/{proposal.id}/submit", data={"declaration": "y"})
    services.update_proposal(user, proposal.id, {"title": "Latere werktitel"}, proposal.revision)
    text = _pdf_text(client.get(f"/proposals/{proposal.id}/proposal.pdf").data, tmp_path)
    assert "Ingediende titel" in text and "Latere werktitel" not in text
    assert "Versie 1" in text and "erewoord" in text
    working = client.get(f"/proposals/{proposal.id}/proposal.pdf?working=1").data
    assert "Latere werktitel" in _pdf_text(working, tmp_path)


def test_officials_read_the_pdf_and_leave_a_trace(client, login, tmp_path):
    call = make_call()
    proposal = make_proposal(call, make_user("applicant"), submit=True)
    official = login(make_user("official"))
    response = client.get(f"/proposals/{proposal.id}/proposal.pdf?working=1")
    assert response.status_code == 200
    assert "Versie 1" in _pdf_text(response.data, tmp_path)  # officials never get the draft
    record = db.session.scalar(
        sa.select(AuditRecord).where(AuditRecord.action == "read.proposal_pdf")
    )
    assert record.actor_id == official.id and record.entity_id == proposal.id


@pytest.mark.parametrize("who", ["anonymous", "other_organisation", "evaluator", "admin"])
def test_who_may_not_read_the_whole_proposal(client, login, who):
    call = make_call()
    proposal = make_proposal(call, make_user("applicant"), submit=True)
    if who != "anonymous":
        role = {"other_organisation": "applicant"}.get(who, who)
        login(make_user(role))
    response = client.get(f"/proposals/{proposal.id}/proposal.pdf")
    if who == "anonymous":
        assert response.status_code == 302 and "/auth/login" in response.location
    else:
        assert response.status_code == 404
    assert not response.data.startswith(b"%PDF")
