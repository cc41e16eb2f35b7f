"""A self-registered organisation waits for an official's confirmation on the evidence its
registrant uploads; member administrators approve requests to join."""

import io
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.auth import links as auth_links
from app.auth import services as auth_services
from app.core.db import db
from app.core.email import OutboxMessage
from app.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from app.core.time import utcnow
from app.organisations import confirmation as organisation_confirmation
from app.organisations import memberships as organisation_memberships
from app.organisations import services
from app.organisations.models import (
    Membership,
    MembershipStatus,
    OrganisationEvidence,
    OrganisationStatus,
    ProviderType,
)
from app.proposals import services as proposals
from app.proposals.access import DeadlinePassed
from tests.factories import (
    DEFAULT_PASSWORD,
    make_call,
    make_organisation,
    make_proposal,
    make_user,
    valid_enterprise_number,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def register(email="nele@example.org", legal_name="Leerhuis vzw"):
    """A self-registered applicant (email confirmed) and their pending organisation."""
    user = services.register_with_new_organisation(
        auth_services.AccountInput(email=email, name="Nele Nieuw", password=DEFAULT_PASSWORD),
        services.OrganisationInput(
            legal_name=legal_name,
            enterprise_number=valid_enterprise_number(),
            provider_type=ProviderType.private,
        ),
    )
    auth_links.verify_email(auth_links.make_link_token(user, "verify"))
    return user, user.memberships[0].organisation


def logged_in(app, user):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/language", data={"language": "en"})
    return client


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditRecord.action).order_by(AuditRecord.id)))


# ---------------------------------------------------------------- organisations made by staff


def test_organisations_made_by_officials_and_the_command_line_are_confirmed():
    assert make_organisation().status is OrganisationStatus.confirmed
    official = make_user("official")
    organisation = services.create_organisation(
        official,
        services.OrganisationInput(
            legal_name="Door ESF",
            enterprise_number=valid_enterprise_number(),
            provider_type=ProviderType.public,
        ),
    )
    assert organisation.status is OrganisationStatus.confirmed


def test_the_first_member_added_by_an_operator_is_a_member_administrator():
    organisation = make_organisation()
    first = make_user(organisation=organisation)
    second = make_user(organisation=organisation)
    assert [u.id for u in services.member_admins(organisation.id)] == [first.id]
    assert second.id not in [u.id for u in services.member_admins(organisation.id)]


# ---------------------------------------------------------------- evidence


def test_a_member_of_a_pending_organisation_uploads_a_pdf():
    user, organisation = register()
    evidence = organisation_confirmation.add_evidence(
        user, organisation.id, "mandaat\u202efdp.pdf", io.BytesIO(PDF)
    )
    assert evidence.filename == "mandaatfdp.pdf"  # invisible reordering characters removed
    assert "organisation.evidence_added" in actions()


def test_evidence_must_be_a_pdf_by_its_content():
    user, organisation = register()
    with pytest.raises(ValidationFailed) as exc:
        organisation_confirmation.add_evidence(
            user, organisation.id, "mandaat.pdf", io.BytesIO(b"MZ\x90 not pdf")
        )
    assert "file" in exc.value.errors
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OrganisationEvidence)) == 0


def test_who_may_not_upload_evidence():
    _user, organisation = register()
    with pytest.raises(NotFound):  # another organisation's applicant does not see it
        organisation_confirmation.add_evidence(
            make_user(), organisation.id, "x.pdf", io.BytesIO(PDF)
        )
    with pytest.raises(NotFound):
        organisation_confirmation.add_evidence(
            make_user("evaluator"), organisation.id, "x.pdf", io.BytesIO(PDF)
        )
    with pytest.raises(PermissionDenied):  # officials judge the evidence, not supply it
        organisation_confirmation.add_evidence(
            make_user("official"), organisation.id, "x.pdf", io.BytesIO(PDF)
        )
    confirmed = make_organisation()
    member = make_user(organisation=confirmed)
    with pytest.raises(DomainError):
        organisation_confirmation.add_evidence(member, confirmed.id, "x.pdf", io.BytesIO(PDF))


