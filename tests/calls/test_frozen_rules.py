"""The rules submitted proposals are judged against are frozen at the deadline: a later
change needs a reason, is audited and shows on the call's page; so does bringing an open
deadline forward."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.calls import services as calls
from app.calls.models import Call
from app.core.db import db
from app.core.errors import ValidationFailed
from app.core.time import format_brussels, to_brussels, utcnow
from app.proposals import eligibility as proposal_eligibility
from tests.factories import make_call, make_proposal, make_user


def _input(call: Call, **changes) -> calls.CallInput:
    data = calls.CallInput(
        code=call.code,
        title=call.title,
        opens_at=call.opens_at,
        deadline=call.deadline,
        description=call.description,
        budget_eur=call.budget_eur,
        max_request_eur=call.max_request_eur,
        min_own_contribution_pct=call.min_own_contribution_pct,
        project_start_earliest=call.project_start_earliest,
        project_end_latest=call.project_end_latest,
        provider_types=list(call.provider_types),
        project_types=list(call.project_types),
        technologies=list(call.technologies),
    )
    return replace(data, **changes)


def _past_deadline(call: Call) -> Call:
    db.session.execute(
        sa.update(Call).where(Call.id == call.id).values(deadline=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    db.session.expire_all()
    return db.session.get(Call, call.id)


def _local(moment) -> str:
    return to_brussels(moment).strftime("%Y-%m-%d %H:%M:%S")


def _actions(call: Call) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditRecord.action)
            .where(AuditRecord.entity_type == "calls", AuditRecord.entity_id == call.id)
            .order_by(AuditRecord.id)
        )
    )


@pytest.fixture
def closed_call_with_fifteen_proposals():
    call = make_call(max_request_eur=Decimal("150000.00"))
    submitted = []
    for _ in range(15):
        applicant = make_user("applicant")
        submitted.append(
            make_proposal(call, applicant, submit=True, requested_eur=Decimal("90000.00"))
        )
    return _past_deadline(call), submitted


def test_cutting_the_maximum_after_the_deadline_without_a_reason_is_refused(
    closed_call_with_fifteen_proposals,
):
    call, submitted = closed_call_with_fifteen_proposals
    official = make_user("official")

    with pytest.raises(ValidationFailed) as refused:
        calls.update_call(official, call.id, _input(call, max_request_eur=Decimal("50000")))

    assert "reden" in refused.value.errors["change_reason"]
    db.session.expire_all()
    assert db.session.get(Call, call.id).max_request_eur == Decimal("150000.00")
    for proposal in submitted:  # all fifteen still meet the call's rules
        assert all(rule.passed for rule in proposal_eligibility.check_eligibility(proposal))
    assert "call.rules_changed_after_deadline" not in _actions(call)


def test_with_a_reason_the_change_is_audited_and_shown_on_the_call(
    client, closed_call_with_fifteen_proposals
):
    call, _submitted = closed_call_with_fifteen_proposals
    official = make_user("official")
    reason = "Beslissing van de minister van 2 april: het budget werd verlaagd."

    calls.update_call(
        official,
        call.id,
        _input(call, max_request_eur=Decimal("50000"), title="Nieuwe titel", change_reason=reason),
    )

    record = db.session.scalar(
        sa.select(AuditRecord).where(AuditRecord.action == "call.rules_changed_after_deadline")
    )
    assert record.reason == reason and record.actor_id == official.id
    assert record.before == {"max_request_eur": "150000.00"}
    assert record.after == {"max_request_eur": "50000.00"}
    [change] = calls.rule_changes(call)
    assert change.rules == ("max_request_eur",)
    page = client.get(f"/calls/{call.code}").get_data(as_text=True)
    assert reason in page and "Maximum per proposal" not in page  # Dutch by default
    assert "Maximum per projectvoorstel" in page and "Wijzigingen na de bekendmaking" in page
    assert format_brussels(record.at) in page


def test_other_fields_change_after_the_deadline_without_a_reason():
    call = _past_deadline(make_call())
    official = make_user("official")
    calls.update_call(
        official, call.id, _input(call, title="Betere titel", description="Verduidelijking.")
    )
    assert _actions(call)[-1] == "call.updated"
    assert calls.rule_changes(call) == []


def test_before_the_deadline_rules_change_without_a_reason():
    call = make_call()
    official = make_user("official")
    calls.update_call(official, call.id, _input(call, max_request_eur=Decimal("50000")))
    assert not calls.rules_frozen(call)
    assert calls.rule_changes(call) == []


def test_bringing_an_open_deadline_forward_needs_a_reason():
    call = make_call()
    official = make_user("official")
    earlier = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    with pytest.raises(ValidationFailed) as refused:
        calls.update_call(official, call.id, _input(call, deadline=earlier))
    assert "change_reason" in refused.value.errors

    old = call.deadline
    calls.update_call(
        official, call.id, _input(call, deadline=earlier, change_reason="Fout in de aankondiging.")
    )
    [change] = calls.rule_changes(call)
    assert change.kind == "deadline" and change.reason == "Fout in de aankondiging."
    assert (change.old_deadline, change.new_deadline) == (old, earlier)
    # A later deadline needs no reason.
    calls.update_call(official, call.id, _input(call, deadline=earlier + timedelta(days=9)))
    assert len(calls.rule_changes(call)) == 1


def test_the_edit_page_refuses_without_a_reason_and_keeps_the_input(client, login):
    call = _past_deadline(make_call(code="ESF-VAST"))
    login(make_user("official"))
    page = client.get("/calls/ESF-VAST/edit").get_data(as_text=True)
    assert 'name="change_reason"' in page
    form = {
        "code": "ESF-VAST",
        "title": call.title,
        "description": call.description,
        "opens_at": _local(call.opens_at),
        "deadline": _local(call.deadline),
        "budget_eur": "1000000",
        "max_request_eur": "43210",
        "min_own_contribution_pct": "10",
        "provider_types": list(call.provider_types),
        "project_types": list(call.project_types),
        "technologies": list(call.technologies),
    }
    response = client.post("/calls/ESF-VAST/edit", data=form)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "govuk-error-summary" in text and "43210" in text and 'href="#change_reason"' in text
    db.session.expire_all()
    assert db.session.get(Call, call.id).max_request_eur == Decimal("150000.00")

    form["change_reason"] = "Correctie na het besluit van 2 april."
    response = client.post("/calls/ESF-VAST/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:6000]
    db.session.expire_all()
    assert db.session.get(Call, call.id).max_request_eur == Decimal("43210.00")


def test_an_applicant_may_not_change_a_call(client, login):
    call = _past_deadline(make_call(code="ESF-VAST"))
    login(make_user("applicant"))
    assert client.post("/calls/ESF-VAST/edit", data={"change_reason": "x"}).status_code == 403
    assert calls.rule_changes(call) == []
