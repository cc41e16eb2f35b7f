"""Decision n+1 after an upheld objection obeys the call's "second official's approval":
with it on, one official requests the publication and a different one approves it, as for
any publication; with it off, the official publishes at once."""

from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.audit.models import AuditRecord
from app.core.db import db
from app.core.errors import DomainError, PermissionDenied
from app.reviews import facts, objections
from app.reviews.facts import settings_of
from app.reviews.models import DecisionRecord, PublicationRequest, PublicationStatus
from app.reviews.objection_models import ObjectionKind, ObjectionOutcome
from app.reviews.rules import decisions as decisions_rules
from tests import snapshots
from tests.factories import make_user
from tests.reviews.factories import CODE, reviewed_world

NOTIFIED = date(2021, 6, 1)
BASE = f"/evaluation/calls/{CODE}"


@pytest.fixture(autouse=True)
def _english():
    with force_locale("en"):
        yield


_BUILT: dict = {}  # per setting: the rows of the first build in this process


def _upheld(second_approval: bool):
    """Decision 1 published, then an objection upheld; the call's setting as given (built
    once per process and setting, then its rows written back)."""
    return snapshots.kept(_BUILT, second_approval, lambda: _build(second_approval))


def _build(second_approval: bool):
    world = reviewed_world(count=2)
    decisions_rules.publish_decision(world.official, world.call.id, today=NOTIFIED)
    settings_of(world.call).second_approval = second_approval
    db.session.commit()
    objection = objections.lodge_objection(
        world.applicants[0],
        world.proposals[0].id,
        objections.ObjectionInput(ObjectionKind.objection, "Criterium 1 is verkeerd gelezen."),
        today=NOTIFIED,
    )
    objections.answer_objection(
        world.official, objection.id, "Gegrond: score herzien.", ObjectionOutcome.upheld
    )
    return world, objection


def _records() -> int:
    return db.session.scalar(sa.select(sa.func.count(DecisionRecord.id)))


def _audit(action: str) -> list[AuditRecord]:
    return list(db.session.scalars(sa.select(AuditRecord).where(AuditRecord.action == action)))


# ---------------------------------------------------------------------------- rules


def test_with_a_second_approval_republishing_at_once_is_refused():
    world, objection = _upheld(second_approval=True)
    with pytest.raises(DomainError, match="second official"):
        objections.republish_after_objection(world.official, objection.id)
    assert _records() == 1
    assert db.session.get(type(objection), objection.id).new_decision_number is None


def test_with_a_second_approval_one_requests_and_another_approves_decision_two():
    world, objection = _upheld(second_approval=True)
    request = objections.request_republication(world.official, objection.id)
    assert request.objection_id == objection.id
    assert request.requested_by_id == world.official.id
    assert world.proposals[0].reference in request.reason
    assert "Gegrond: score herzien." in request.reason
    assert _records() == 1 and objection.new_decision_number is None
    assert objections.pending_publication(objection) == request
    with pytest.raises(DomainError, match="already waiting"):
        objections.request_republication(world.official, objection.id)

    second = make_user("official")
    record = decisions_rules.approve_publication(second, world.call.id, request.id)
    assert record.number == 2 and record.published_by_id == second.id
    assert record.reason == request.reason
    assert record.data["approval"]["requested_by_id"] == world.official.id
    assert objection.new_decision_number == 2
    assert db.session.get(PublicationRequest, request.id).status is PublicationStatus.approved
    (marked,) = _audit("proposal.objection_decision_published")
    assert marked.actor_id == second.id
    assert marked.after == {"objection_id": objection.id, "decision": 2}
    (requested,) = _audit("call.publication_requested")
    assert requested.after["objection_id"] == objection.id
    with pytest.raises(DomainError, match="already published"):
        objections.request_republication(world.official, objection.id)


def test_the_official_who_requested_cannot_approve_their_own_republication():
    world, objection = _upheld(second_approval=True)
    request = objections.request_republication(world.official, objection.id)
    with pytest.raises(PermissionDenied):
        decisions_rules.approve_publication(world.official, world.call.id, request.id)
    assert _records() == 1 and objection.new_decision_number is None
    assert _audit("proposal.objection_decision_published") == []


