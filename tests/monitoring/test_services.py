"""Funded projects from published decisions, who sees them, and their trainings."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.core.db import db
from app.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from app.core.time import brussels
from app.monitoring import services
from app.monitoring.models import FundedProject, ProjectStatus, ProjectTraining
from tests.factories import allow_fewer_reviews, complete_fields, make_call, make_user
from tests.monitoring.factories import add_enrolments, add_training, make_funded_project


def _decided_call():
    """A call with three submitted proposals: two admissible with a consensus (one funded
    within the budget, one on the reserve list) and one inadmissible."""
    from app.proposals import services as proposal_services
    from app.reviews.models import Admissibility
    from app.reviews.rules import admissibility as admissibility_rules
    from app.reviews.rules import consensus as consensus_rules
    from app.reviews.rules import criteria as criteria_rules

    call = make_call(
        code="MON-1",
        opens_at=brussels(2021, 1, 1),
        deadline=brussels(2021, 3, 31, 23, 59, 59),
        budget_eur=Decimal("100000.00"),
        max_request_eur=Decimal("90000.00"),
    )
    official = make_user("official")
    at = datetime(2021, 3, 1, tzinfo=UTC)
    made = []
    for _ in range(3):
        user = make_user("applicant")
        proposal = proposal_services.create_proposal(
            user, call.id, sorted(user.organisation_ids)[0], received_at=at
        )
        proposal_services.update_proposal(
            user, proposal.id, complete_fields(), proposal.revision, received_at=at
        )
        proposal_services.submit_proposal(user, proposal.id, received_at=at)
        made.append(proposal)
    [criterion] = criteria_rules.set_criteria(
        None, call.id, [criteria_rules.CriterionInput("Kwaliteit", "Quality", Decimal("1"))]
    )
    admissibility_rules.decide_admissibility(official, made[0].id, Admissibility.admissible)
    admissibility_rules.decide_admissibility(official, made[1].id, Admissibility.admissible)
    admissibility_rules.decide_admissibility(
        official, made[2].id, Admissibility.inadmissible, "Te laat"
    )
    allow_fewer_reviews(official, made[0], made[1])
    for proposal, score in ((made[0], "5"), (made[1], "4")):
        consensus_rules.record_consensus(official, proposal.id, criterion.id, score, "Eens")
    return call, official, made


def _projects():
    return {p.reference: p.status for p in db.session.scalars(sa.select(FundedProject))}


def test_publishing_a_decision_opens_a_project_per_funded_proposal():
    from app.reviews.rules import decisions as decisions_rules

    call, official, made = _decided_call()
    record = decisions_rules.publish_decision(official, call.id)
    project = db.session.scalar(sa.select(FundedProject))
    assert _projects() == {made[0].reference: ProjectStatus.active}
    assert (
        project.title,
        project.organisation_id,
        project.call_id,
        project.decision_record_id,
    ) == (made[0].title, made[0].organisation_id, call.id, record.id)
    assert (
        db.session.scalar(
            sa.select(AuditRecord.action).where(AuditRecord.entity_type == "funded_projects")
        )
        == "project.opened"
    )


def test_a_later_decision_ends_a_project_it_no_longer_funds_and_reopens_it_later():
    from app.reviews.models import Outcome
    from app.reviews.rules import decisions as decisions_rules
    from app.reviews.rules import ranking as ranking_rules

    call, official, made = _decided_call()
    decisions_rules.publish_decision(official, call.id)
    ranking_rules.override_outcome(official, made[0].id, Outcome.reserve, "Budget ingetrokken")
    ranking_rules.override_outcome(official, made[1].id, Outcome.funded, "Hogere impact")
    decisions_rules.publish_decision(official, call.id, "Herziening")
    assert _projects() == {
        made[0].reference: ProjectStatus.ended,
        made[1].reference: ProjectStatus.active,
    }
    ranking_rules.override_outcome(official, made[0].id, None, "Budget terug")
    decisions_rules.publish_decision(official, call.id, "Tweede herziening")
    assert _projects()[made[0].reference] is ProjectStatus.active
    actions = db.session.scalars(
        sa.select(AuditRecord.action)
        .where(AuditRecord.entity_type == "funded_projects")
        .order_by(AuditRecord.id)
    ).all()
    assert actions == ["project.opened", "project.opened", "project.ended", "project.reopened"]


def test_opening_projects_twice_for_one_record_changes_nothing():
    from app.reviews.rules import decisions as decisions_rules

    call, official, _made = _decided_call()
    record = decisions_rules.publish_decision(official, call.id)
    services.open_projects_for_decision(None, record)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FundedProject)) == 1
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditRecord)
            .where(AuditRecord.entity_type == "funded_projects")
        )
        == 1
    )


def test_members_see_their_projects_officials_all_others_nothing():
    mine, member = make_funded_project(title="Eigen project")
    other, _other_member = make_funded_project(title="Ander project")
    add_enrolments(mine, [{"started_on": "2026-01-05"}, {"started_on": "2026-01-06"}])
    rows, total = services.list_projects(member)
    assert total == 1 and [(r.project.id, r.enrolments) for r in rows] == [(mine.id, 2)]
    rows, total = services.list_projects(make_user("official"))
    assert total == 2
    assert services.get_project(member, mine.id) is mine
    with pytest.raises(NotFound):
        services.get_project(member, other.id)
    for role in ("evaluator", "admin"):
        with pytest.raises(NotFound):
            services.get_project(make_user(role), mine.id)
        with pytest.raises(PermissionDenied):
            services.list_projects(make_user(role))


def test_officials_filter_by_call_and_search_by_reference_in_sql():
    first, _ = make_funded_project()
    call = make_call()
    second, _ = make_funded_project(call=call)
    official = make_user("official")
    rows, total = services.list_projects(official, call_id=call.id)
    assert (total, [r.project.id for r in rows]) == (1, [second.id])
    rows, total = services.list_projects(official, search=first.reference[-4:])
    assert first.id in [r.project.id for r in rows]
    rows, total = services.list_projects(official, page=1, per_page=1)
    assert (total, len(rows)) == (2, 1)


def test_trainings_are_added_changed_and_removed_with_audit_records():
    project, member = make_funded_project()
    training = services.add_training(
        member, project.id, services.TrainingInput("LAS-01", "Lassen in VR", "blended")
    )
    with pytest.raises(ValidationFailed) as caught:
        services.add_training(member, project.id, services.TrainingInput("LAS-01", "", "web"))
    assert set(caught.value.errors) == {"code", "title", "planned_mode"}
    services.update_training(
        member,
        project.id,
        training.id,
        services.TrainingInput("LAS-02", "Lassen in VR, deel 1", "online"),
    )
    assert (training.code, training.planned_mode.value) == ("LAS-02", "online")
    services.remove_training(make_user("official"), project.id, training.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProjectTraining)) == 0
    actions = db.session.scalars(
        sa.select(AuditRecord.action)
        .where(AuditRecord.entity_type == "project_trainings")
        .order_by(AuditRecord.id)
    ).all()
    assert actions == ["training.added", "training.changed", "training.removed"]


def test_a_training_in_use_keeps_its_code_and_cannot_be_removed():
    project, member = make_funded_project()
    training = add_training(project, "T1")
    add_enrolments(project, [{"started_on": "2026-01-05", "training_code": "T1"}])
    with pytest.raises(DomainError):
        services.remove_training(member, project.id, training.id)
    with pytest.raises(ValidationFailed) as caught:
        services.update_training(
            member, project.id, training.id, services.TrainingInput("T9", "Nieuw", "online")
        )
    assert "code" in caught.value.errors
    services.update_training(
        member, project.id, training.id, services.TrainingInput("T1", "Nieuwe titel", "online")
    )
    assert training.title == "Nieuwe titel"


def test_another_organisation_cannot_touch_trainings():
    project, _member = make_funded_project()
    training = add_training(project, "T1")
    stranger = make_user("applicant")
    with pytest.raises(NotFound):
        services.add_training(stranger, project.id, services.TrainingInput("X", "X", "online"))
    with pytest.raises(NotFound):
        services.remove_training(stranger, project.id, training.id)
    assert db.session.get(ProjectTraining, training.id) is not None