# ---------------------------------------------------------------- confirming and refusing


def test_an_official_confirms_on_evidence_and_the_registrant_becomes_administrator():
    user, organisation = register()
    official = make_user("official")
    with pytest.raises(DomainError):  # no evidence yet
        organisation_confirmation.confirm_organisation(official, organisation.id)
    organisation_confirmation.add_evidence(user, organisation.id, "mandaat.pdf", io.BytesIO(PDF))
    organisation_confirmation.confirm_organisation(official, organisation.id)
    assert organisation.status is OrganisationStatus.confirmed
    assert organisation.decided_by_id == official.id
    assert [u.id for u in services.member_admins(organisation.id)] == [user.id]
    assert "organisation.confirmed" in actions()
    message = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "organisation_decided")
    )
    assert message.recipient == user.email
    with pytest.raises(DomainError):  # decided once
        organisation_confirmation.refuse_organisation(official, organisation.id, "Toch niet.")


def test_an_official_refuses_with_a_reason_the_members_receive():
    _user, organisation = register()
    official = make_user("official")
    with pytest.raises(ValidationFailed):
        organisation_confirmation.refuse_organisation(official, organisation.id, "  ")
    organisation_confirmation.refuse_organisation(
        official, organisation.id, "Het mandaat is niet ondertekend."
    )
    assert organisation.status is OrganisationStatus.refused
    assert "organisation.refused" in actions()
    message = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "organisation_decided")
    )
    assert "Het mandaat is niet ondertekend." in message.body


@pytest.mark.parametrize("who", ["member", "other_admin", "evaluator"])
def test_who_may_not_confirm_or_refuse(who):
    user, organisation = register()
    organisation_confirmation.add_evidence(user, organisation.id, "mandaat.pdf", io.BytesIO(PDF))
    actor = {
        "member": user,
        "other_admin": make_user(organisation=make_organisation()),
        "evaluator": make_user("evaluator"),
    }[who]
    with pytest.raises(PermissionDenied):
        organisation_confirmation.confirm_organisation(actor, organisation.id)
    with pytest.raises(PermissionDenied):
        organisation_confirmation.refuse_organisation(actor, organisation.id, "Nee.")
    assert organisation.status is OrganisationStatus.pending


# ---------------------------------------------------------------- submitting


def test_a_pending_organisation_drafts_but_cannot_submit_until_confirmed():
    user, organisation = register()
    call = make_call()
    proposal = make_proposal(call, user)  # the draft is allowed
    with pytest.raises(DomainError) as exc:
        proposals.submit_proposal(user, proposal.id)
    assert "wacht nog op bevestiging" in exc.value.user_message()  # Dutch by default
    organisation_confirmation.add_evidence(user, organisation.id, "mandaat.pdf", io.BytesIO(PDF))
    organisation_confirmation.confirm_organisation(make_user("official"), organisation.id)
    assert proposals.submit_proposal(user, proposal.id).number == 1


def test_a_refused_organisation_cannot_submit():
    user, organisation = register()
    proposal = make_proposal(make_call(), user)
    organisation_confirmation.refuse_organisation(
        make_user("official"), organisation.id, "Geen mandaat."
    )
    with pytest.raises(DomainError) as exc:
        proposals.submit_proposal(user, proposal.id)
    assert "geweigerd" in exc.value.user_message()


def test_the_deadline_rule_still_applies_to_a_pending_organisation():
    user, _organisation = register()
    call = make_call(deadline=utcnow() + timedelta(days=1))
    proposal = make_proposal(call, user)
    with pytest.raises(DeadlinePassed):
        proposals.submit_proposal(user, proposal.id, received_at=utcnow() + timedelta(days=2))


