"""No consensus or decision without the reviews the call asks for, unless an official wrote
why: the rule, the override, the decision record, the summary report, the page, the API."""

from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.audit.models import AuditRecord
from app.auth import tokens as auth_tokens
from app.core.db import db
from app.core.errors import DomainError, PermissionDenied, ValidationFailed
from app.reviews import facts, result_queries
from app.reviews.models import Admissibility, Affiliation, ConsensusScore
from app.reviews.rules import admissibility as admissibility_rules
from app.reviews.rules import conflicts as conflicts_rules
from app.reviews.rules import consensus as consensus_rules
from app.reviews.rules import decisions as decisions_rules
from app.reviews.rules import scoring as scoring_rules
from tests.factories import make_user
from tests.reviews.factories import (
    BASE,
    CODE,
    evaluation_call,
    kept_reviewed_world,
    submitted,
    weighted_criteria,
)

_BUILT: dict = {}  # per set of arguments: the rows of the first build in this process


@pytest.fixture(autouse=True)
def _english():
    with force_locale("en"):
        yield


def _reviewed(world, proposal, evaluators):
    """Each of ``evaluators`` declares and submits a review of ``proposal``."""
    for evaluator in evaluators:
        for assignment in facts.my_assignments(evaluator):
            if assignment.proposal_id != proposal.id:
                continue
            conflicts_rules.declare(evaluator, assignment.id, False)
            scoring_rules.save_review(
                evaluator, assignment.id, {c.id: ("3", "Degelijk") for c in world.criteria}
            )
            scoring_rules.submit_review(evaluator, assignment.id)


def _consensus(world, proposal):
    consensus_rules.record_consensus_set(
        world.official, proposal.id, {c.id: ("4", "Eens", "") for c in world.criteria}
    )


def test_a_consensus_with_too_few_reviews_is_refused():
    world = kept_reviewed_world(_BUILT, count=1, reviews=False, consensus=False)
    [proposal] = world.proposals
    quorum = consensus_rules.review_quorum(proposal)
    assert (quorum.submitted, quorum.required, quorum.satisfied) == (0, 3, False)
    with pytest.raises(DomainError, match="0 of the 3 submitted reviews"):
        consensus_rules.record_consensus(
            world.official, proposal.id, world.criteria[0].id, "4", "Eens"
        )
    _reviewed(world, proposal, world.evaluators[:2])
    with pytest.raises(DomainError, match="2 of the 3 submitted reviews"):
        _consensus(world, proposal)
    assert not db.session.scalars(sa.select(ConsensusScore)).all()  # the set: none written
    _reviewed(world, proposal, world.evaluators[2:])
    _consensus(world, proposal)  # 3 of 3: allowed
    assert consensus_rules.review_quorum(proposal).met


def test_a_consensus_set_reads_the_quorum_once_whatever_its_number_of_criteria(monkeypatch):
    world = kept_reviewed_world(_BUILT, count=1, reviews=False, consensus=False)
    [proposal] = world.proposals
    _reviewed(world, proposal, world.evaluators)
    assert len(world.criteria) > 1
    computed = []
    quorums = consensus_rules.review_quorums

    def counted(*args, **kwargs):
        computed.append(args)
        return quorums(*args, **kwargs)

    monkeypatch.setattr(consensus_rules, "review_quorums", counted)
    _consensus(world, proposal)
    assert len(computed) == 1
    assert len(db.session.scalars(sa.select(ConsensusScore)).all()) == len(world.criteria)


def test_fewer_eligible_evaluators_lower_the_requirement_to_all_that_could_be_assigned():
    world = kept_reviewed_world(_BUILT, count=1, reviews=False, consensus=False)
    [proposal] = world.proposals
    # The third evaluator turns out to work for the applicant: only two can evaluate.
    third = world.evaluators[2]
    db.session.add(
        Affiliation(
            user_id=third.id,
            organisation_name="Aanvrager",
            enterprise_number=proposal.organisation.enterprise_number,
        )
    )
    for assignment in facts.my_assignments(third):
        conflicts_rules.declare(third, assignment.id, True, "Ik werk er als lesgever")
    quorum = consensus_rules.review_quorum(proposal)
    assert (quorum.submitted, quorum.required) == (0, 2)
    _reviewed(world, proposal, world.evaluators[:2])
    _consensus(world, proposal)
    assert consensus_rules.review_quorum(proposal).met


def test_without_any_eligible_evaluator_one_review_or_a_reason_is_still_needed():
    call = evaluation_call()
    criteria = weighted_criteria(call, ("1", None))
    proposal, _user = submitted(call, language="en")
    official = make_user("official")
    admissibility_rules.decide_admissibility(official, proposal.id, Admissibility.admissible)
    assert consensus_rules.review_quorum(proposal).required == 1
    with pytest.raises(DomainError):
        consensus_rules.record_consensus(official, proposal.id, criteria[0].id, "4", "Eens")


