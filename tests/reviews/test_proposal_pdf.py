"""The whole proposal (PDF) for the evaluators assigned to it, after their declaration; and
who may NOT read it (an unassigned evaluator, one who has not declared yet)."""

import io
import shutil
import subprocess
from datetime import UTC, datetime

import pytest

from app.core.time import brussels
from app.proposals import services as proposals
from app.reviews.models import Admissibility
from app.reviews.rules import admissibility as admissibility_rules
from app.reviews.rules import assignment as assignment_rules
from app.reviews.rules import conflicts as conflicts_rules
from tests.factories import complete_fields, make_call, make_user

OPEN = datetime(2021, 3, 1, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def assigned():
    call = make_call(
        code="ESF-2021", opens_at=brussels(2021, 1, 1), deadline=brussels(2021, 3, 31, 23, 59, 59)
    )
    applicant = make_user("applicant")
    organisation_id = sorted(applicant.organisation_ids)[0]
    proposal = proposals.create_proposal(applicant, call.id, organisation_id, received_at=OPEN)
    proposals.update_proposal(
        applicant,
        proposal.id,
        complete_fields(title="Lassen met VR"),
        proposal.revision,
        received_at=OPEN,
    )
    proposals.add_attachment(applicant, proposal.id, "plan.pdf", io.BytesIO(PDF), received_at=OPEN)
    proposals.submit_proposal(applicant, proposal.id, received_at=OPEN)
    official = make_user("official")
    admissibility_rules.decide_admissibility(official, proposal.id, Admissibility.admissible)
    evaluator, stranger = make_user("evaluator"), make_user("evaluator")
    assignment = assignment_rules.assign(official, proposal.id, evaluator.id)
    return proposal, evaluator, stranger, assignment


def test_the_assigned_evaluator_reads_the_evaluated_version_after_declaring(
    client, login, assigned, tmp_path
):
    proposal, evaluator, _stranger, assignment = assigned
    login(evaluator)
    url = f"/evaluation/assignments/{assignment.id}/proposal.pdf"
    assert client.get(url).status_code == 404  # not before the declaration
    conflicts_rules.declare(evaluator, assignment.id, False)
    response = client.get(url)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        path = tmp_path / "p.pdf"
        path.write_bytes(response.data)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Lassen met VR" in text and "plan.pdf" in text
        assert proposal.attachments[0].sha256[:20] in text.replace("\n", "")
    page = client.get(f"/evaluation/assignments/{assignment.id}").get_data(as_text=True)
    assert url in page


def test_an_unassigned_evaluator_reads_nothing(client, login, assigned):
    proposal, evaluator, stranger, assignment = assigned
    conflicts_rules.declare(evaluator, assignment.id, False)
    login(stranger)
    assert client.get(f"/evaluation/assignments/{assignment.id}/proposal.pdf").status_code == 404
    assert client.get(f"/proposals/{proposal.id}/proposal.pdf").status_code == 404


def test_the_assigned_evaluator_has_no_other_way_in(client, login, assigned):
    """Only through the assignment: the applicants' address stays closed to evaluators."""
    proposal, evaluator, _stranger, assignment = assigned
    conflicts_rules.declare(evaluator, assignment.id, False)
    login(evaluator)
    assert client.get(f"/proposals/{proposal.id}/proposal.pdf").status_code == 404
