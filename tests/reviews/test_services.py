"""The evaluation rules without HTTP: admissibility, conflicts, scoring, ranking, decisions."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.audit.models import AuditRecord
from app.core.db import db
from app.core.email import OutboxMessage
from app.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from app.core.time import brussels
from app.proposals import services as proposals
from app.reviews import facts, overview
from app.reviews.models import (
    Admissibility,
    AssignmentStatus,
    DecisionRecord,
    Outcome,
    ReviewStatus,
)
from app.reviews.rules import admissibility as admissibility_rules
from app.reviews.rules import assignment as assignment_rules
from app.reviews.rules import conflicts as conflicts_rules
from app.reviews.rules import consensus as consensus_rules
from app.reviews.rules import criteria as criteria_rules
from app.reviews.rules import decisions as decisions_rules
from app.reviews.rules import ranking as ranking_rules
from app.reviews.rules import scoring as scoring_rules
from app.reviews.rules.criteria import CriterionInput
from tests.factories import (
    allow_fewer_reviews,
    complete_fields,
    make_call,
    make_organisation,
    make_user,
)

OPEN = datetime(2021, 3, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english():
    with force_locale("en"):
        yield


def _call(**overrides):
    return make_call(
        code="ESF-2021",
        opens_at=brussels(2021, 1, 1),
        deadline=brussels(2021, 3, 31, 23, 59, 59),
        **overrides,
    )


def _submitted(call, **fields):
    user = make_user("applicant")
    organisation_id = sorted(user.organisation_ids)[0]
    proposal = proposals.create_proposal(user, call.id, organisation_id, received_at=OPEN)
    proposals.update_proposal(
        user, proposal.id, complete_fields(**fields), proposal.revision, received_at=OPEN
    )
    proposals.submit_proposal(user, proposal.id, received_at=OPEN)
    return proposal


def _criteria(call, *weights_and_thresholds):
    items = [
        CriterionInput(
            f"Criterium {i}",
            f"Criterion {i}",
            Decimal(w),
            threshold=None if t is None else Decimal(t),
        )
        for i, (w, t) in enumerate(weights_and_thresholds, start=1)
    ]
    return criteria_rules.set_criteria(None, call.id, items)


def _admit(official, *proposal_list):
    for proposal in proposal_list:
        admissibility_rules.decide_admissibility(official, proposal.id, Admissibility.admissible)


def test_default_criteria_are_a_sensible_set():
    call = _call()
    criteria = criteria_rules.set_criteria(None, call.id, criteria_rules.DEFAULT_CRITERIA)
    assert len(criteria) == 5
    assert sum(c.weight for c in criteria) == 100
    assert all(c.name_nl and c.name_en and c.guidance_nl for c in criteria)


def test_admissibility_after_the_deadline_with_a_reason_for_inadmissible():
    call = _call()
    proposal = _submitted(call)
    official = make_user("official")
    with pytest.raises(ValidationFailed):
        admissibility_rules.decide_admissibility(official, proposal.id, Admissibility.inadmissible)
    check = admissibility_rules.decide_admissibility(
        official,
        proposal.id,
        Admissibility.inadmissible,
        "Geen opleiding uit de opleidingsdatabank",
    )
    assert check.checks == {
        "on_time": True,
        "complete": True,
        "provider_type": True,
        "budget": True,
    }
    # a draft: the applicant is emailed when the results are released
    assert not db.session.scalar(
        sa.select(OutboxMessage.kind).where(OutboxMessage.kind == "proposal_inadmissible")
    )
    assert facts.admissible_proposals(call.id) == []
    with pytest.raises(PermissionDenied):
        admissibility_rules.decide_admissibility(
            make_user("evaluator"), proposal.id, Admissibility.admissible
        )


def test_admissibility_waits_for_the_deadline():
    call = make_call()
    user = make_user("applicant")
    from tests.factories import make_proposal

    proposal = make_proposal(call, user, submit=True)
    with pytest.raises(DomainError, match="after the deadline"):
        admissibility_rules.decide_admissibility(
            make_user("official"), proposal.id, Admissibility.admissible
        )


def test_auto_assignment_skips_affiliated_evaluators_and_conflicts_refill():
    call = _call()
    partner = make_organisation()
    first = _submitted(
        call,
        partners=[
            {
                "name": partner.legal_name,
                "role": "co-promotor",
                "enterprise_number": partner.enterprise_number,
            }
        ],
    )
    second = _submitted(call)
    official = make_user("official")
    _admit(official, first, second)
    evaluators = [make_user("evaluator") for _ in range(4)]
    conflicts_rules.update_profile(
        evaluators[0],
        ["vr"],
        [
            conflicts_rules.AffiliationInput(
                partner.legal_name, partner.enterprise_number, "bestuurder"
            )
        ],
    )
    result = assignment_rules.auto_assign(official, call.id)
    assert result.short == {}
    by_proposal = {}
    for assignment in result.created:
        by_proposal.setdefault(assignment.proposal_id, set()).add(assignment.evaluator_id)
    assert evaluators[0].id not in by_proposal[first.id]  # affiliated with a partner
    assert all(len(ids) == 3 for ids in by_proposal.values())
    # rerunning changes nothing
    assert assignment_rules.auto_assign(official, call.id).created == []
    # a declared conflict removes the assignment and proposes a replacement
    victim = next(a for a in result.created if a.proposal_id == second.id)
    evaluator = db.session.get(type(evaluators[0]), victim.evaluator_id)
    with pytest.raises(ValidationFailed):
        conflicts_rules.declare(evaluator, victim.id, True, "")
    conflicts_rules.declare(
        evaluator, victim.id, True, "Ik werkte vorig jaar voor deze organisatie"
    )
    assert victim.status is AssignmentStatus.conflict
    assert db.session.scalar(
        sa.select(OutboxMessage.kind).where(OutboxMessage.kind == "conflict_declared")
    )
    with pytest.raises(NotFound):
        facts.get_assignment(evaluator, victim.id)
    refill = assignment_rules.auto_assign(official, call.id)
    assert [(a.proposal_id, a.evaluator_id != evaluator.id) for a in refill.created] == [
        (second.id, True)
    ]


def test_manual_assignment_refuses_an_affiliated_evaluator():
    call = _call()
    proposal = _submitted(call)
    official = make_user("official")
    _admit(official, proposal)
    evaluator = make_user("evaluator")
    conflicts_rules.update_profile(
        evaluator,
        [],
        [
            conflicts_rules.AffiliationInput(
                proposal.organisation.legal_name, proposal.organisation.enterprise_number
            )
        ],
    )
    with pytest.raises(ValidationFailed):
        assignment_rules.assign(official, proposal.id, evaluator.id)


def _assigned(call, proposal, official, count=3):
    evaluators = [make_user("evaluator") for _ in range(count)]
    assignment_rules.auto_assign(official, call.id)
    assignments = {}
    for evaluator in evaluators:
        for assignment in facts.my_assignments(evaluator):
            if assignment.proposal_id == proposal.id:
                conflicts_rules.declare(evaluator, assignment.id, False)
                assignments[evaluator.id] = (evaluator, assignment)
    return list(assignments.values())


def test_scoring_rules_and_independence():
    call = _call()
    criteria = _criteria(call, ("60", None), ("40", None))
    proposal = _submitted(call)
    official = make_user("official")
    _admit(official, proposal)
    (a, assignment_a), (b, assignment_b), _rest = _assigned(call, proposal, official)
    # content only after the declaration: b's is made; a stranger sees nothing
    with pytest.raises(NotFound):
        scoring_rules.readable_proposal(make_user("evaluator"), assignment_a.id)
    with pytest.raises(ValidationFailed) as failed:
        scoring_rules.save_review(
            a, assignment_a.id, {criteria[0].id: ("5.5", "x"), criteria[1].id: ("3.3", "y")}
        )
    assert set(failed.value.errors) == {f"score-{criteria[0].id}", f"score-{criteria[1].id}"}
    scoring_rules.save_review(
        a, assignment_a.id, {criteria[0].id: ("4.5", ""), criteria[1].id: ("3", "Degelijk")}
    )
    with pytest.raises(ValidationFailed) as failed:
        scoring_rules.submit_review(a, assignment_a.id)
    assert set(failed.value.errors) == {f"justification-{criteria[0].id}"}
    scoring_rules.save_review(
        a,
        assignment_a.id,
        {criteria[0].id: ("4,5", "Sterk praktijkgericht"), criteria[1].id: ("3", "Degelijk")},
    )
    with pytest.raises(DomainError, match="Submit your own review first"):
        scoring_rules.other_reviews(a, assignment_a.id)
    review = scoring_rules.submit_review(a, assignment_a.id)
    assert review.status is ReviewStatus.submitted
    # 100 * (60 * 4.5/5 + 40 * 3/5) / 100 = 78
    assert facts.weighted_total(review.scores) == Decimal("78.00")
    with pytest.raises(DomainError, match="locked"):
        scoring_rules.save_review(a, assignment_a.id, {criteria[0].id: ("1", "x")})
    assert scoring_rules.other_reviews(a, assignment_a.id) == []
    scoring_rules.save_review(
        b, assignment_b.id, {criteria[0].id: ("1", "Zwak"), criteria[1].id: ("1", "Zwak")}
    )
    scoring_rules.submit_review(b, assignment_b.id)
    assert len(scoring_rules.other_reviews(a, assignment_a.id)) == 1
    [row] = overview.review_overview(official, call.id)
    assert row.totals == [Decimal("78.00"), Decimal("20.00")]
    assert row.spread == Decimal("58.00") and row.flagged
    # calibration: a is 58 points above the other, b 58 below
    evaluators, spreads = overview.calibration(official, call.id)
    assert {e.evaluator.id: e.mean_difference for e in evaluators} == {
        a.id: Decimal("58.00"),
        b.id: Decimal("-58.00"),
    }
    assert spreads[criteria[0].id] == Decimal("3.50")
    # an official reopens a review with a reason
    with pytest.raises(ValidationFailed):
        scoring_rules.reopen_review(official, review.id, " ")
    scoring_rules.reopen_review(official, review.id, "Score op criterium 1 niet gemotiveerd")
    assert review.status is ReviewStatus.draft


def test_ranking_ties_thresholds_budget_line_and_publication():
    call = _call(budget_eur=Decimal("200000.00"))
    heavy, light = _criteria(call, ("60", "2"), ("40", None))
    official = make_user("official")
    facts.settings_of(call).reserve_size = 1
    early = _submitted(call, requested_eur=Decimal("90000.00"))
    late = _submitted(call, requested_eur=Decimal("90000.00"))
    third = _submitted(call, requested_eur=Decimal("50000.00"))
    fourth = _submitted(call, requested_eur=Decimal("10000.00"))
    weak = _submitted(call, requested_eur=Decimal("10000.00"))
    _admit(official, early, late, third, fourth, weak)
    consensus = {
        early: ("4", "3"),
        late: ("4", "3"),
        third: ("3", "5"),
        fourth: ("3", "4"),
        weak: ("1.5", "5"),
    }
    allow_fewer_reviews(official, *consensus)
    for proposal, (s1, s2) in consensus.items():
        consensus_rules.record_consensus(official, proposal.id, heavy.id, s1, "Consensus")
        consensus_rules.record_consensus(
            official, proposal.id, light.id, s2, "Consensus", minority_view="Eén beoordelaar gaf 2"
        )
    rows = ranking_rules.ranking(call.id)
    # early and late tie at 72: the earlier submission wins (same criterion scores)
    # third: 60*3/5 + 40*5/5 = 76 -> first
    assert [r.proposal.id for r in rows] == [third.id, early.id, late.id, fourth.id, weak.id]
    assert [r.score for r in rows] == [
        Decimal("76.00"),
        Decimal("72.00"),
        Decimal("72.00"),
        Decimal("68.00"),
        Decimal("58.00"),
    ]
    assert [r.outcome for r in rows] == [
        Outcome.funded,
        Outcome.funded,
        Outcome.reserve,
        Outcome.rejected,
        Outcome.below_threshold,
    ]
    assert rows[1].cumulative == Decimal("140000.00")
    assert rows[4].failed  # below the heavy criterion's threshold and the total
    # the summary the ranking page and its PDF show, computed once with the rows
    assert rows.funded_total == Decimal("140000.00") and len(rows.funded) == 2
    assert rows.last_funded_id == early.id and rows.last_funded_rank == 2
    assert len(rows.ranked) == 4 and rows.complete
    ranking_rules.override_outcome(official, fourth.id, Outcome.reserve, "Regionale spreiding")
    record = decisions_rules.publish_decision(official, call.id, today=date(2021, 6, 1))
    assert record.objection_until == date(2021, 6, 16)
    assert record.number == 1 and len(record.fingerprint) == 64
    assert {row["outcome"] for row in record.data["rows"]} == {
        "funded",
        "reserve",
        "below_threshold",
    }
    assert (
        db.session.scalar(
            sa.select(sa.func.count(OutboxMessage.id)).where(
                OutboxMessage.kind == "decision_published"
            )
        )
        == 5
    )
    assert db.session.scalar(
        sa.select(AuditRecord).where(AuditRecord.action == "call.decision_published")
    )
    # a later change makes a new record; the old one stays as it was
    with pytest.raises(ValidationFailed):
        decisions_rules.publish_decision(official, call.id)
    second = decisions_rules.publish_decision(official, call.id, "Bezwaar gegrond verklaard")
    assert second.number == 2
    assert db.session.scalar(sa.select(sa.func.count(DecisionRecord.id))) == 2
    record.reason = "herschreven"
    with pytest.raises(RuntimeError, match="immutable"):
        db.session.commit()
    db.session.rollback()


def test_publication_needs_every_consensus():
    call = _call()
    _criteria(call, ("1", None))
    proposal = _submitted(call)
    official = make_user("official")
    _admit(official, proposal)
    with pytest.raises(DomainError, match="complete consensus"):
        decisions_rules.publish_decision(official, call.id)


def test_criteria_cannot_change_once_scored():
    call = _call()
    criteria = _criteria(call, ("1", None))
    proposal = _submitted(call)
    official = make_user("official")
    _admit(official, proposal)
    (evaluator, assignment), *_ = _assigned(call, proposal, official)
    scoring_rules.save_review(evaluator, assignment.id, {criteria[0].id: ("3", "Goed")})
    with pytest.raises(DomainError, match="no longer change"):
        _criteria(call, ("2", None))


def test_review_overview_and_ranking_run_a_fixed_number_of_queries():
    call = _call()
    criteria = _criteria(call, ("1", None))
    official = make_user("official")
    evaluators = [make_user("evaluator") for _ in range(3)]

    def add(count):
        for _ in range(count):
            proposal = _submitted(call)
            _admit(official, proposal)
        assignment_rules.auto_assign(official, call.id)
        for evaluator in evaluators:
            for assignment in facts.my_assignments(evaluator):
                if assignment.status is AssignmentStatus.awaiting_declaration:
                    conflicts_rules.declare(evaluator, assignment.id, False)
                if assignment.review is None:
                    scoring_rules.save_review(
                        evaluator, assignment.id, {criteria[0].id: ("3", "Goed")}
                    )
                    scoring_rules.submit_review(evaluator, assignment.id)
        for proposal in facts.admissible_proposals(call.id):
            consensus_rules.record_consensus(official, proposal.id, criteria[0].id, "3", "Eens")

    def count(function):
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            db.session.expire_all()
            function()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    add(2)
    small = (
        count(lambda: overview.review_overview(official, call.id)),
        count(lambda: ranking_rules.ranking(call.id)),
    )
    assert small == (9, 9)
    add(6)
    assert (
        count(lambda: overview.review_overview(official, call.id)),
        count(lambda: ranking_rules.ranking(call.id)),
    ) == small


def test_only_admissible_proposals_get_evaluators():
    call = _call()
    proposal = _submitted(call)
    official = make_user("official")
    evaluator = make_user("evaluator")
    with pytest.raises(DomainError, match="admissible"):
        assignment_rules.assign(official, proposal.id, evaluator.id)
    admissibility_rules.decide_admissibility(
        official, proposal.id, Admissibility.inadmissible, "Te laat"
    )
    with pytest.raises(DomainError, match="admissible"):
        assignment_rules.assign(official, proposal.id, evaluator.id)
