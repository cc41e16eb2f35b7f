"""Publishing a decision: the preview (outcomes, funded total, recipients, one letter), the
explicit confirmation, and a second official's approval when the call wants it."""

from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.audit.models import AuditRecord
from app.core.db import db
from app.core.email import OutboxMessage
from app.core.errors import DomainError, NotFound, PermissionDenied
from app.reviews.facts import settings_of
from app.reviews.models import DecisionRecord, PublicationRequest, PublicationStatus
from app.reviews.rules import consensus as consensus_rules
from app.reviews.rules import decisions as decisions_rules
from tests.factories import make_user
from tests.reviews.factories import ranked_world

BASE = "/evaluation/calls/ESF-2021"


@pytest.fixture(autouse=True)
def _english():
    with force_locale("en"):
        yield


def _decision_emails() -> int:
    return db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.kind == "decision_published")
    )


def _records() -> int:
    return db.session.scalar(sa.select(sa.func.count(DecisionRecord.id)))


def _second_approval(world) -> None:
    settings_of(world.call).second_approval = True
    db.session.commit()


# ---------------------------------------------------------------------------- rules


def test_the_preview_shows_outcomes_funded_total_recipients_and_a_letter():
    world = ranked_world(3, languages=("en", "nl", "nl"))
    make_user("applicant", organisation=world.proposals[0].organisation)  # a second member
    preview = decisions_rules.publication_preview(world.official, world.call.id)
    assert preview.counts == {"funded": 2, "reserve": 1}
    assert preview.funded_total == Decimal("180000.00")
    assert preview.recipients == 4
    assert preview.letter["subject"] == f"Decision on your proposal {world.proposals[0].reference}"
    assert preview.letter["language"] == "en"
    assert "You can ask for an explanation or object until" in preview.letter["body"]
    assert not preview.republish and not preview.second_approval
    assert _decision_emails() == 0 and _records() == 0


def test_publishing_refuses_a_ranking_that_changed_since_the_preview():
    world = ranked_world(2)
    seen = decisions_rules.publication_preview(world.official, world.call.id).fingerprint
    consensus_rules.record_consensus(
        world.official, world.proposals[0].id, world.criteria[1].id, "2", "Herzien."
    )
    with pytest.raises(DomainError, match="changed since the preview"):
        decisions_rules.publish_decision(world.official, world.call.id, expected=seen)
    assert _records() == 0 and _decision_emails() == 0
    fresh = decisions_rules.publication_preview(world.official, world.call.id).fingerprint
    decisions_rules.publish_decision(world.official, world.call.id, expected=fresh)
    assert _records() == 1 and _decision_emails() == 2


def test_with_a_second_approval_one_official_requests_and_another_approves():
    world = ranked_world(2)
    _second_approval(world)
    seen = decisions_rules.publication_preview(world.official, world.call.id).fingerprint
    with pytest.raises(DomainError, match="second official"):
        decisions_rules.publish_decision(world.official, world.call.id, expected=seen)
    request = decisions_rules.request_publication(world.official, world.call.id, seen)
    assert _records() == 0 and _decision_emails() == 0
    with pytest.raises(DomainError, match="already waiting"):
        decisions_rules.request_publication(world.official, world.call.id, seen)
    with pytest.raises(PermissionDenied):
        decisions_rules.approve_publication(world.official, world.call.id, request.id)
    assert _records() == 0
    second = make_user("official")
    record = decisions_rules.approve_publication(second, world.call.id, request.id)
    assert record.published_by_id == second.id
    assert record.data["approval"]["requested_by_id"] == world.official.id
    assert _decision_emails() == 2
    assert db.session.get(PublicationRequest, request.id).status is PublicationStatus.approved
    actions = set(db.session.scalars(sa.select(AuditRecord.action)))
    assert {"call.publication_requested", "call.publication_approved"} <= actions
    with pytest.raises(DomainError, match="already approved"):
        decisions_rules.approve_publication(make_user("official"), world.call.id, request.id)


def test_an_approval_refuses_a_ranking_changed_since_the_request():
    world = ranked_world(2)
    _second_approval(world)
    seen = decisions_rules.publication_preview(world.official, world.call.id).fingerprint
    request = decisions_rules.request_publication(world.official, world.call.id, seen)
    consensus_rules.record_consensus(
        world.official, world.proposals[0].id, world.criteria[1].id, "2", "Herzien."
    )
    with pytest.raises(DomainError, match="changed since the preview"):
        decisions_rules.approve_publication(make_user("official"), world.call.id, request.id)
    decisions_rules.withdraw_publication(world.official, world.call.id, request.id)
    assert decisions_rules.pending_request(world.call.id) is None
    assert _records() == 0


