"""The proposal rules without HTTP: deadline instant, versions, eligibility, conflicts."""

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.audit.models import AuditRecord
from app.calls import services as calls
from app.core.db import db
from app.core.email import OutboxMessage
from app.core.errors import NotFound, ValidationFailed
from app.core.time import brussels, utcnow
from app.organisations.models import ProviderType
from app.proposals import access as proposal_access
from app.proposals import eligibility as proposal_eligibility
from app.proposals import reminders as proposal_reminders
from app.proposals import services
from app.proposals import versions as proposal_versions
from app.proposals.models import ProposalStatus, ProposalVersion
from tests.factories import complete_fields, make_call, make_organisation, make_proposal, make_user

DEADLINE_2021 = datetime(2021, 3, 31, 21, 59, 59, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the msgids); pages are tested in Dutch elsewhere."""
    with force_locale("en"):
        yield


@pytest.fixture
def call_2021():
    return make_call(
        code="ESF-2021", opens_at=brussels(2021, 1, 1), deadline=brussels(2021, 3, 31, 23, 59, 59)
    )


@pytest.fixture
def applicant():
    return make_user("applicant")


def _draft(call, user):
    """A complete draft written while the call was open."""
    organisation_id = sorted(user.organisation_ids)[0]
    at = datetime(2021, 3, 1, tzinfo=UTC)
    proposal = services.create_proposal(user, call.id, organisation_id, received_at=at)
    return services.update_proposal(
        user, proposal.id, complete_fields(), proposal.revision, received_at=at
    )


def test_brussels_deadline_is_2159_59_utc(call_2021):
    assert call_2021.deadline == DEADLINE_2021


def test_submit_at_the_last_microsecond_is_accepted(call_2021, applicant):
    proposal = _draft(call_2021, applicant)
    at = datetime(2021, 3, 31, 21, 59, 59, 999999, tzinfo=UTC)
    version = services.submit_proposal(applicant, proposal.id, received_at=at)
    assert version.number == 1
    assert version.submitted_at == at
    assert len(version.fingerprint) == 64


def test_submit_at_the_deadline_instant_is_refused_and_changes_nothing(call_2021, applicant):
    proposal = _draft(call_2021, applicant)
    revision = proposal.revision
    with pytest.raises(proposal_access.DeadlinePassed) as refused:
        services.submit_proposal(
            applicant, proposal.id, received_at=datetime(2021, 3, 31, 22, 0, 0, tzinfo=UTC)
        )
    assert "23:59:59" in refused.value.user_message()
    assert "00:00:00.000000" in refused.value.user_message()  # 22:00 UTC = midnight Brussels
    db.session.expire_all()
    assert proposal.status is ProposalStatus.draft
    assert proposal.revision == revision
    assert db.session.scalar(sa.select(sa.func.count(ProposalVersion.id))) == 0


def test_after_the_deadline_nothing_changes(call_2021, applicant):
    proposal = _draft(call_2021, applicant)
    services.submit_proposal(applicant, proposal.id, received_at=datetime(2021, 3, 30, tzinfo=UTC))
    late = datetime(2021, 4, 1, tzinfo=UTC)
    with pytest.raises(proposal_access.DeadlinePassed):
        services.update_proposal(
            applicant, proposal.id, {"title": "Te laat"}, proposal.revision, received_at=late
        )
    with pytest.raises(proposal_access.DeadlinePassed):
        services.add_attachment(applicant, proposal.id, "x.pdf", io.BytesIO(PDF), received_at=late)
    with pytest.raises(proposal_access.DeadlinePassed):
        services.withdraw_proposal(applicant, proposal.id, "reden", received_at=late)
    with pytest.raises(proposal_access.DeadlinePassed):
        services.create_proposal(
            applicant, call_2021.id, sorted(applicant.organisation_ids)[0], received_at=late
        )
    assert not proposal_access.is_editable(proposal, late)


def test_resubmission_makes_version_two_and_the_last_before_the_deadline_counts(
    call_2021, applicant
):
    proposal = _draft(call_2021, applicant)
    first = services.submit_proposal(
        applicant, proposal.id, received_at=datetime(2021, 3, 20, tzinfo=UTC)
    )
    services.update_proposal(
        applicant,
        proposal.id,
        {"title": "Lassen in VR, herwerkt"},
        proposal.revision,
        received_at=datetime(2021, 3, 21, tzinfo=UTC),
    )
    second = services.submit_proposal(
        applicant, proposal.id, received_at=datetime(2021, 3, 31, 21, 0, tzinfo=UTC)
    )
    assert (first.number, second.number) == (1, 2)
    assert first.fingerprint != second.fingerprint
    assert first.data["title"] == "Lassen leren met virtuele realiteit"  # frozen
    assert services.counting_version(proposal) == second
    history = proposal_versions.version_history(proposal)
    assert [change.field for change in history[1][1]] == ["title"]


def test_resubmitting_without_changes_is_refused(call_2021, applicant):
    proposal = _draft(call_2021, applicant)
    at = datetime(2021, 3, 20, tzinfo=UTC)
    services.submit_proposal(applicant, proposal.id, received_at=at)
    with pytest.raises(services.DomainError, match="Nothing has changed"):
        services.submit_proposal(applicant, proposal.id, received_at=at)


def test_versions_are_immutable(call_2021, applicant):
    proposal = _draft(call_2021, applicant)
    version = services.submit_proposal(
        applicant, proposal.id, received_at=datetime(2021, 3, 20, tzinfo=UTC)
    )
    version.fingerprint = "0" * 64
    with pytest.raises(RuntimeError, match="immutable"):
        db.session.commit()
    db.session.rollback()


def test_extension_lets_one_organisation_submit_later(call_2021, applicant):
    proposal = _draft(call_2021, applicant)
    other = make_user("applicant")
    other_proposal = _draft(call_2021, other)
    official = make_user("official")
    late = datetime(2021, 4, 1, 10, tzinfo=UTC)
    with pytest.raises(proposal_access.DeadlinePassed):
        services.submit_proposal(applicant, proposal.id, received_at=late)
    calls.grant_extension(
        official,
        call_2021.id,
        proposal.organisation_id,
        datetime(2021, 4, 2, 21, 59, 59, tzinfo=UTC),
        "Storing bij de burgerlijke stand",
    )
    version = services.submit_proposal(applicant, proposal.id, received_at=late)
    assert services.counting_version(proposal) == version
    with pytest.raises(proposal_access.DeadlinePassed):
        services.submit_proposal(other, other_proposal.id, received_at=late)
    action = db.session.scalar(
        sa.select(AuditRecord.action).where(AuditRecord.action == "call.extension_granted")
    )
    assert action == "call.extension_granted"


def test_withdrawal_needs_a_reason_and_is_final(call_2021, applicant):
    proposal = _draft(call_2021, applicant)
    at = datetime(2021, 3, 20, tzinfo=UTC)
    services.submit_proposal(applicant, proposal.id, received_at=at)
    with pytest.raises(ValidationFailed):
        services.withdraw_proposal(applicant, proposal.id, "  ", received_at=at)
    services.withdraw_proposal(applicant, proposal.id, "Project gaat niet door", received_at=at)
    assert proposal.status is ProposalStatus.withdrawn
    assert services.counting_version(proposal) is None
    with pytest.raises(services.DomainError, match="withdrawn"):
        services.submit_proposal(applicant, proposal.id, received_at=at)


def test_submission_lists_every_problem(applicant):
    call = make_call()
    proposal = make_proposal(call, applicant, complete=False)
    with pytest.raises(ValidationFailed) as failed:
        services.submit_proposal(applicant, proposal.id)
    errors = failed.value.errors
    for name in (
        "title",
        "project_type",
        "learning_objectives",
        "technologies",
        "start_date",
        "requested_eur",
        "expected_participants",
    ):
        assert name in errors


def test_confirmation_email_and_audit_on_submit(applicant):
    call = make_call()
    colleague = make_user("applicant", organisation=applicant.organisations[0])
    proposal = make_proposal(call, applicant, submit=True)
    recipients = set(
        db.session.scalars(
            sa.select(OutboxMessage.recipient).where(OutboxMessage.kind == "proposal_submitted")
        )
    )
    assert recipients == {applicant.email, colleague.email}
    assert db.session.scalar(
        sa.select(AuditRecord).where(
            AuditRecord.action == "proposal.submitted", AuditRecord.entity_id == proposal.id
        )
    )


def test_stale_revision_is_a_conflict_and_saves_nothing(applicant):
    call = make_call()
    proposal = make_proposal(call, applicant, complete=False)
    colleague = make_user("applicant", organisation=applicant.organisations[0])
    opened_at = proposal.revision
    services.update_proposal(colleague, proposal.id, {"title": "Versie van collega"}, opened_at)
    with pytest.raises(proposal_access.EditConflict) as conflict:
        services.update_proposal(applicant, proposal.id, {"title": "Mijn versie"}, opened_at)
    assert conflict.value.proposal.title == "Versie van collega"


def test_shape_rules_on_drafts(applicant):
    call = make_call()
    proposal = make_proposal(call, applicant, complete=False)
    with pytest.raises(ValidationFailed) as failed:
        services.update_proposal(
            applicant,
            proposal.id,
            {
                "requested_eur": Decimal("-1"),
                "start_date": complete_fields()["end_date"],
                "end_date": complete_fields()["start_date"],
            },
            proposal.revision,
        )
    assert set(failed.value.errors) == {"requested_eur", "end_date"}


def test_eligibility_rules(applicant):
    call = make_call(
        provider_types=["public"],
        max_request_eur=Decimal("50000.00"),
        min_own_contribution_pct=Decimal("20"),
    )
    proposal = make_proposal(
        call, applicant, requested_eur=Decimal("60000.00"), own_contribution_eur=Decimal("1000.00")
    )
    results = {rule.key: rule.passed for rule in proposal_eligibility.check_eligibility(proposal)}
    assert results == {
        "provider_type": False,
        "requested": False,
        "own_contribution": False,
        "planning": True,
        "training": True,
    }
    public = make_organisation(provider_type=ProviderType.public)
    member = make_user("applicant", organisation=public)
    ok = make_proposal(
        call, member, requested_eur=Decimal("50000.00"), own_contribution_eur=Decimal("12500.00")
    )
    assert all(rule.passed for rule in proposal_eligibility.check_eligibility(ok))


def test_attachments_pdf_only_limits_and_hash(app, applicant):
    call = make_call()
    proposal = make_proposal(call, applicant, complete=False)
    attachment = services.add_attachment(applicant, proposal.id, "../plan.pdf", io.BytesIO(PDF))
    assert attachment.filename == "plan.pdf"
    assert len(attachment.sha256) == 64
    with pytest.raises(ValidationFailed) as failed:
        services.add_attachment(applicant, proposal.id, "virus.pdf", io.BytesIO(b"MZ\x90\x00"))
    assert "not a PDF" in failed.value.errors["file"]
    app.config["PROPOSAL_MAX_ATTACHMENT_BYTES"] = 100
    try:
        with pytest.raises(ValidationFailed) as failed:
            services.add_attachment(applicant, proposal.id, "big.pdf", io.BytesIO(PDF + b"0" * 200))
        assert "larger" in failed.value.errors["file"]
    finally:
        app.config["PROPOSAL_MAX_ATTACHMENT_BYTES"] = 10 * 1024 * 1024
    app.config["PROPOSAL_MAX_ATTACHMENTS"] = 1
    try:
        with pytest.raises(ValidationFailed) as failed:
            services.add_attachment(applicant, proposal.id, "b.pdf", io.BytesIO(PDF))
        assert "at most 1" in failed.value.errors["file"]
    finally:
        app.config["PROPOSAL_MAX_ATTACHMENTS"] = 10


def test_other_organisations_do_not_see_a_proposal(applicant):
    call = make_call()
    proposal = make_proposal(call, applicant, complete=False)
    stranger = make_user("applicant")
    with pytest.raises(NotFound):
        proposal_access.get_proposal(stranger, proposal.id)
    with pytest.raises(NotFound):
        services.update_proposal(stranger, proposal.id, {"title": "x"}, proposal.revision)
    assert proposal_access.visible_proposals(stranger) == []
    assert proposal_access.visible_proposals(make_user("official")) == [proposal]


def test_reminders_seven_days_and_one_day_before_once(applicant):
    now = utcnow()
    call = make_call(deadline=now + timedelta(days=6))
    make_proposal(call, applicant, complete=False)
    submitted_org_user = make_user("applicant")
    make_proposal(call, submitted_org_user, submit=True)
    assert proposal_reminders.send_deadline_reminders(now) == 1
    assert proposal_reminders.send_deadline_reminders(now) == 0
    assert proposal_reminders.send_deadline_reminders(now + timedelta(days=5, hours=12)) == 1
    assert proposal_reminders.send_deadline_reminders(now + timedelta(days=5, hours=13)) == 0
    assert proposal_reminders.send_deadline_reminders(now + timedelta(days=7)) == 0


def test_an_unverified_account_cannot_submit():
    call = make_call()
    user = make_user("applicant", verified=False)
    proposal = make_proposal(call, user)
    with pytest.raises(services.DomainError, match="Confirm your email"):
        services.submit_proposal(user, proposal.id)
    assert proposal.status is ProposalStatus.draft


def test_references_stay_unique_when_numbers_collide(applicant):
    call = make_call(code="REF")
    first = make_proposal(call, applicant, complete=False)
    first.reference = "REF-0002"  # as if a concurrent request had taken the next number
    db.session.commit()
    second = make_proposal(call, applicant, complete=False)
    assert second.reference == "REF-0003"


def test_a_version_in_the_deadlines_last_second_counts(call_2021, applicant):
    proposal = _draft(call_2021, applicant)
    version = services.submit_proposal(
        applicant, proposal.id, received_at=datetime(2021, 3, 31, 21, 59, 59, 500000, tzinfo=UTC)
    )
    assert services.counting_version(proposal) == version
