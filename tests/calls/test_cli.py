"""``flask calls ...``: create, list and remind, through the same services."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.calls.models import Call, CallPhase, CallStatus
from app.calls.services import brussels_input
from app.core.db import db
from app.core.time import utcnow
from tests.factories import make_call, make_proposal, make_user


def _calls() -> list[Call]:
    return list(db.session.scalars(sa.select(Call)))


def _create(runner, *extra, opens="2026-01-15 09:00", deadline="2027-03-31 23:59:59"):
    return runner.invoke(
        args=[
            "calls",
            "create",
            "--code",
            "ESF-ELEREN-2027",
            "--title",
            "ESF e-leren 2027",
            "--opens",
            opens,
            "--deadline",
            deadline,
            *extra,
        ]
    )


def test_create_stores_the_deadline_in_utc_and_prints_both(runner):
    result = _create(
        runner,
        "--budget",
        "2.000.000,00",
        "--max-request",
        "150000",
        "--description",
        "Oproep voor e-learningprojecten.",
    )
    assert result.exit_code == 0, result.output
    [call] = _calls()
    assert call.code == "ESF-ELEREN-2027"
    assert call.phase is CallPhase.draft
    assert call.deadline == datetime(2027, 3, 31, 21, 59, 59, tzinfo=UTC)
    assert call.opens_at == datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
    assert call.budget_eur == Decimal("2000000.00")
    assert call.max_request_eur == Decimal("150000.00")
    assert call.description == "Oproep voor e-learningprojecten."
    assert "ESF-ELEREN-2027" in result.output
    assert "31-03-2027 23:59:59 Europe/Brussels" in result.output
    assert "2027-03-31 21:59:59 UTC" in result.output
    record = db.session.scalar(sa.select(AuditRecord).where(AuditRecord.action == "call.created"))
    assert record.actor_id is None


def test_create_and_publish(runner):
    deadline = brussels_input(utcnow() + timedelta(days=60))
    result = _create(
        runner, "--publish", opens=brussels_input(utcnow() - timedelta(days=1)), deadline=deadline
    )
    assert result.exit_code == 0, result.output
    [call] = _calls()
    assert call.phase is CallPhase.published
    assert call.status is CallStatus.open
    assert "(open)" in result.output


def test_create_in_another_time_zone(runner):
    result = _create(runner, "--timezone", "UTC", deadline="2027-03-31 21:59:59")
    assert result.exit_code == 0, result.output
    assert _calls()[0].deadline == datetime(2027, 3, 31, 21, 59, 59, tzinfo=UTC)
    assert "31-03-2027 23:59:59 Europe/Brussels" in result.output


def test_a_bad_date_is_a_clear_error(runner):
    result = _create(runner, deadline="31/03/2027 23:59")
    assert result.exit_code != 0
    assert "Error: --deadline" in result.output
    assert "31/03/2027 23:59" in result.output
    assert "Traceback" not in result.output
    assert _calls() == []


def test_a_time_that_does_not_exist_in_brussels_is_a_clear_error(runner):
    result = _create(runner, deadline="2027-03-28 02:30:00")
    assert result.exit_code != 0
    assert "Error: --deadline" in result.output
    assert "does not exist in Europe/Brussels" in result.output
    assert _calls() == []


def test_a_deadline_before_the_opening_is_refused(runner):
    result = _create(runner, opens="2027-04-01 09:00", deadline="2027-03-31 23:59:59")
    assert result.exit_code != 0
    assert "Error: deadline:" in result.output
    assert _calls() == []


def test_a_code_in_use_is_refused(runner):
    make_call(code="ESF-ELEREN-2027")
    result = _create(runner)
    assert result.exit_code != 0
    assert "Error: code:" in result.output
    assert "ESF-ELEREN-2027" in result.output
    assert len(_calls()) == 1


def test_a_bad_amount_is_refused(runner):
    result = _create(runner, "--budget", "veel")
    assert result.exit_code != 0
    assert "Error: --budget" in result.output
    assert _calls() == []


def test_publishing_a_call_whose_deadline_passed_creates_nothing(runner):
    result = _create(runner, "--publish", opens="2020-01-15 09:00", deadline="2020-03-31 23:59:59")
    assert result.exit_code != 0
    assert "Error:" in result.output
    assert _calls() == []  # create and publish are one transaction


def test_list_shows_code_status_and_brussels_deadline(runner):
    assert runner.invoke(args=["calls", "list"]).output.strip() == "no calls"
    make_call(code="ESF-OPEN", deadline=datetime(2027, 3, 31, 21, 59, 59, tzinfo=UTC))
    make_call(code="ESF-CONCEPT", publish=False)
    result = runner.invoke(args=["calls", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "ESF-OPEN\topen\t31-03-2027 23:59:59 Europe/Brussels\tESF e-leren (test)" in lines
    assert any(line.startswith("ESF-CONCEPT\tdraft\t") for line in lines)


def test_remind_prints_how_many_emails_were_queued(runner):
    call = make_call(deadline=utcnow() + timedelta(hours=20))
    applicant = make_user("applicant")
    make_proposal(call, applicant, complete=False)

    result = runner.invoke(args=["calls", "remind"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 reminder email(s) queued."

    again = runner.invoke(args=["calls", "remind"])  # idempotent
    assert again.output.strip() == "0 reminder email(s) queued."
