"""Requests for explanation and objections: the window to the day, who may see them, the
official's answer and outcome, decision n+1 after an upheld objection, the pages."""

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from flask_babel import force_locale

from app.audit.models import AuditRecord
from app.core.db import db
from app.core.email import OutboxMessage
from app.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from app.reviews import facts, objections
from app.reviews.objection_models import ObjectionKind, ObjectionOutcome
from app.reviews.rules import decisions as decisions_rules
from tests import snapshots
from tests.factories import make_user
from tests.reviews.factories import CODE, ReviewedWorld, reviewed_world

NOTIFIED = date(2021, 6, 1)
LAST_DAY = date(2021, 6, 16)  # 15 calendar days after the notification
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english():
    with force_locale("en"):
        yield


def _decided() -> ReviewedWorld:
    world = reviewed_world(count=2)
    decisions_rules.publish_decision(world.official, world.call.id, today=NOTIFIED)
    return world


@pytest.fixture(scope="module")
def decided_snapshot(app):
    """The decided call built once per module (and worker)."""
    return snapshots.build_once(app, _decided)


@pytest.fixture
def decided(decided_snapshot) -> ReviewedWorld:
    return snapshots.put_back(decided_snapshot)


def _lodge(
    world,
    today,
    kind=ObjectionKind.objection,
    text="Criterium 1 is verkeerd gelezen: het praktijkluik staat op p. 4.",
    **extra,
):
    return objections.lodge_objection(
        world.applicants[0],
        world.proposals[0].id,
        objections.ObjectionInput(kind, text, **extra),
        today=today,
    )


def _outbox(kind: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.kind == kind)
    )


def test_the_last_day_of_the_window_is_allowed(decided):
    objection = _lodge(decided, LAST_DAY)
    assert objection.record.number == 1
    assert objection.kind is ObjectionKind.objection


def test_the_day_after_the_window_is_refused(decided):
    with pytest.raises(DomainError, match="ended on 16 Jun 2021"):
        _lodge(decided, date(2021, 6, 17))


def test_before_the_notification_is_refused(decided):
    with pytest.raises(DomainError):
        _lodge(decided, date(2021, 5, 31))


def test_another_organisation_gets_404(decided):
    objection = _lodge(decided, NOTIFIED)
    stranger = decided.applicants[1]  # a member of the other proposal's organisation
    with pytest.raises(NotFound):
        objections.get_objection(stranger, objection.id)
    with pytest.raises(NotFound):
        objections.lodge_objection(
            stranger,
            decided.proposals[0].id,
            objections.ObjectionInput(ObjectionKind.explanation, "Waarom?"),
            today=NOTIFIED,
        )
    with pytest.raises(NotFound):
        objections.get_objection(decided.evaluators[0], objection.id)
    assert objections.get_objection(decided.official, objection.id) is objection


def test_a_text_is_required_and_the_file_must_be_a_pdf(decided):
    with pytest.raises(ValidationFailed) as failed:
        _lodge(decided, NOTIFIED, text=" ", filename="x.pdf", stream=io.BytesIO(b"not a pdf"))
    assert set(failed.value.errors) == {"text", "file"}
    objection = _lodge(decided, NOTIFIED, filename="bewijs.pdf", stream=io.BytesIO(PDF))
    path, name = objections.objection_file(decided.official, objection.id)
    assert name == "bewijs.pdf" and Path(path).read_bytes() == PDF


def test_lodging_and_answering_are_audited_and_emailed(decided):
    objection = _lodge(decided, NOTIFIED)
    assert _outbox("objection_lodged") == 1  # the one official
    assert _outbox("objection_received") == 1  # the applicant
    with pytest.raises(PermissionDenied):
        objections.answer_objection(decided.applicants[0], objection.id, "Nee", None)
    with pytest.raises(ValidationFailed) as failed:
        objections.answer_objection(decided.official, objection.id, "", None)
    assert set(failed.value.errors) == {"answer", "outcome"}
    objections.answer_objection(
        decided.official,
        objection.id,
        "Het praktijkluik is herlezen; de score wordt 4.",
        ObjectionOutcome.upheld,
    )
    assert objection.outcome is ObjectionOutcome.upheld
    assert _outbox("objection_answered") == 1
    actions = set(db.session.scalars(sa.select(AuditRecord.action)))
    assert {"proposal.objection_lodged", "proposal.objection_answered"} <= actions
    with pytest.raises(DomainError, match="already been answered"):
        objections.answer_objection(
            decided.official, objection.id, "Toch niet", ObjectionOutcome.rejected
        )


def test_an_explanation_needs_no_outcome(decided):
    request = _lodge(decided, NOTIFIED, kind=ObjectionKind.explanation, text="Waarom 3?")
    objections.answer_objection(decided.official, request.id, "Zie de motivering.", None)
    assert request.answered and request.outcome is None


def test_an_upheld_objection_leads_to_decision_two_with_the_reason(decided):
    objection = _lodge(decided, NOTIFIED)
    with pytest.raises(DomainError, match="upheld"):
        objections.republish_after_objection(decided.official, objection.id)
    objections.answer_objection(
        decided.official, objection.id, "Gegrond: score herzien.", ObjectionOutcome.upheld
    )
    record = objections.republish_after_objection(decided.official, objection.id)
    assert record.number == 2
    assert decided.proposals[0].reference in record.reason
    assert "Gegrond: score herzien." in record.reason
    assert objection.new_decision_number == 2
    with pytest.raises(DomainError, match="already published"):
        objections.republish_after_objection(decided.official, objection.id)


