"""Drafts: "start a proposal" offers the organisation's waiting draft instead of making a
new empty one each click; a never-submitted draft can be deleted (audited), and its
reference is never given again; a withdrawn proposal says so."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask_babel import force_locale, gettext
from markupsafe import escape

from app.audit.models import AuditRecord
from app.core.db import db
from app.core.errors import DomainError, NotFound, PermissionDenied
from app.core.time import utcnow
from app.proposals import access as proposal_access
from app.proposals import drafts, services
from app.proposals.models import Attachment, Proposal
from tests.factories import make_call, make_organisation, make_proposal, make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _nl(message: str, **variables) -> str:
    with force_locale("nl"):
        return str(escape(gettext(message, **variables)))


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Proposal.id)))


# ------------------------------------------------------------------ resuming a draft


def test_starting_again_offers_the_waiting_draft_instead_of_a_new_one(client, login):
    call = make_call()
    login(make_user("applicant"))
    first = client.post(f"/proposals/new/{call.code}")
    assert first.status_code == 302 and _count() == 1
    again = client.post(f"/proposals/new/{call.code}")
    assert again.status_code == 303 and again.location.endswith(f"/proposals/new/{call.code}")
    assert _count() == 1
    page = client.get(again.location).get_data(as_text=True)
    draft = db.session.scalar(sa.select(Proposal))
    assert draft.reference in page
    assert f'href="/proposals/{draft.id}"' in page
    assert _nl("Start another proposal") in page
    # a second proposal in the same call stays possible, deliberately
    another = client.post(f"/proposals/new/{call.code}", data={"another": "1"})
    assert another.status_code == 302 and _count() == 2


def test_a_submitted_proposal_is_not_offered_as_a_draft(client, login):
    call = make_call()
    user = login(make_user("applicant"))
    make_proposal(call, user, submit=True)
    assert drafts.open_drafts(user, call.id) == []
    assert client.post(f"/proposals/new/{call.code}").status_code == 302
    assert _count() == 2


def test_another_organisations_drafts_are_never_offered():
    call = make_call()
    mine, theirs = make_user("applicant"), make_user("applicant")
    make_proposal(call, theirs, complete=False)
    assert drafts.open_drafts(mine, call.id) == []
    assert drafts.open_drafts(make_user("official"), call.id) == []


# ------------------------------------------------------------------ deleting a draft


def test_a_member_deletes_a_never_submitted_draft_after_confirming(client, login):
    call = make_call()
    user = login(make_user("applicant"))
    proposal = make_proposal(call, user, complete=False, title="Proef")
    services.add_attachment(user, proposal.id, "plan.pdf", io.BytesIO(PDF))
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert _nl("Delete the draft") in page
    confirm = client.get(f"/proposals/{proposal.id}/delete").get_data(as_text=True)
    assert _nl("Delete the draft?") in confirm
    assert _count() == 1  # nothing happens before the confirmation
    reference = proposal.reference
    response = client.post(f"/proposals/{proposal.id}/delete")
    assert response.status_code == 302 and response.location.endswith("/proposals/")
    assert _count() == 0
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
    record = db.session.scalar(
        sa.select(AuditRecord).where(AuditRecord.action == "proposal.deleted")
    )
    assert record.before["reference"] == reference and record.actor_id == user.id
    assert _nl("The draft %(reference)s was deleted.", reference=reference) in client.get(
        "/proposals/"
    ).get_data(as_text=True)


def test_a_deleted_drafts_reference_is_never_given_again():
    call = make_call(code="NUM")
    user = make_user("applicant")
    first = make_proposal(call, user, complete=False)
    second = make_proposal(call, user, complete=False)
    assert (first.reference, second.reference) == ("NUM-0001", "NUM-0002")
    drafts.delete_draft(user, second.id)
    third = make_proposal(call, user, complete=False)
    assert third.reference == "NUM-0003"


def test_a_submitted_proposal_cannot_be_deleted_only_withdrawn(client, login):
    call = make_call()
    user = login(make_user("applicant"))
    proposal = make_proposal(call, user, submit=True)
    with pytest.raises(DomainError):
        drafts.delete_draft(user, proposal.id)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert _nl("Delete the draft") not in page
    assert client.post(f"/proposals/{proposal.id}/delete").status_code == 302
    assert _count() == 1


def test_who_may_not_delete_a_draft(client, login):
    call = make_call()
    owner = make_user("applicant")
    proposal = make_proposal(call, owner, complete=False)
    with pytest.raises(NotFound):
        drafts.delete_draft(make_user("applicant"), proposal.id)  # another organisation
    with pytest.raises(PermissionDenied):
        drafts.delete_draft(make_user("official"), proposal.id)  # sees it, may not change it
    login(make_user("applicant"))
    assert client.post(f"/proposals/{proposal.id}/delete").status_code == 404
    assert _count() == 1


def test_after_the_deadline_a_draft_stays_as_it_is():
    call = make_call(deadline=utcnow() + timedelta(days=1))
    user = make_user("applicant")
    proposal = make_proposal(call, user, complete=False)
    with (
        time_machine.travel(utcnow() + timedelta(days=2)),
        pytest.raises(proposal_access.DeadlinePassed),
    ):
        drafts.delete_draft(user, proposal.id)
    assert _count() == 1


def test_a_member_of_the_same_organisation_may_delete_it():
    call = make_call()
    organisation = make_organisation()
    author = make_user("applicant", organisation=organisation)
    colleague = make_user("applicant", organisation=organisation)
    proposal = make_proposal(call, author, complete=False)
    drafts.delete_draft(colleague, proposal.id)
    assert _count() == 0


# ------------------------------------------------------------------ withdrawn


def test_a_withdrawn_proposals_edit_page_says_it_was_withdrawn(client, login):
    call = make_call()
    user = login(make_user("applicant"))
    proposal = make_proposal(call, user, submit=True)
    services.withdraw_proposal(user, proposal.id, "Partner haakt af")
    response = client.get(f"/proposals/{proposal.id}/edit/general", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert _nl("This proposal was withdrawn and can no longer change.") in page
    assert _nl("The deadline has passed: this proposal can no longer change.") not in page
