"""Admissibility decided as a draft, a selection at once, released to the applicants in one
confirmed step, and corrected after its release: the rules, then the pages."""

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.audit.models import AuditRecord
from app.core.db import db
from app.core.email import OutboxMessage
from app.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from app.reviews.models import Admissibility, AdmissibilityCheck, AdmissibilityRelease
from app.reviews.rules import admissibility as admissibility_rules
from tests.factories import make_call, make_user
from tests.reviews.factories import admissibility_world

BASE = "/evaluation/calls/ESF-2021"


@pytest.fixture(autouse=True)
def _english():
    with force_locale("en"):
        yield


def _kinds() -> list[str]:
    """The emails queued, beyond the applicants' submission receipts."""
    return sorted(
        db.session.scalars(
            sa.select(OutboxMessage.kind).where(OutboxMessage.kind != "proposal_submitted")
        )
    )


def _actions(prefix: str) -> list[str]:
    return sorted(
        db.session.scalars(sa.select(AuditRecord.action).where(AuditRecord.action.like(prefix)))
    )


def _release(world):
    preview = admissibility_rules.release_preview(world.official, world.call.id)
    return admissibility_rules.release_results(world.official, world.call.id, preview.token)


# ---------------------------------------------------------------------------- rules


def test_deciding_sends_nothing_and_the_applicant_sees_nothing_until_the_release():
    world = admissibility_world(2)
    first, second = world.proposals
    admissibility_rules.decide_admissibility(world.official, first.id, Admissibility.admissible)
    admissibility_rules.decide_admissibility(
        world.official, second.id, Admissibility.inadmissible, "Te laat ingediend"
    )
    assert _kinds() == []
    assert admissibility_rules.released_admissibility(second.id) is None
    assert admissibility_rules.unreleased_count(world.call.id) == 2


def test_the_preview_counts_proposals_and_emails_per_outcome_and_shows_one_letter():
    world = admissibility_world(3, languages=("en", "nl", "nl"))
    make_user("applicant", organisation=world.proposals[1].organisation)  # a second member
    for proposal in world.proposals[:2]:
        admissibility_rules.decide_admissibility(
            world.official, proposal.id, Admissibility.admissible
        )
    admissibility_rules.decide_admissibility(
        world.official, world.proposals[2].id, Admissibility.inadmissible, "Budget te hoog"
    )
    preview = admissibility_rules.release_preview(world.official, world.call.id)
    assert preview.counts == {"admissible": 2, "inadmissible": 1, "corrections": 0}
    assert preview.emails == {"admissible": 3, "inadmissible": 1, "corrections": 0}
    assert (preview.proposals, preview.recipients) == (3, 4)
    # the first proposal's applicant reads English: the letter is shown in English
    assert preview.letter["language"] == "en"
    assert preview.letter["subject"] == (
        f"Your proposal {world.proposals[0].reference} is admissible"
    )
    assert "Independent experts will now evaluate it" in preview.letter["body"]
    assert _kinds() == []  # a preview sends nothing


def test_releasing_emails_each_result_once_and_records_the_release():
    world = admissibility_world(2)
    first, second = world.proposals
    admissibility_rules.decide_admissibility(world.official, first.id, Admissibility.admissible)
    admissibility_rules.decide_admissibility(
        world.official, second.id, Admissibility.inadmissible, "Te laat ingediend"
    )
    release = _release(world)
    assert release.counts == {"admissible": 1, "inadmissible": 1, "corrections": 0, "emails": 2}
    assert _kinds() == ["proposal_admissible", "proposal_inadmissible"]
    released = admissibility_rules.released_admissibility(second.id)
    assert (released.result, released.reason) == (Admissibility.inadmissible, "Te laat ingediend")
    assert _actions("%admissibility_%") == [
        "call.admissibility_released",
        "proposal.admissibility_released",
        "proposal.admissibility_released",
    ]
    with pytest.raises(DomainError, match="nothing to send"):
        _release(world)


def test_a_release_refuses_when_the_decisions_changed_since_the_preview():
    world = admissibility_world(2)
    admissibility_rules.decide_admissibility(
        world.official, world.proposals[0].id, Admissibility.admissible
    )
    token = admissibility_rules.release_preview(world.official, world.call.id).token
    admissibility_rules.decide_admissibility(
        world.official, world.proposals[1].id, Admissibility.admissible
    )
    with pytest.raises(DomainError, match="changed since you opened"):
        admissibility_rules.release_results(world.official, world.call.id, token)
    assert _kinds() == []
    assert db.session.scalar(sa.select(sa.func.count(AdmissibilityRelease.id))) == 0


