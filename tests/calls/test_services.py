"""Call rules: local times to UTC instants, create/update checks, publish, close, extensions."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.calls import services
from app.calls.models import CallPhase, CallStatus
from app.calls.services import CallInput, InvalidLocalTime, parse_local
from app.core.db import db
from app.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from app.core.time import brussels, utcnow
from tests.factories import make_call, make_organisation, make_user


def _input(**overrides) -> CallInput:
    now = utcnow().replace(microsecond=0)
    data = {
        "code": "ESF-ELEREN-2027",
        "title": "ESF e-leren 2027",
        "opens_at": now - timedelta(days=1),
        "deadline": now + timedelta(days=60),
        "budget_eur": Decimal("2000000.00"),
        "max_request_eur": Decimal("150000.00"),
    }
    data.update(overrides)
    return CallInput(**data)


def _audit(action: str) -> list[AuditRecord]:
    return list(
        db.session.scalars(
            sa.select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.id)
        )
    )


# ------------------------------------------------------------------ parse_local


def test_31_march_2021_just_before_midnight_in_brussels_is_21_59_59_utc():
    assert parse_local("2021-03-31 23:59:59") == datetime(2021, 3, 31, 21, 59, 59, tzinfo=UTC)


def test_a_winter_date_is_one_hour_ahead_of_utc():
    assert parse_local("2027-01-15 09:00") == datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
    assert parse_local("2026-12-31 23:59:59") == datetime(2026, 12, 31, 22, 59, 59, tzinfo=UTC)


def test_the_result_is_an_aware_utc_instant():
    moment = parse_local("2027-03-31 23:59:59")
    assert moment.utcoffset() == timedelta(0)
    assert moment == brussels(2027, 3, 31, 23, 59, 59)


def test_a_time_skipped_by_summer_time_does_not_exist():
    with pytest.raises(InvalidLocalTime, match="does not exist"):
        parse_local("2027-03-28 02:30")
    # the minutes either side of the gap are fine
    assert parse_local("2027-03-28 01:59:59") == datetime(2027, 3, 28, 0, 59, 59, tzinfo=UTC)
    assert parse_local("2027-03-28 03:00") == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)


def test_a_time_that_occurs_twice_in_autumn_means_the_first():
    assert parse_local("2027-10-31 02:30") == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    ["", "morgen", "31-03-2027 23:59:59", "2027-02-30 12:00", "2027-03-31 24:00:00", "2027-03-31"],
)
def test_bad_text_is_refused(text):
    with pytest.raises(InvalidLocalTime):
        parse_local(text)


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(InvalidLocalTime, match="time zone"):
        parse_local("2027-03-31 23:59:59", "Europe/Gent")


def test_other_time_zones_are_honoured():
    assert parse_local("2027-03-31 23:59:59", "UTC") == datetime(
        2027, 3, 31, 23, 59, 59, tzinfo=UTC
    )


# ------------------------------------------------------------------ create and update


def test_an_official_creates_a_draft_with_an_audit_record():
    official = make_user("official")
    call = services.create_call(official, _input(code=" esf-eleren-2027 "))
    assert call.code == "ESF-ELEREN-2027"
    assert call.phase is CallPhase.draft
    assert call.status is CallStatus.draft
    [record] = _audit("call.created")
    assert record.actor_id == official.id
    assert record.after["code"] == "ESF-ELEREN-2027"


def test_only_officials_create_calls():
    with pytest.raises(PermissionDenied):
        services.create_call(make_user("applicant"), _input())
    with pytest.raises(PermissionDenied):
        services.create_call(make_user("admin"), _input())


def test_the_deadline_must_be_after_the_opening():
    now = utcnow()
    with pytest.raises(ValidationFailed) as caught:
        services.create_call(None, _input(opens_at=now, deadline=now))
    assert set(caught.value.errors) == {"deadline"}


def test_a_code_in_use_is_refused_whatever_its_case():
    make_call(code="ESF-1")
    with pytest.raises(ValidationFailed) as caught:
        services.create_call(None, _input(code="esf-1"))
    assert set(caught.value.errors) == {"code"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": ""}, "code"),
        ({"code": "ESF 2027"}, "code"),
        ({"title": "  "}, "title"),
        ({"budget_eur": Decimal("-1")}, "budget_eur"),
        ({"max_request_eur": Decimal("-1")}, "max_request_eur"),
        ({"budget_eur": Decimal("100"), "max_request_eur": Decimal("200")}, "max_request_eur"),
        ({"min_own_contribution_pct": Decimal("101")}, "min_own_contribution_pct"),
        ({"provider_types": []}, "provider_types"),
        ({"project_types": ["rebuild"]}, "project_types"),
        ({"technologies": []}, "technologies"),
    ],
)
def test_invalid_input_is_refused_on_its_field(overrides, field):
    with pytest.raises(ValidationFailed) as caught:
        services.create_call(None, _input(**overrides))
    assert field in caught.value.errors
    assert db.session.scalar(sa.select(sa.func.count()).select_from(sa.text("calls"))) == 0


def test_the_project_period_must_end_after_it_starts():
    from datetime import date

    with pytest.raises(ValidationFailed) as caught:
        services.create_call(
            None,
            _input(project_start_earliest=date(2028, 1, 1), project_end_latest=date(2027, 12, 31)),
        )
    assert set(caught.value.errors) == {"project_end_latest"}


def test_an_official_updates_a_call_with_before_and_after_in_the_audit():
    official = make_user("official")
    call = make_call(code="ESF-2", publish=False)
    services.update_call(official, call.id, _input(code="ESF-2", title="Nieuwe titel"))
    assert call.title == "Nieuwe titel"
    [record] = _audit("call.updated")
    assert record.before["title"] == "ESF e-leren (test)"
    assert record.after["title"] == "Nieuwe titel"


def test_a_deadline_that_has_passed_cannot_move():
    official = make_user("official")
    now = utcnow()
    call = make_call(opens_at=now - timedelta(days=40), deadline=now - timedelta(seconds=1))
    assert call.status is CallStatus.closed
    with pytest.raises(ValidationFailed) as caught:
        services.update_call(
            official,
            call.id,
            _input(code=call.code, opens_at=call.opens_at, deadline=now + timedelta(days=1)),
        )
    assert set(caught.value.errors) == {"deadline"}
    db.session.expire_all()
    assert call.deadline == now - timedelta(seconds=1)
    assert _audit("call.updated") == []


def test_an_open_calls_deadline_cannot_move_into_the_past():
    official = make_user("official")
    call = make_call()
    with pytest.raises(ValidationFailed) as caught:
        services.update_call(
            official,
            call.id,
            _input(code=call.code, opens_at=call.opens_at, deadline=utcnow() - timedelta(hours=1)),
        )
    assert "deadline" in caught.value.errors


def test_an_open_calls_deadline_can_be_postponed():
    official = make_user("official")
    call = make_call()
    later = call.deadline + timedelta(days=7)
    services.update_call(
        official, call.id, _input(code=call.code, opens_at=call.opens_at, deadline=later)
    )
    assert call.deadline == later


# ------------------------------------------------------------------ publish and close


def test_publishing_makes_a_draft_public_once():
    official = make_user("official")
    call = make_call(code="ESF-3", publish=False)
    with pytest.raises(NotFound):
        services.get_call_by_code(None, "ESF-3")
    assert call not in services.list_calls(None)

    services.publish_call(official, call.id)
    assert call.phase is CallPhase.published
    assert call.published_at is not None
    assert services.get_call_by_code(None, "esf-3") is call
    assert [r.actor_id for r in _audit("call.published")] == [official.id]

    with pytest.raises(DomainError):
        services.publish_call(official, call.id)


def test_a_call_whose_deadline_has_passed_cannot_be_published():
    now = utcnow()
    call = make_call(
        publish=False, opens_at=now - timedelta(days=2), deadline=now - timedelta(days=1)
    )
    with pytest.raises(DomainError):
        services.publish_call(make_user("official"), call.id)
    assert call.phase is CallPhase.draft


def test_only_officials_publish():
    call = make_call(publish=False)
    with pytest.raises(PermissionDenied):
        services.publish_call(make_user("applicant"), call.id)


def test_closing_early_needs_a_reason_and_is_audited():
    official = make_user("official")
    call = make_call()
    with pytest.raises(ValidationFailed) as caught:
        services.close_call(official, call.id, "  ")
    assert set(caught.value.errors) == {"reason"}
    assert call.status is CallStatus.open

    services.close_call(official, call.id, "Fout in de oproepfiche")
    assert call.closes_at == call.closed_at < call.deadline
    # closed from the next second on (a deadline's stated second is included)
    assert (
        call.status_at(call.closed_at.replace(microsecond=0) + timedelta(seconds=1))
        is CallStatus.closed
    )
    [record] = _audit("call.closed")
    assert record.reason == "Fout in de oproepfiche"


def test_only_officials_close():
    call = make_call()
    with pytest.raises(PermissionDenied):
        services.close_call(make_user("evaluator"), call.id, "waarom niet")


# ------------------------------------------------------------------ extensions


def test_an_extension_must_lie_after_the_calls_deadline():
    official = make_user("official")
    call = make_call()
    organisation = make_organisation()
    for deadline in (call.deadline, call.deadline - timedelta(seconds=1)):
        with pytest.raises(ValidationFailed) as caught:
            services.grant_extension(official, call.id, organisation.id, deadline, "Storing")
        assert set(caught.value.errors) == {"deadline"}
    assert _audit("call.extension_granted") == []


def test_an_extension_applies_to_one_organisation_and_is_audited_with_its_reason():
    official = make_user("official")
    call = make_call()
    organisation, other = make_organisation(), make_organisation()
    later = call.deadline + timedelta(days=2)
    extension = services.grant_extension(
        official, call.id, organisation.id, later, "Storing bij de indiening"
    )
    assert services.deadline_for(call, organisation.id) == later
    assert services.deadline_for(call, other.id) == call.deadline
    [record] = _audit("call.extension_granted")
    assert record.actor_id == official.id
    assert record.entity_id == extension.id
    assert record.reason == "Storing bij de indiening"
    assert record.after["organisation"] == organisation.enterprise_number

    # granting again replaces the deadline, with the old one in the audit
    services.grant_extension(
        official, call.id, organisation.id, later + timedelta(days=1), "Nog een dag"
    )
    assert services.deadline_for(call, organisation.id) == later + timedelta(days=1)
    assert _audit("call.extension_granted")[-1].before["deadline"] == later.isoformat()


def test_an_extension_needs_a_reason_and_an_organisation():
    call = make_call()
    with pytest.raises(ValidationFailed) as caught:
        services.grant_extension(
            make_user("official"), call.id, 999999, call.deadline + timedelta(days=1), ""
        )
    assert set(caught.value.errors) == {"reason", "organisation_id"}


def test_only_officials_grant_extensions():
    call = make_call()
    with pytest.raises(PermissionDenied):
        services.grant_extension(
            make_user("applicant"),
            call.id,
            make_organisation().id,
            call.deadline + timedelta(days=1),
            "Graag",
        )


def test_an_extension_survives_an_early_close():
    official = make_user("official")
    call = make_call()
    organisation = make_organisation()
    later = call.deadline + timedelta(days=1)
    services.grant_extension(official, call.id, organisation.id, later, "Storing")
    services.close_call(official, call.id, "Noodsluiting")
    assert services.deadline_for(call, organisation.id) == later
    assert services.deadline_for(call, make_organisation().id) == call.closed_at


def test_open_calls_lists_only_open_published_calls():
    now = utcnow()
    open_call = make_call()
    make_call(publish=False)
    make_call(opens_at=now + timedelta(days=1), deadline=now + timedelta(days=5))
    make_call(opens_at=now - timedelta(days=5), deadline=now - timedelta(days=1))
    assert services.open_calls() == [open_call]


def test_a_call_past_its_deadline_cannot_be_closed_early():
    now = utcnow()
    call = make_call(opens_at=now - timedelta(days=5), deadline=now - timedelta(days=1))
    with pytest.raises(DomainError):
        services.close_call(make_user("official"), call.id, "Te laat")
    assert call.closed_at is None


def test_closing_early_takes_effect_within_the_same_second():
    import time_machine

    official = make_user("official")
    call = make_call()
    moment = utcnow().replace(microsecond=400000)
    with time_machine.travel(moment, tick=False):
        services.close_call(official, call.id, "Fout in de oproeptekst")
    assert call.status_at(moment) is CallStatus.closed
    assert call.status_at(moment.replace(microsecond=900000)) is CallStatus.closed
    assert (
        call.status_at(moment.replace(microsecond=0) - timedelta(microseconds=1)) is CallStatus.open
    )