def test_the_queue_lists_open_ones_first_with_the_days_left(decided):
    first = _lodge(decided, NOTIFIED)
    second = _lodge(decided, NOTIFIED, kind=ObjectionKind.explanation, text="Uitleg graag")
    objections.answer_objection(decided.official, first.id, "Ongegrond.", ObjectionOutcome.rejected)
    rows = objections.objection_queue(decided.official, decided.call.id, today=date(2021, 6, 10))
    assert [r.objection.id for r in rows] == [second.id, first.id]
    assert rows[0].days_left == 6
    with pytest.raises(PermissionDenied):
        objections.objection_queue(decided.applicants[0], decided.call.id)


# ---------------------------------------------------------------------------- over HTTP


def _language(client, language):
    with client.session_transaction() as session:
        session["language"] = language


def test_a_member_lodges_and_an_official_answers_in_the_portal(client, login, decided):
    proposal = decided.proposals[0]
    with time_machine.travel(datetime(2021, 6, 16, 20, 0, tzinfo=UTC), tick=False):  # 22:00
        login(decided.applicants[0])
        _language(client, "en")
        page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
        assert "Ask for an explanation or object" in page
        url = f"/evaluation/proposals/{proposal.id}/objections/new"
        assert client.get(url).status_code == 200
        response = client.post(url, data={"kind": "objection", "text": ""})
        assert response.status_code == 422
        assert "Write your request or objection." in response.get_data(as_text=True)
        response = client.post(
            url,
            data={
                "kind": "objection",
                "text": "Het praktijkluik staat op p. 4.",
                "file": (io.BytesIO(PDF), "bewijs.pdf"),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        objection_url = response.headers["Location"]
        assert client.get(objection_url).status_code == 200
        assert client.get(f"{objection_url}/file").data == PDF
        # another organisation's member: 404
        client.post("/auth/logout")
        login(decided.applicants[1])
        assert client.get(objection_url).status_code == 404
        assert client.get(f"{objection_url}/file").status_code == 404
        assert client.get(url).status_code == 404
        client.post("/auth/logout")
        login(decided.official)
        _language(client, "en")
        queue = client.get(f"/evaluation/calls/{CODE}/objections").get_data(as_text=True)
        assert proposal.reference in queue and "today is the last day" in queue
        response = client.post(f"{objection_url}/answer", data={"answer": "Herzien."})
        assert response.status_code == 422
        assert "Say whether the objection is upheld or rejected." in response.get_data(as_text=True)
        response = client.post(
            f"{objection_url}/answer", data={"answer": "Herzien.", "outcome": "upheld"}
        )
        assert response.status_code == 302
        response = client.post(f"{objection_url}/republish")
        assert response.status_code == 302
    assert facts.latest_decision(decided.call.id).number == 2


def test_after_the_window_the_page_says_so_and_refuses(client, login, decided):
    proposal = decided.proposals[0]
    with time_machine.travel(datetime(2021, 6, 16, 22, 0, tzinfo=UTC), tick=False):  # 17 June
        login(decided.applicants[0])
        _language(client, "nl")
        url = f"/evaluation/proposals/{proposal.id}/objections/new"
        page = client.get(url).get_data(as_text=True)
        assert "16-06-2021" in page and "<textarea" not in page
        response = client.post(url, data={"kind": "objection", "text": "Te laat"})
        assert response.status_code == 422
    assert objections.objections_of(decided.official, proposal) == []


def test_the_dutch_queue_has_no_english(client, login, decided):
    _lodge(decided, NOTIFIED)
    login(decided.official)
    _language(client, "nl")
    page = client.get(f"/evaluation/calls/{CODE}/objections").get_data(as_text=True)
    assert "Bezwaar" in page
    for english in ("Objection", "Lodged", "Waiting for an answer", "days left"):
        assert english not in page


def test_evaluators_and_applicants_may_not_open_the_queue(client, login, decided):
    login(make_user("evaluator"))
    assert client.get(f"/evaluation/calls/{CODE}/objections").status_code == 403


def test_a_rejected_objection_reads_ongegrond_in_dutch(client, login, decided):
    """Not the decision's "Afgekeurd": an objection is upheld or not (gegrond, ongegrond)."""
    objection = _lodge(decided, NOTIFIED)
    login(decided.official)
    _language(client, "nl")
    form = client.get(f"/evaluation/objections/{objection.id}").get_data(as_text=True)
    assert "Gegrond" in form and "Ongegrond" in form and "Afgekeurd" not in form
    objections.answer_objection(
        decided.official, objection.id, "De score blijft.", ObjectionOutcome.rejected
    )
    page = client.get(f"/evaluation/objections/{objection.id}").get_data(as_text=True)
    queue = client.get(f"/evaluation/calls/{CODE}/objections").get_data(as_text=True)
    assert "Ongegrond" in page and "Afgekeurd" not in page
    assert "Beantwoord: ongegrond" in queue