def test_a_result_changed_after_its_release_sends_a_correction_once_released_again():
    world = admissibility_world(1, languages=("en",))
    (proposal,) = world.proposals
    admissibility_rules.decide_admissibility(
        world.official, proposal.id, Admissibility.inadmissible, "Te laat ingediend"
    )
    _release(world)
    admissibility_rules.decide_admissibility(world.official, proposal.id, Admissibility.admissible)
    # until the correction is released the applicant still reads the released result
    assert admissibility_rules.released_admissibility(proposal.id).result.value == "inadmissible"
    preview = admissibility_rules.release_preview(world.official, world.call.id)
    assert preview.counts == {"admissible": 0, "inadmissible": 0, "corrections": 1}
    assert preview.letter["subject"].startswith("Correction: the admissibility of your proposal")
    _release(world)
    assert _kinds() == ["admissibility_corrected", "proposal_inadmissible"]
    body = db.session.scalar(
        sa.select(OutboxMessage.body).where(OutboxMessage.kind == "admissibility_corrected")
    )
    assert "has changed" in body and "Admissible" in body
    record = db.session.scalar(
        sa.select(AuditRecord).where(AuditRecord.action == "proposal.admissibility_corrected")
    )
    assert record.before["result"] == "inadmissible"
    assert record.after["result"] == "admissible"
    assert admissibility_rules.released_admissibility(proposal.id).result.value == "admissible"


def test_changing_a_result_back_before_the_release_sends_nothing():
    world = admissibility_world(1)
    (proposal,) = world.proposals
    admissibility_rules.decide_admissibility(world.official, proposal.id, Admissibility.admissible)
    _release(world)
    admissibility_rules.decide_admissibility(
        world.official, proposal.id, Admissibility.inadmissible, "Vergissing"
    )
    admissibility_rules.decide_admissibility(world.official, proposal.id, Admissibility.admissible)
    assert admissibility_rules.unreleased_count(world.call.id) == 0


def test_deciding_a_selection_records_and_audits_each_proposal():
    world = admissibility_world(3)
    ids = [p.id for p in world.proposals[:2]]
    checks = admissibility_rules.decide_admissibility_many(
        world.official, world.call.id, ids, Admissibility.inadmissible, "Geen e-training"
    )
    assert sorted(c.proposal_id for c in checks) == ids
    assert all(c.reason == "Geen e-training" for c in checks)
    assert _actions("proposal.inadmissible") == ["proposal.inadmissible"] * 2
    assert _kinds() == []


def test_a_selection_follows_the_same_rules_all_or_nothing():
    world = admissibility_world(2)
    ids = [p.id for p in world.proposals]
    with pytest.raises(ValidationFailed) as refused:
        admissibility_rules.decide_admissibility_many(
            world.official, world.call.id, ids, Admissibility.inadmissible
        )
    assert "reason" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        admissibility_rules.decide_admissibility_many(
            world.official, world.call.id, [], Admissibility.admissible
        )
    assert "proposal_ids" in refused.value.errors
    other_call = make_call(code="ANDER-1")
    with pytest.raises(NotFound):  # a proposal of another call
        admissibility_rules.decide_admissibility_many(
            world.official, other_call.id, ids, Admissibility.admissible
        )
    with pytest.raises(PermissionDenied):
        admissibility_rules.decide_admissibility_many(
            make_user("evaluator"), world.call.id, ids, Admissibility.admissible
        )
    assert db.session.scalar(sa.select(sa.func.count(AdmissibilityCheck.id))) == 0


def test_a_selection_with_one_proposal_before_its_deadline_records_nothing():
    """An open call (deadline in the future): the first refusal names the proposal."""
    call = make_call(code="OPEN-1")
    official = make_user("official")
    from tests.factories import make_proposal

    applicant = make_user("applicant")
    proposal = make_proposal(call, applicant, submit=True)
    with pytest.raises(DomainError, match=proposal.reference):
        admissibility_rules.decide_admissibility_many(
            official, call.id, [proposal.id], Admissibility.admissible
        )
    assert db.session.scalar(sa.select(sa.func.count(AdmissibilityCheck.id))) == 0


def test_only_officials_preview_and_release():
    world = admissibility_world(1)
    admissibility_rules.decide_admissibility(
        world.official, world.proposals[0].id, Admissibility.admissible
    )
    token = admissibility_rules.release_preview(world.official, world.call.id).token
    for role in ("applicant", "evaluator"):
        with pytest.raises(PermissionDenied):
            admissibility_rules.release_preview(make_user(role), world.call.id)
        with pytest.raises(PermissionDenied):
            admissibility_rules.release_results(make_user(role), world.call.id, token)
    assert _kinds() == []


# ---------------------------------------------------------------------------- pages


@pytest.fixture
def as_official(client, login):
    def _as(world):
        login(world.official)
        with client.session_transaction() as session:
            session["language"] = "en"

    return _as


