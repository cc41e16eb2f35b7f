"""Organisation pages through HTTP: who sees which organisation, and joining one."""

from urllib.parse import urlsplit

import sqlalchemy as sa

from app.auth import services as auth_services
from app.core.db import db
from app.core.permissions import Role
from app.organisations import memberships as organisation_memberships
from app.organisations.models import Membership, MembershipStatus
from tests.factories import DEFAULT_PASSWORD, make_organisation, make_user


def logged_in_client(app, user):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def test_applicant_of_another_organisation_gets_404(app):
    organisation = make_organisation(legal_name="Geheime Academie vzw")
    make_user("applicant", organisation=organisation)
    outsider = make_user("applicant", organisation=make_organisation(legal_name="Buur bv"))
    client = logged_in_client(app, outsider)
    for path in (f"/organisations/{organisation.id}", f"/organisations/{organisation.id}/edit"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Geheime Academie" not in response.get_data(as_text=True)
    response = client.post(
        f"/organisations/{organisation.id}/edit",
        data={
            "legal_name": "Overgenomen",
            "provider_type": "private",
            "enterprise_number": organisation.enterprise_number,
        },
    )
    assert response.status_code == 404
    db.session.refresh(organisation)
    assert organisation.legal_name == "Geheime Academie vzw"
    # and the list of the outsider's own organisations does not mention it
    mine = client.get("/organisations/mine").get_data(as_text=True)
    assert "Geheime Academie" not in mine
    assert "Buur bv" in mine


def test_a_missing_organisation_is_404_too(app):
    client = logged_in_client(app, make_user("official"))
    assert client.get("/organisations/999999").status_code == 404


def test_join_request_flow(app):
    organisation = make_organisation(legal_name="Leerhuis Gent vzw")
    member = make_user("applicant", organisation=organisation, name="Mia Lid")
    requester = make_user("applicant", name="Rik Vrager")  # member of another organisation

    requester_client = logged_in_client(app, requester)
    response = requester_client.post(
        "/organisations/join", data={"enterprise_number": organisation.enterprise_number}
    )
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/organisations/mine"
    membership = db.session.scalar(
        sa.select(Membership).where(
            Membership.user_id == requester.id, Membership.organisation_id == organisation.id
        )
    )
    assert membership.status is MembershipStatus.pending
    # pending: not yet visible
    assert requester_client.get(f"/organisations/{organisation.id}").status_code == 404
    # asking twice is refused
    requester_client.post(
        "/organisations/join", data={"enterprise_number": organisation.enterprise_number}
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(
                Membership.user_id == requester.id, Membership.organisation_id == organisation.id
            )
        )
        == 1
    )

    # the member sees the request on the organisation's page and approves it there
    member_client = logged_in_client(app, member)
    page = member_client.get(f"/organisations/{organisation.id}").get_data(as_text=True)
    decide_url = f"/organisations/memberships/{membership.id}/decide"
    assert decide_url in page
    assert "Rik Vrager" in page
    response = member_client.post(decide_url, data={"decision": "approve"})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == f"/organisations/{organisation.id}"
    db.session.refresh(membership)
    assert membership.status is MembershipStatus.active
    assert membership.decided_by_id == member.id

    # a decided request cannot be decided again
    assert member_client.post(decide_url, data={"decision": "reject"}).status_code == 409

    # the new member now sees the organisation
    response = requester_client.get(f"/organisations/{organisation.id}")
    assert response.status_code == 200
    assert "Leerhuis Gent vzw" in response.get_data(as_text=True)
    assert "Leerhuis Gent vzw" in requester_client.get("/organisations/mine").get_data(as_text=True)


def test_join_with_an_unknown_or_invalid_number_is_refused(app):
    client = logged_in_client(app, make_user("applicant"))
    for number in ("0123.456.748", ""):
        assert (
            client.post("/organisations/join", data={"enterprise_number": number}).status_code
            == 422
        )
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(Membership.status == MembershipStatus.pending)
        )
        == 0
    )


def test_pending_requester_cannot_approve_themselves(app):
    organisation = make_organisation()
    make_user("applicant", organisation=organisation)
    requester = make_user("applicant")
    membership = organisation_memberships.request_membership(
        requester, organisation.enterprise_number
    )
    client = logged_in_client(app, requester)
    # a pending requester cannot even see the organisation: 404, not 403
    response = client.post(
        f"/organisations/memberships/{membership.id}/decide", data={"decision": "approve"}
    )
    assert response.status_code == 404
    db.session.refresh(membership)
    assert membership.status is MembershipStatus.pending


def test_requester_who_can_see_the_organisation_still_cannot_approve_themselves(app):
    """An applicant who is also an official sees every organisation, yet gets 403."""
    organisation = make_organisation()
    admin = make_user("admin")
    requester = make_user("applicant")
    auth_services.set_roles(admin, requester.id, {Role.applicant, Role.official})
    membership = organisation_memberships.request_membership(
        requester, organisation.enterprise_number
    )
    client = logged_in_client(app, requester)
    response = client.post(
        f"/organisations/memberships/{membership.id}/decide", data={"decision": "approve"}
    )
    assert response.status_code == 403
    db.session.refresh(membership)
    assert membership.status is MembershipStatus.pending


def test_member_of_another_organisation_cannot_decide(app):
    organisation = make_organisation()
    requester = make_user("applicant")
    membership = organisation_memberships.request_membership(
        requester, make_organisation().enterprise_number
    )
    outsider = make_user("applicant", organisation=organisation)
    client = logged_in_client(app, outsider)
    assert (
        client.post(
            f"/organisations/memberships/{membership.id}/decide", data={"decision": "approve"}
        ).status_code
        == 404
    )
    db.session.refresh(membership)
    assert membership.status is MembershipStatus.pending


def test_official_sees_all_organisations(app):
    first = make_organisation(legal_name="Alfa Opleidingen")
    second = make_organisation(legal_name="Bravo Academie")
    make_user("applicant", organisation=first)
    client = logged_in_client(app, make_user("official"))
    listing = client.get("/organisations/")
    assert listing.status_code == 200
    body = listing.get_data(as_text=True)
    assert "Alfa Opleidingen" in body
    assert "Bravo Academie" in body
    for organisation in (first, second):
        response = client.get(f"/organisations/{organisation.id}")
        assert response.status_code == 200
        assert organisation.legal_name in response.get_data(as_text=True)


def test_applicant_cannot_list_all_organisations(app):
    client = logged_in_client(app, make_user("applicant"))
    assert client.get("/organisations/").status_code == 403
