"""The time boundaries that decide what is evaluated: an individual extension's last microsecond
and its instant, for submitting, for the version that counts in the ranking, and for starting
the evaluation. (The call's own deadline, both sides, is in tests/proposals.)"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.calls import services as calls
from app.calls.models import CallPhase
from app.core.db import db
from app.core.errors import DomainError
from app.core.time import brussels
from app.proposals import access as proposal_access
from app.proposals import services as proposals
from app.proposals.models import ProposalVersion
from app.reviews import facts
from app.reviews.models import Admissibility
from app.reviews.rules import admissibility as admissibility_rules
from app.reviews.rules import consensus as consensus_rules
from app.reviews.rules import criteria as criteria_rules
from app.reviews.rules import ranking as ranking_rules
from app.reviews.rules.criteria import CriterionInput
from tests.factories import allow_fewer_reviews, complete_fields, make_call, make_user

WRITTEN = datetime(2021, 3, 1, tzinfo=UTC)
CALL_DEADLINE = datetime(2021, 3, 31, 21, 59, 59, tzinfo=UTC)  # 31 March 23:59:59 Brussels
EXTENDED = datetime(2021, 4, 2, 21, 59, 59, tzinfo=UTC)  # 2 April 23:59:59 Brussels
LAST_MICROSECOND = EXTENDED + timedelta(microseconds=999999)
INSTANT = EXTENDED + timedelta(seconds=1)  # 3 April 00:00:00.000000 Brussels


@pytest.fixture(autouse=True)
def _english():
    with force_locale("en"):
        yield


@pytest.fixture
def world():
    call = make_call(
        code="ESF-2021", opens_at=brussels(2021, 1, 1), deadline=brussels(2021, 3, 31, 23, 59, 59)
    )
    assert call.deadline == CALL_DEADLINE
    applicant = make_user("applicant")
    official = make_user("official")
    organisation_id = sorted(applicant.organisation_ids)[0]
    proposal = proposals.create_proposal(applicant, call.id, organisation_id, received_at=WRITTEN)
    proposal = proposals.update_proposal(
        applicant, proposal.id, complete_fields(), proposal.revision, received_at=WRITTEN
    )
    calls.grant_extension(official, call.id, organisation_id, EXTENDED, "Storing bij de bank")
    return call, applicant, official, proposal


def _versions() -> int:
    return db.session.scalar(sa.select(sa.func.count(ProposalVersion.id)))


def test_a_submit_in_the_last_microsecond_of_an_extension_is_the_version_ranked(world):
    call, applicant, official, proposal = world
    proposals.submit_proposal(applicant, proposal.id, received_at=datetime(2021, 3, 20, tzinfo=UTC))
    proposals.update_proposal(
        applicant,
        proposal.id,
        {"requested_eur": Decimal("80000.00")},
        proposal.revision,
        received_at=EXTENDED,
    )
    last = proposals.submit_proposal(applicant, proposal.id, received_at=LAST_MICROSECOND)
    assert last.number == 2 and last.submitted_at == LAST_MICROSECOND
    deadline = proposals.deadlines_by_organisation(call)[proposal.organisation_id]
    assert proposals.counting_version(proposal, deadline) == last
    # through admissibility and consensus into the ranking: the extended version counts
    [criterion] = criteria_rules.set_criteria(
        None, call.id, [CriterionInput("Kwaliteit", "Quality", Decimal("1"))]
    )
    admissibility_rules.decide_admissibility(official, proposal.id, Admissibility.admissible)
    allow_fewer_reviews(official, proposal)
    consensus_rules.record_consensus(official, proposal.id, criterion.id, "4", "Sterk voorstel")
    [row] = ranking_rules.ranking(call.id)
    assert row.requested == Decimal("80000.00")
    assert row.submitted_at == LAST_MICROSECOND


def test_a_submit_arriving_the_instant_an_extension_ends_is_refused_and_changes_nothing(world):
    _, applicant, _, proposal = world
    proposals.update_proposal(
        applicant,
        proposal.id,
        {"title": "Laatste versie"},
        proposal.revision,
        received_at=LAST_MICROSECOND,
    )
    revision = proposal.revision
    with pytest.raises(proposal_access.DeadlinePassed):
        proposals.submit_proposal(applicant, proposal.id, received_at=INSTANT)
    with pytest.raises(proposal_access.DeadlinePassed):
        proposals.update_proposal(
            applicant, proposal.id, {"title": "Te laat"}, revision, received_at=INSTANT
        )
    db.session.expire_all()
    assert proposal.revision == revision and proposal.title == "Laatste versie"
    assert _versions() == 0
    assert not proposal_access.is_editable(proposal, INSTANT)
    assert proposal_access.is_editable(proposal, LAST_MICROSECOND)


def test_an_extension_lets_its_organisation_start_a_proposal_to_the_last_microsecond(world):
    call, applicant, _, proposal = world
    others = make_user("applicant")
    other_organisation = sorted(others.organisation_ids)[0]
    with pytest.raises(proposal_access.DeadlinePassed):  # the call itself has closed
        proposals.create_proposal(
            others, call.id, other_organisation, received_at=CALL_DEADLINE + timedelta(seconds=1)
        )
    assert proposals.create_proposal(
        applicant, call.id, proposal.organisation_id, received_at=LAST_MICROSECOND
    )
    with pytest.raises(proposal_access.DeadlinePassed):
        proposals.create_proposal(applicant, call.id, proposal.organisation_id, received_at=INSTANT)


def test_the_evaluation_starts_at_the_instant_the_last_extension_ends(world):
    call, _, official, _ = world
    assert facts.last_deadline(call) == EXTENDED
    with pytest.raises(DomainError, match="after the deadline"):
        admissibility_rules.start_evaluation(official, call.id, now=LAST_MICROSECOND)
    assert call.phase is CallPhase.published
    admissibility_rules.start_evaluation(official, call.id, now=INSTANT)
    assert call.phase is CallPhase.evaluation
