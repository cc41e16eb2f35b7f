"""Reading a confidential document (a proposal's attachment, the evaluation summary report,
the ranking export, a decision record) by anyone but the owner-applicant is audited, and the
officials see it in the audit log."""

import pytest
import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.core.db import db
from app.proposals import storage as proposal_storage
from app.reviews.models import Admissibility
from app.reviews.rules import admissibility as admissibility_rules
from app.reviews.rules import assignment as assignment_rules
from app.reviews.rules import conflicts as conflicts_rules
from app.reviews.rules import decisions as decisions_rules
from app.reviews.rules import scoring as scoring_rules
from tests.factories import make_user
from tests.reviews.test_evaluator_views import _call as evaluator_call
from tests.reviews.test_evaluator_views import _submitted
from tests.reviews.test_official_views import BASE, _world


def _reads(action: str | None = None) -> list[AuditRecord]:
    query = sa.select(AuditRecord).where(AuditRecord.action.startswith("read."))
    if action:
        query = query.where(AuditRecord.action == action)
    return list(db.session.scalars(query.order_by(AuditRecord.id)))


@pytest.fixture
def decided():
    world = _world(count=2)
    decisions_rules.publish_decision(world.official, world.call.id)
    return world


def test_an_official_downloading_an_attachment_is_audited_the_owner_is_not(client, login):
    call = evaluator_call()
    proposal = _submitted(call, attachment=True)
    sha = proposal.attachments[0].sha256
    owner = db.session.get(type(proposal), proposal.id).versions[0].submitted_by
    official = _official()

    login(owner)
    assert client.get(f"/proposals/{proposal.id}/files/{sha}").status_code == 200
    assert _reads() == []

    client.post("/auth/logout")
    login(official)
    assert client.get(f"/proposals/{proposal.id}/files/{sha}").status_code == 200
    [read] = _reads("read.attachment")
    assert read.actor_id == official.id
    assert (read.entity_type, read.entity_id) == ("proposals", proposal.id)
    assert read.after["sha256"] == sha and read.after["filename"] == "projectplan.pdf"
    assert read.after["reference"] == proposal.reference
    assert read.at is not None


def _official():
    return make_user("official", language="en")


def test_an_evaluator_downloading_an_attachment_is_audited():
    call = evaluator_call()
    proposal = _submitted(call, attachment=True)
    official = _official()
    admissibility_rules.decide_admissibility(official, proposal.id, Admissibility.admissible)
    evaluator = make_user("evaluator")
    [assignment] = [assignment_rules.assign(official, proposal.id, evaluator.id)]
    conflicts_rules.declare(evaluator, assignment.id, False)
    sha = proposal.attachments[0].sha256
    scoring_rules.evaluator_attachment(evaluator, assignment.id, sha)
    [read] = _reads("read.attachment")
    assert read.actor_id == evaluator.id and read.entity_id == proposal.id
    assert read.after["version"] == 1


def test_the_summary_report_the_ranking_export_and_the_decision_record(client, login, decided):
    proposal, applicant = decided.proposals[0], decided.applicants[0]
    login(applicant)
    assert client.get(f"/evaluation/summary/{proposal.id}.pdf").status_code == 200
    assert _reads() == []  # the owner reading their own report

    client.post("/auth/logout")
    login(decided.official)
    assert client.get(f"/evaluation/summary/{proposal.id}.pdf").status_code == 200
    assert client.get(f"{BASE}/ranking.csv").status_code == 200
    assert client.get(f"{BASE}/decisions/1.json").status_code == 200
    actions = [(r.action, r.actor_id) for r in _reads()]
    assert actions == [
        ("read.summary_report", decided.official.id),
        ("read.ranking_export", decided.official.id),
        ("read.decision_record", decided.official.id),
    ]
    assert _reads("read.ranking_export")[0].after == {"call": decided.call.code, "format": "csv"}

    page = client.get("/audit/", query_string={"action": "read."}).get_data(as_text=True)
    for action in ("read.summary_report", "read.ranking_export", "read.decision_record"):
        assert action in page
    assert decided.official.email in page


def test_a_refused_read_leaves_no_record(client, login, decided):
    """A stranger gets 404 and nothing is recorded as read."""
    login(make_user("applicant"))
    proposal = decided.proposals[0]
    assert client.get(f"/evaluation/summary/{proposal.id}.pdf").status_code == 404
    assert client.get(f"/proposals/{proposal.id}/files/{'0' * 64}").status_code == 404
    assert _reads() == []


def test_reading_an_attachment_keeps_the_chain_intact(runner):
    call = evaluator_call()
    proposal = _submitted(call, attachment=True)
    official = _official()
    proposal_storage.attachment_file(official, proposal.id, proposal.attachments[0].sha256)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