def test_an_override_needs_a_reason_is_audited_and_appears_in_the_record_and_report():
    world = kept_reviewed_world(_BUILT, count=1, reviews=False, consensus=False)
    [proposal] = world.proposals
    _reviewed(world, proposal, world.evaluators[:2])
    with pytest.raises(ValidationFailed) as failed:
        consensus_rules.override_review_quorum(world.official, proposal.id, "  ")
    assert set(failed.value.errors) == {"reason"}
    with pytest.raises(PermissionDenied):  # only officials
        consensus_rules.override_review_quorum(world.evaluators[0], proposal.id, "Waarom niet")
    reason = "de derde beoordelaar viel langdurig uit en geen vervanger was vrij"
    consensus_rules.override_review_quorum(world.official, proposal.id, reason)
    audit = db.session.scalar(
        sa.select(AuditRecord).where(AuditRecord.action == "proposal.review_quorum_overridden")
    )
    assert audit.reason == reason
    _consensus(world, proposal)
    record = decisions_rules.publish_decision(world.official, world.call.id, today=date(2021, 6, 1))
    [row] = record.data["rows"]
    assert (row["reviews_submitted"], row["reviews_required"], row["review_override_reason"]) == (
        2,
        3,
        reason,
    )
    result = result_queries.published_result(proposal, "en")
    assert (result.reviews_submitted, result.reviews_required) == (2, 3)
    assert result.review_override_reason == reason


def test_no_override_when_the_reviews_are_there():
    world = kept_reviewed_world(_BUILT, count=1)
    with pytest.raises(DomainError, match="no override is needed"):
        consensus_rules.override_review_quorum(world.official, world.proposals[0].id, "Toch")


def test_publication_refuses_a_proposal_that_lost_a_review_after_its_consensus():
    world = kept_reviewed_world(_BUILT, count=2)
    first = world.proposals[0]
    review = next(
        line.review for line in result_queries.review_lines(world.official, world.call.id)[first.id]
    )
    scoring_rules.reopen_review(world.official, review.id, "Score niet gemotiveerd")
    with pytest.raises(DomainError, match=first.reference):
        decisions_rules.publish_decision(world.official, world.call.id)
    consensus_rules.override_review_quorum(
        world.official, first.id, "De beoordelaar is onbereikbaar"
    )
    record = decisions_rules.publish_decision(world.official, world.call.id)
    row = next(r for r in record.data["rows"] if r["proposal_id"] == first.id)
    assert row["reviews_submitted"] == 2


# ---------------------------------------------------------------------------- over HTTP


def test_the_consensus_page_states_the_shortfall_and_takes_a_reason(client, login):
    world = kept_reviewed_world(_BUILT, count=1, reviews=False, consensus=False)
    [proposal] = world.proposals
    login(world.official)
    with client.session_transaction() as session:
        session["language"] = "en"
    url = f"{BASE}/proposals/{proposal.id}/consensus"
    page = client.get(url).get_data(as_text=True)
    assert "0 of the 3 required reviews are submitted." in page
    assert "Decide with fewer reviews" in page
    response = client.post(f"{BASE}/proposals/{proposal.id}/review-quorum", data={"reason": ""})
    assert response.status_code == 422
    assert "Give the reason." in response.get_data(as_text=True)
    response = client.post(
        f"{BASE}/proposals/{proposal.id}/review-quorum",
        data={"reason": "Geen beoordelaars beschikbaar"},
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "goes ahead with fewer reviews because: Geen beoordelaars beschikbaar" in page


def test_the_dutch_consensus_page_states_the_shortfall_in_dutch(client, login):
    world = kept_reviewed_world(_BUILT, count=1, reviews=False, consensus=False)
    login(world.official)
    with client.session_transaction() as session:
        session["language"] = "nl"
    page = client.get(f"{BASE}/proposals/{world.proposals[0].id}/consensus").get_data(as_text=True)
    assert "0 van de 3 vereiste beoordelingen zijn ingediend." in page


def test_others_may_not_override(client, login):
    world = kept_reviewed_world(_BUILT, count=1, reviews=False, consensus=False)
    login(make_user("evaluator"))
    response = client.post(
        f"{BASE}/proposals/{world.proposals[0].id}/review-quorum", data={"reason": "Ik beslis"}
    )
    assert response.status_code == 403
    assert consensus_rules.review_quorum(world.proposals[0]).override is None


def test_the_ranking_api_gives_the_override_reason(client):
    world = kept_reviewed_world(
        _BUILT, count=1, reviews=False
    )  # the consensus went ahead with a reason
    _token, plain = auth_tokens.create_token(world.official, world.official, "test")
    body = client.get(
        f"/api/v1/calls/{CODE}/ranking", headers={"Authorization": f"Bearer {plain}"}
    ).get_json()
    [row] = body["rows"]
    assert (row["reviews_submitted"], row["reviews_required"]) == (0, 3)
    assert row["override_reason"] == "Test: decided without reviews"