def test_no_one_but_an_official_previews_requests_or_approves():
    world = ranked_world(1)
    _second_approval(world)
    seen = decisions_rules.publication_preview(world.official, world.call.id).fingerprint
    request = decisions_rules.request_publication(world.official, world.call.id, seen)
    for role in ("applicant", "evaluator"):
        user = make_user(role)
        with pytest.raises(PermissionDenied):
            decisions_rules.publication_preview(user, world.call.id)
        with pytest.raises(PermissionDenied):
            decisions_rules.request_publication(user, world.call.id, seen)
        with pytest.raises(PermissionDenied):
            decisions_rules.approve_publication(user, world.call.id, request.id)
    with pytest.raises(NotFound):
        decisions_rules.approve_publication(make_user("official"), world.call.id, request.id + 1)


# ---------------------------------------------------------------------------- pages


@pytest.fixture
def as_user(client, login):
    def _as(user):
        login(user)
        with client.session_transaction() as session:
            session["language"] = "en"

    return _as


def test_the_ranking_links_to_the_preview_which_asks_for_confirmation(client, as_user):
    world = ranked_world(2)
    as_user(world.official)
    ranking = client.get(f"{BASE}/ranking").get_data(as_text=True)
    assert f"{BASE}/decision/publish" in ranking
    page = client.get(f"{BASE}/decision/publish").get_data(as_text=True)
    assert "What will be published" in page
    assert "€ 180.000,00" in page or "€180,000.00" in page
    assert "2 recipients" in page
    assert "Preview of one letter" in page
    seen = decisions_rules.publication_preview(world.official, world.call.id).fingerprint
    response = client.post(f"{BASE}/ranking/publish", data={"fingerprint": seen})
    assert response.status_code == 422
    assert "Tick the box to confirm the publication." in response.get_data(as_text=True)
    assert _records() == 0
    response = client.post(f"{BASE}/ranking/publish", data={"fingerprint": seen, "confirm": "y"})
    assert response.status_code == 302
    assert _records() == 1 and _decision_emails() == 2


def test_the_requester_cannot_approve_on_the_page_another_official_can(client, as_user):
    world = ranked_world(2)
    _second_approval(world)
    as_user(world.official)
    seen = decisions_rules.publication_preview(world.official, world.call.id).fingerprint
    response = client.post(f"{BASE}/ranking/publish", data={"fingerprint": seen, "confirm": "y"})
    assert response.status_code == 302
    assert _records() == 0
    request = decisions_rules.pending_request(world.call.id)
    page = client.get(f"{BASE}/decision/publish").get_data(as_text=True)
    assert "You requested this publication: a different official approves it." in page
    assert "Approve and publish" not in page
    approve = f"{BASE}/decision/requests/{request.id}/approve"
    assert client.post(approve, data={"confirm": "y"}).status_code == 403
    assert _records() == 0
    client.post("/auth/logout")
    second = make_user("official", name="Sam Second")
    as_user(second)
    page = client.get(f"{BASE}/decision/publish").get_data(as_text=True)
    assert "Approve the publication" in page and "Approve and publish" in page
    assert client.post(approve, data={}).status_code == 422
    response = client.post(approve, data={"confirm": "y"})
    assert response.status_code == 302
    assert _records() == 1 and _decision_emails() == 2


@pytest.mark.parametrize("role", ["applicant", "evaluator"])
def test_applicants_and_evaluators_may_not_preview_publish_or_approve(client, login, role):
    world = ranked_world(1)
    _second_approval(world)
    seen = decisions_rules.publication_preview(world.official, world.call.id).fingerprint
    request = decisions_rules.request_publication(world.official, world.call.id, seen)
    login(world.applicants[0] if role == "applicant" else make_user(role))
    assert client.get(f"{BASE}/decision/publish").status_code == 403
    response = client.post(f"{BASE}/ranking/publish", data={"fingerprint": seen, "confirm": "y"})
    assert response.status_code == 403
    for action in ("approve", "withdraw"):
        url = f"{BASE}/decision/requests/{request.id}/{action}"
        assert client.post(url, data={"confirm": "y"}).status_code == 403
    assert _records() == 0


def test_the_evaluation_settings_switch_the_second_approval_on(client, as_user):
    world = ranked_world(1)
    as_user(world.official)
    page = client.get(f"{BASE}/criteria").get_data(as_text=True)
    assert "Publishing a decision needs a second official" in page
    response = client.post(
        f"{BASE}/settings",
        data={
            "reviews_per_proposal": "3",
            "total_threshold": "60",
            "disagreement_spread": "20",
            "reserve_size": "5",
            "objection_days": "15",
            "second_approval": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert settings_of(world.call).second_approval is True
    record = db.session.scalar(
        sa.select(AuditRecord).where(AuditRecord.action == "call.evaluation_settings_updated")
    )
    assert record.after["second_approval"] is True