def test_the_page_decides_a_ticked_selection(client, as_official):
    world = admissibility_world(3)
    as_official(world)
    page = client.get(f"{BASE}/admissibility").get_data(as_text=True)
    assert 'form="bulk-admissibility"' in page
    assert "Select all 3 proposals on this page" in page
    ticked = client.get(f"{BASE}/admissibility?select=all").get_data(as_text=True)
    assert ticked.count(" checked>") == 3
    response = client.post(
        f"{BASE}/admissibility/selection?state=all",
        data={
            "bulk-proposal_ids": [str(p.id) for p in world.proposals[:2]],
            "bulk-result": "admissible",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admissibility?state=all")
    page = client.get(f"{BASE}/admissibility").get_data(as_text=True)
    assert "2 proposals: Admissible. Not sent yet" in page
    assert "2 decisions have not been sent to the applicants yet." in page
    assert _kinds() == []


def test_a_selection_without_a_reason_or_without_proposals_keeps_the_input(client, as_official):
    world = admissibility_world(2)
    as_official(world)
    chosen = str(world.proposals[1].id)
    response = client.post(
        f"{BASE}/admissibility/selection",
        data={"bulk-proposal_ids": [chosen], "bulk-result": "inadmissible"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Give the reason why the proposal is inadmissible" in page
    assert f'value="{chosen}" form="bulk-admissibility" checked' in page
    response = client.post(
        f"{BASE}/admissibility/selection",
        data={"bulk-result": "inadmissible", "bulk-reason": "Geen e-training"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Select at least one proposal." in page
    assert "Geen e-training" in page
    assert db.session.scalar(sa.select(sa.func.count(AdmissibilityCheck.id))) == 0


def test_the_release_page_previews_and_asks_for_confirmation(client, as_official):
    world = admissibility_world(2)
    admissibility_rules.decide_admissibility(
        world.official, world.proposals[0].id, Admissibility.inadmissible, "Te laat ingediend"
    )
    as_official(world)
    page = client.get(f"{BASE}/admissibility/release").get_data(as_text=True)
    assert "What will be sent" in page
    assert "Preview of one letter" in page
    assert "Te laat ingediend" in page  # the letter is in the applicant's Dutch
    token = admissibility_rules.release_preview(world.official, world.call.id).token
    response = client.post(f"{BASE}/admissibility/release", data={"token": token})
    assert response.status_code == 422
    assert "Tick the box to confirm" in response.get_data(as_text=True)
    assert _kinds() == []
    response = client.post(f"{BASE}/admissibility/release", data={"token": token, "confirm": "y"})
    assert response.status_code == 302
    assert _kinds() == ["proposal_inadmissible"]
    response = client.post(f"{BASE}/admissibility/release", data={"token": token, "confirm": "y"})
    assert response.headers["Location"].endswith("/admissibility/release")
    assert _kinds() == ["proposal_inadmissible"]


@pytest.mark.parametrize("role", ["applicant", "evaluator"])
def test_applicants_and_evaluators_may_not_decide_a_selection_or_release(client, login, role):
    world = admissibility_world(1)
    admissibility_rules.decide_admissibility(
        world.official, world.proposals[0].id, Admissibility.admissible
    )
    login(world.applicants[0] if role == "applicant" else make_user(role))
    assert client.get(f"{BASE}/admissibility/release").status_code == 403
    token = admissibility_rules.release_preview(world.official, world.call.id).token
    response = client.post(f"{BASE}/admissibility/release", data={"token": token, "confirm": "y"})
    assert response.status_code == 403
    response = client.post(
        f"{BASE}/admissibility/selection",
        data={"bulk-proposal_ids": [str(world.proposals[0].id)], "bulk-result": "admissible"},
    )
    assert response.status_code == 403
    assert _kinds() == []


def test_the_applicant_reads_the_result_only_once_released(client, login):
    world = admissibility_world(1)
    (proposal,) = world.proposals
    admissibility_rules.decide_admissibility(
        world.official, proposal.id, Admissibility.inadmissible, "De opleiding ontbreekt"
    )
    login(world.applicants[0])
    assert "De opleiding ontbreekt" not in client.get(f"/proposals/{proposal.id}").get_data(
        as_text=True
    )
    _release(world)
    assert "De opleiding ontbreekt" in client.get(f"/proposals/{proposal.id}").get_data(
        as_text=True
    )


def test_the_release_page_counts_in_a_fixed_number_of_queries(client, as_official):
    """The counts come from SQL: more proposals, the same number of queries."""
    from sqlalchemy import event

    def queries_for(world) -> int:
        statements = []

        def _count(*_args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", _count)
        try:
            client.get(f"/evaluation/calls/{world.call.code}/admissibility/release")
        finally:
            event.remove(db.engine, "before_cursor_execute", _count)
        return len(statements)

    small = admissibility_world(2, code="KLEIN-1")
    large = admissibility_world(8, code="GROOT-1")
    for world in (small, large):
        admissibility_rules.decide_admissibility_many(
            world.official, world.call.id, [p.id for p in world.proposals], Admissibility.admissible
        )
    as_official(small)
    first = queries_for(small)
    assert queries_for(large) == first