def test_the_submit_page_says_why_in_dutch_and_english(app):
    user, _organisation = register()
    proposal = make_proposal(make_call(), user)
    client = logged_in(app, user)
    body = client.post(
        f"/proposals/{proposal.id}/submit", data={"declaration": "y"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Your organisation is waiting for confirmation by the ESF team" in body
    client.post("/language", data={"language": "nl"})
    body = client.post(
        f"/proposals/{proposal.id}/submit", data={"declaration": "y"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "wacht nog op bevestiging" in body


# ---------------------------------------------------------------- the officials' queue


def test_the_queue_lists_pending_organisations_one_page_at_a_time(app):
    for n in range(52):
        register(email=f"a{n}@example.org", legal_name=f"Aanvrager {n:02d} vzw")
    make_organisation(legal_name="Bevestigd bv")
    client = logged_in(app, make_user("official"))
    first = client.get("/organisations/pending").get_data(as_text=True)
    assert "Aanvrager 00 vzw" in first
    assert "Aanvrager 50 vzw" not in first
    assert "Bevestigd bv" not in first
    assert "Showing 1 to 50 of 52" in first
    second = client.get("/organisations/pending?page=2").get_data(as_text=True)
    assert "Aanvrager 51 vzw" in second
    assert 'href="/organisations/pending"' in first  # in the menu


@pytest.mark.parametrize("role", ["applicant", "evaluator"])
def test_who_may_not_see_the_queue(app, role):
    client = logged_in(app, make_user(role))
    assert client.get("/organisations/pending").status_code == 403
    assert 'href="/organisations/pending"' not in client.get("/").get_data(as_text=True)


def test_an_official_confirms_and_refuses_through_the_pages(app):
    user, organisation = register()
    other_user, other = register(email="b@example.org", legal_name="Tweede vzw")
    member = logged_in(app, user)
    response = member.post(
        f"/organisations/{organisation.id}/evidence",
        data={"file": (io.BytesIO(PDF), "mandaat.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    response = member.post(
        f"/organisations/{organisation.id}/evidence",
        data={"file": (io.BytesIO(b"GIF89a"), "foto.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "The file is not a PDF" in response.get_data(as_text=True)
    assert member.post(f"/organisations/{organisation.id}/confirm").status_code == 403

    official = logged_in(app, make_user("official"))
    page = official.get(f"/organisations/{organisation.id}").get_data(as_text=True)
    evidence = organisation.evidence[0]
    assert f"/organisations/evidence/{evidence.id}" in page
    download = official.get(f"/organisations/evidence/{evidence.id}")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Cache-Control"] == "no-store"
    response = official.post(f"/organisations/{organisation.id}/confirm")
    assert urlsplit(response.headers["Location"]).path == "/organisations/pending"
    db.session.refresh(organisation)
    assert organisation.status is OrganisationStatus.confirmed

    response = official.post(f"/organisations/{other.id}/refuse", data={"reason": ""})
    assert response.status_code == 422
    response = official.post(f"/organisations/{other.id}/refuse", data={"reason": "Geen mandaat."})
    assert response.status_code == 302
    db.session.refresh(other)
    assert other.status is OrganisationStatus.refused
    refused_page = logged_in(app, other_user).get(f"/organisations/{other.id}")
    assert "Geen mandaat." in refused_page.get_data(as_text=True)


def test_evidence_is_not_shown_to_another_organisation(app):
    user, organisation = register()
    evidence = organisation_confirmation.add_evidence(
        user, organisation.id, "mandaat.pdf", io.BytesIO(PDF)
    )
    client = logged_in(app, make_user())
    assert client.get(f"/organisations/evidence/{evidence.id}").status_code == 404
    assert (
        client.post(
            f"/organisations/{organisation.id}/evidence",
            data={"file": (io.BytesIO(PDF), "x.pdf")},
            content_type="multipart/form-data",
        ).status_code
        == 404
    )


# ---------------------------------------------------------------- join requests


def _join_request(organisation):
    requester = make_user()
    return requester, organisation_memberships.request_membership(
        requester, organisation.enterprise_number
    )


def test_member_administrators_and_officials_decide_join_requests():
    organisation = make_organisation()
    admin = make_user(organisation=organisation)
    requester, membership = _join_request(organisation)
    organisation_memberships.decide_membership(admin, membership.id, approve=True)
    assert organisation.id in requester.organisation_ids
    _other, refused = _join_request(organisation)
    organisation_memberships.decide_membership(make_user("official"), refused.id, approve=False)
    assert refused.status is MembershipStatus.rejected
    assert {"membership.approved", "membership.rejected"} <= set(actions())
    kinds = list(db.session.scalars(sa.select(OutboxMessage.kind)))
    assert kinds.count("membership_decided") == 2


def test_who_may_not_decide_a_join_request():
    organisation = make_organisation()
    make_user(organisation=organisation)  # the administrator
    plain = make_user(organisation=organisation)
    _requester, membership = _join_request(organisation)
    with pytest.raises(PermissionDenied):  # a plain member sees the organisation but may not
        organisation_memberships.decide_membership(plain, membership.id, approve=True)
    other_admin = make_user(organisation=make_organisation())
    with pytest.raises(NotFound):
        organisation_memberships.decide_membership(other_admin, membership.id, approve=True)
    with pytest.raises(NotFound):
        organisation_memberships.decide_membership(
            make_user("evaluator"), membership.id, approve=True
        )
    db.session.refresh(membership)
    assert membership.status is MembershipStatus.pending


def test_a_plain_member_sees_no_decision_buttons(app):
    organisation = make_organisation()
    make_user(organisation=organisation)
    plain = make_user(organisation=organisation)
    _requester, membership = _join_request(organisation)
    client = logged_in(app, plain)
    page = client.get(f"/organisations/{organisation.id}").get_data(as_text=True)
    assert f"/organisations/memberships/{membership.id}/decide" not in page
    assert (
        client.post(
            f"/organisations/memberships/{membership.id}/decide", data={"decision": "approve"}
        ).status_code
        == 403
    )


def test_a_join_request_to_a_pending_organisation_goes_to_the_officials():
    _user, organisation = register()
    official = make_user("official")
    _requester, membership = _join_request(organisation)
    recipients = set(
        db.session.scalars(
            sa.select(OutboxMessage.recipient).where(OutboxMessage.kind == "membership_requested")
        )
    )
    assert recipients == {official.email}
    assert db.session.get(Membership, membership.id).status is MembershipStatus.pending


def test_a_member_cannot_move_a_confirmed_organisation_to_another_number():
    organisation = make_organisation(legal_name="Leerhuis vzw")
    member = make_user(organisation=organisation)
    data = services.OrganisationInput(
        legal_name="Leerhuis vzw",
        enterprise_number=valid_enterprise_number(),
        provider_type=ProviderType.private,
    )
    with pytest.raises(ValidationFailed) as exc:
        services.update_organisation(member, organisation.id, data)
    assert "enterprise_number" in exc.value.errors
    services.update_organisation(make_user("official"), organisation.id, data)
    assert organisation.enterprise_number == data.enterprise_number


def test_the_check_page_says_why_a_pending_organisation_cannot_submit(app):
    user, _organisation = register()
    proposal = make_proposal(make_call(), user)
    body = logged_in(app, user).get(f"/proposals/{proposal.id}/check").get_data(as_text=True)
    assert "Your organisation is waiting for confirmation by the ESF team" in body
    member = make_user()
    other = make_proposal(make_call(), member)
    body = logged_in(app, member).get(f"/proposals/{other.id}/check").get_data(as_text=True)
    assert "waiting for confirmation" not in body