def test_a_declined_republication_can_be_requested_again():
    world, objection = _upheld(second_approval=True)
    request = objections.request_republication(world.official, objection.id)
    decisions_rules.withdraw_publication(make_user("official"), world.call.id, request.id)
    assert objections.pending_publication(objection) is None
    again = objections.request_republication(world.official, objection.id)
    assert again.id != request.id and again.objection_id == objection.id


def test_without_a_second_approval_the_official_publishes_decision_two_at_once():
    world, objection = _upheld(second_approval=False)
    with pytest.raises(DomainError, match="without a second official"):
        objections.request_republication(world.official, objection.id)
    record = objections.republish_after_objection(world.official, objection.id)
    assert record.number == 2 and record.published_by_id == world.official.id
    assert "approval" not in record.data
    assert objection.new_decision_number == 2
    (marked,) = _audit("proposal.objection_decision_published")
    assert marked.actor_id == world.official.id


def test_only_an_official_requests_a_republication():
    world, objection = _upheld(second_approval=True)
    for user in (world.applicants[0], make_user("evaluator"), make_user("admin")):
        with pytest.raises(PermissionDenied):
            objections.request_republication(user, objection.id)
    assert db.session.scalar(sa.select(sa.func.count(PublicationRequest.id))) == 0


# ---------------------------------------------------------------------------- pages


def _as(client, login, user, language="en"):
    client.post("/auth/logout")
    login(user)
    with client.session_transaction() as session:
        session["language"] = language


def test_over_http_the_objection_page_requests_and_a_second_official_approves(client, login):
    world, objection = _upheld(second_approval=True)
    url = f"/evaluation/objections/{objection.id}"
    _as(client, login, world.official)
    page = client.get(url).get_data(as_text=True)
    assert "Request the publication of decision 2" in page
    assert "you request the publication, and a different official approves it" in page
    response = client.post(f"{url}/republish")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "The publication of the new decision is requested." in page
    assert _records() == 1
    request = decisions_rules.pending_request(world.call.id)
    assert request.objection_id == objection.id
    page = client.get(url).get_data(as_text=True)
    assert "asked on" in page and "Go to the publication page" in page
    assert "Request the publication of decision 2" not in page
    # the requester may not approve, on the page or by posting
    publish = client.get(f"{BASE}/decision/publish").get_data(as_text=True)
    assert "You requested this publication: a different official approves it." in publish
    assert "The upheld objection this decision answers" in publish
    approve = f"{BASE}/decision/requests/{request.id}/approve"
    assert client.post(approve, data={"confirm": "y"}).status_code == 403
    assert _records() == 1
    # a second official approves
    _as(client, login, make_user("official", name="Sam Second"))
    publish = client.get(f"{BASE}/decision/publish").get_data(as_text=True)
    assert "Approve and publish" in publish
    assert client.post(approve, data={"confirm": "y"}).status_code == 302
    assert facts.latest_decision(world.call.id).number == 2
    db.session.expire_all()
    assert db.session.get(type(objection), objection.id).new_decision_number == 2
    page = client.get(url).get_data(as_text=True)
    assert "Decision 2 was published because this objection was upheld." in page


def test_over_http_without_a_second_approval_the_button_publishes(client, login):
    world, objection = _upheld(second_approval=False)
    url = f"/evaluation/objections/{objection.id}"
    _as(client, login, world.official)
    page = client.get(url).get_data(as_text=True)
    assert "Publish decision 2" in page and "Request the publication" not in page
    assert client.post(f"{url}/republish").status_code == 302
    assert facts.latest_decision(world.call.id).number == 2


def test_the_applicant_sees_nothing_of_a_pending_republication(client, login):
    world, objection = _upheld(second_approval=True)
    objections.request_republication(world.official, objection.id)
    _as(client, login, world.applicants[0])
    url = f"/evaluation/objections/{objection.id}"
    page = client.get(url).get_data(as_text=True)
    assert "publication page" not in page and "asked on" not in page
    assert client.post(f"{url}/republish").status_code == 403
    assert _records() == 1


def test_the_dutch_objection_page_asks_for_the_request_in_dutch(client, login):
    world, objection = _upheld(second_approval=True)
    _as(client, login, world.official, language="nl")
    page = client.get(f"/evaluation/objections/{objection.id}").get_data(as_text=True)
    assert "Publicatie van beslissing 2 aanvragen" in page
    objections.request_republication(world.official, objection.id)
    page = client.get(f"/evaluation/objections/{objection.id}").get_data(as_text=True)
    assert "Naar de publicatiepagina" in page
