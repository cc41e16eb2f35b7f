"""Personal data: one's own export (profile and CLI), anonymising by administrators only,
without touching frozen versions or earlier audit records; the public privacy page."""

import hashlib
import io
import json
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.audit.models import AuditRecord
from app.auth import links as auth_links
from app.auth import login as auth_login
from app.auth import password_reset as auth_password_reset
from app.auth import services as auth
from app.auth import sessions as auth_sessions
from app.auth import tokens as auth_tokens
from app.auth.models import ApiToken, User, UserSession
from app.core import files
from app.core.db import db
from app.core.email import OutboxMessage
from app.core.errors import DomainError, PermissionDenied
from app.core.time import brussels
from app.main import privacy
from app.monitoring.models import EnrolmentImport
from app.organisations import confirmation
from app.organisations import services as organisations
from app.organisations.models import Membership, Organisation, ProviderType
from app.proposals import services as proposals
from app.proposals.models import ProposalVersion
from app.reviews.models import Admissibility
from app.reviews.rules import admissibility, assignment, conflicts, criteria, scoring
from app.reviews.rules.criteria import CriterionInput
from tests.factories import (
    DEFAULT_PASSWORD,
    complete_fields,
    make_call,
    make_organisation,
    make_proposal,
    make_user,
    valid_enterprise_number,
)
from tests.monitoring.factories import make_funded_project

OPEN = datetime(2021, 3, 1, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _login(client, user, password=DEFAULT_PASSWORD):
    response = client.post("/auth/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)


def _applicant_with_a_submitted_proposal():
    organisation = make_organisation(
        contact_name="Els Peeters", contact_email="els@example.org", contact_phone="+32 9 123 45 67"
    )
    user = make_user(
        "applicant", organisation=organisation, email="els@example.org", name="Els Peeters"
    )
    proposal = make_proposal(make_call(), user, submit=True)
    return user, organisation, proposal


def _audit_rows() -> list[tuple]:
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(
                AuditRecord.id,
                AuditRecord.at,
                AuditRecord.actor_id,
                AuditRecord.action,
                AuditRecord.entity_type,
                AuditRecord.entity_id,
                AuditRecord.before,
                AuditRecord.after,
                AuditRecord.reason,
                AuditRecord.address,
            ).order_by(AuditRecord.id)
        )
    ]


# ---------------------------------------------------------------- export


def test_the_export_holds_the_account_memberships_proposals_and_audit_records():
    user, organisation, proposal = _applicant_with_a_submitted_proposal()
    auth_sessions.start_session(user)
    auth_tokens.create_token(user, user, "rapport")
    project, _member = make_funded_project(member=user)
    db.session.add(
        EnrolmentImport(
            project_id=project.id,
            filename="inschrijvingen.csv",
            sha256="0" * 64,
            imported_on=date(2026, 1, 31),
            created_by_id=user.id,
        )
    )
    db.session.commit()
    data = json.loads(privacy.to_json(privacy.personal_data(user, user.id)))
    assert data["account"]["email"] == "els@example.org"
    assert data["account"]["name"] == "Els Peeters"
    assert data["preferences"] == {"language": "nl"}
    assert len(data["sessions"]) == 1
    assert data["api_tokens"][0]["name"] == "rapport"
    assert data["memberships"][0]["enterprise_number"] == organisation.enterprise_number
    [mine] = [p for p in data["proposals"] if p["reference"] == proposal.reference]
    assert mine["created_by_you"]
    assert [v["number"] for v in mine["versions_you_submitted"]] == [1]
    assert {"proposal.created", "proposal.saved"} <= {a["action"] for a in mine["your_actions"]}
    assert {"user.created", "proposal.created"} <= {r["action"] for r in data["audit_records"]}
    assert [(i["project"], i["filename"]) for i in data["enrolment_imports"]] == [
        (project.reference, "inschrijvingen.csv")
    ]
    # never secrets: no password hash, no session key or token hash
    text = json.dumps(data)
    assert user.password_hash not in text
    assert not any("hash" in key for key in data["account"])
    for token in db.session.scalars(sa.select(ApiToken)):
        assert token.token_hash not in text
    for row in db.session.scalars(sa.select(UserSession)):
        assert row.key_hash not in text


def test_the_export_of_an_evaluator_holds_assignments_declarations_and_scores():
    call = make_call(
        code="ESF-2021", opens_at=brussels(2021, 1, 1), deadline=brussels(2021, 3, 31, 23, 59, 59)
    )
    (criterion,) = criteria.set_criteria(
        None, call.id, [CriterionInput("Kwaliteit", "Quality", Decimal("100"))]
    )
    applicant = make_user("applicant")
    proposal = proposals.create_proposal(
        applicant, call.id, sorted(applicant.organisation_ids)[0], received_at=OPEN
    )
    proposals.update_proposal(
        applicant, proposal.id, complete_fields(), proposal.revision, received_at=OPEN
    )
    proposals.submit_proposal(applicant, proposal.id, received_at=OPEN)
    official = make_user("official")
    admissibility.decide_admissibility(official, proposal.id, Admissibility.admissible)
    evaluator = make_user("evaluator")
    assigned = assignment.assign(official, proposal.id, evaluator.id)
    conflicts.declare(evaluator, assigned.id, False)
    scoring.save_review(evaluator, assigned.id, {criterion.id: ("4", "Sterk praktijkgericht")})
    with force_locale("en"):
        data = json.loads(privacy.to_json(privacy.personal_data(evaluator, evaluator.id)))
    [mine] = data["evaluation"]["assignments"]
    assert mine["proposal"] == proposal.reference and mine["status"] == "accepted"
    assert mine["review"]["scores"] == [
        {"criterion": "Quality", "score": "4.0", "justification": "Sterk praktijkgericht"}
    ]
    assert data["proposals"] == []  # the applicant's proposal is not the evaluator's own


def test_nobody_exports_someone_elses_data_from_the_web():
    user, _organisation, _proposal = _applicant_with_a_submitted_proposal()
    for role in ("applicant", "official", "admin"):
        with pytest.raises(PermissionDenied):
            privacy.personal_data(make_user(role), user.id)


def _archive(response) -> tuple[dict, zipfile.ZipFile]:
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return json.loads(archive.read(privacy.ARCHIVE_DATA)), archive


def test_the_profile_downloads_ones_own_data_as_an_archive(client):
    user, _organisation, _proposal = _applicant_with_a_submitted_proposal()
    other = make_user("applicant")
    _login(client, user)
    page = client.get("/auth/profile").get_data(as_text=True)
    assert "/profile/personal-data" in page
    response = client.get("/profile/personal-data")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data, archive = _archive(response)
    assert archive.namelist() == [privacy.ARCHIVE_DATA]  # nothing uploaded: the JSON alone
    assert data["account"]["id"] == user.id
    assert other.email not in archive.read(privacy.ARCHIVE_DATA).decode("utf-8")


def test_the_export_says_which_memberships_make_one_a_member_administrator():
    user, organisation, _proposal = _applicant_with_a_submitted_proposal()
    second = make_organisation()
    organisations.add_member(None, second, user, admin=False)
    db.session.scalar(
        sa.select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation.id
        )
    ).is_admin = True
    db.session.commit()
    data = json.loads(privacy.to_json(privacy.personal_data(user, user.id)))
    flags = {m["organisation_id"]: m["is_admin"] for m in data["memberships"]}
    assert flags == {organisation.id: True, second.id: False}


def test_the_archive_holds_the_evidence_documents_the_person_uploaded(client):
    user = organisations.register_with_new_organisation(
        auth.AccountInput(email="nele@example.org", name="Nele Nieuw", password=DEFAULT_PASSWORD),
        organisations.OrganisationInput(
            legal_name="Leerhuis vzw",
            enterprise_number=valid_enterprise_number(),
            provider_type=ProviderType.private,
        ),
    )
    auth_links.verify_email(auth_links.make_link_token(user, "verify"))
    organisation = user.memberships[0].organisation
    mandate = PDF.replace(b"1 0 obj", b"1 0 obj % mandaat")
    statutes = PDF.replace(b"1 0 obj", b"1 0 obj % statuten")
    confirmation.add_evidence(user, organisation.id, "mandaat.pdf", io.BytesIO(mandate))
    confirmation.add_evidence(user, organisation.id, "statuten.pdf", io.BytesIO(statutes))
    # Someone else's evidence for another organisation is not this person's to receive.
    stranger = organisations.register_with_new_organisation(
        auth.AccountInput(email="piet@example.org", name="Piet", password=DEFAULT_PASSWORD),
        organisations.OrganisationInput(
            legal_name="Ander bv",
            enterprise_number=valid_enterprise_number(),
            provider_type=ProviderType.private,
        ),
    )
    auth_links.verify_email(auth_links.make_link_token(stranger, "verify"))
    confirmation.add_evidence(
        stranger,
        stranger.memberships[0].organisation.id,
        "ander.pdf",
        io.BytesIO(PDF.replace(b"1 0 obj", b"1 0 obj % ander")),
    )

    _login(client, user)
    data, archive = _archive(client.get("/profile/personal-data"))
    listed = data["organisation_evidence"]
    assert [e["filename"] for e in listed] == ["mandaat.pdf", "statuten.pdf"]
    assert sorted(archive.namelist()) == sorted(
        [privacy.ARCHIVE_DATA, *(e["file"] for e in listed)]
    )
    for entry, content in zip(listed, (mandate, statutes), strict=True):
        assert archive.read(entry["file"]) == content
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()
        assert entry["size"] == len(content) and entry["organisation"] == "Leerhuis vzw"
        assert "missing" not in entry

    # A document gone from the disk is still listed, and said to be missing.
    files.path_for(listed[0]["sha256"]).unlink()
    data, archive = _archive(client.get("/profile/personal-data"))
    assert data["organisation_evidence"][0]["missing"] is True
    assert listed[0]["file"] not in archive.namelist()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/profile/personal-data")
    assert response.status_code == 302 and "/auth/login" in response.location


def test_the_cli_export_prints_the_same_json(runner, tmp_path):
    user, _organisation, _proposal = _applicant_with_a_submitted_proposal()
    result = runner.invoke(args=["users", "export", "ELS@example.org"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    web = json.loads(privacy.to_json(privacy.personal_data(user, user.id)))
    printed.pop("exported_at"), web.pop("exported_at")
    assert printed == web
    target = tmp_path / "els.json"
    result = runner.invoke(args=["users", "export", user.email, "--output", str(target)])
    assert result.exit_code == 0
    assert json.loads(target.read_text())["account"]["email"] == user.email
    archive_path = tmp_path / "els.zip"
    result = runner.invoke(args=["users", "export", user.email, "-o", str(archive_path)])
    assert result.exit_code == 0
    with zipfile.ZipFile(archive_path) as archive:
        assert json.loads(archive.read(privacy.ARCHIVE_DATA))["account"]["email"] == user.email
    assert runner.invoke(args=["users", "export", "niemand@example.org"]).exit_code != 0


# ---------------------------------------------------------------- anonymising


def test_an_admin_anonymises_an_account_without_touching_versions_or_the_audit_trail(app):
    user, organisation, proposal = _applicant_with_a_submitted_proposal()
    session_key = auth_sessions.start_session(user)
    _token, plain = auth_tokens.create_token(user, user, "rapport")
    auth_password_reset.request_password_reset(user.email)  # an email waiting in the outbox
    version = db.session.scalar(
        sa.select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)
    )
    frozen = (version.fingerprint, json.dumps(version.data, sort_keys=True))
    audit_before = _audit_rows()
    admin = make_user("admin")

    privacy.anonymise(admin, user.id)

    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.email == f"anonymised-{user.id}@invalid"
    assert user.name == f"anonymised-{user.id}"
    assert not user.active and user.anonymised_at is not None
    organisation = db.session.get(Organisation, organisation.id)
    assert (organisation.contact_name, organisation.contact_email, organisation.contact_phone) == (
        user.name,
        user.email,
        "",
    )
    # login impossible, with either address and any password
    for email in ("els@example.org", user.email):
        with pytest.raises(auth.InvalidCredentials):
            auth_login.authenticate(email, DEFAULT_PASSWORD, address="10.0.0.1")
    with pytest.raises(auth.InvalidCredentials):
        auth_login.authenticate(user.email, "!anonymised", address="10.0.0.2")
    assert auth_sessions.load_user(str(user.id), session_key) is None
    assert auth_tokens.user_for_token(plain) is None
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.recipient == "els@example.org")
        )
        == 0
    )
    # what was frozen stays; earlier audit records unchanged, one new record without the address
    version = db.session.get(ProposalVersion, version.id)
    assert (version.fingerprint, json.dumps(version.data, sort_keys=True)) == frozen
    after = _audit_rows()
    assert after[: len(audit_before)] == audit_before
    new = [row[3] for row in after[len(audit_before) :]]
    assert "user.anonymised" in new and "organisation.contact_anonymised" in new
    assert "els@example.org" not in json.dumps([row[6:8] for row in after[len(audit_before) :]])
    # an anonymised account cannot be activated again, nor anonymised twice
    with pytest.raises(DomainError):
        auth.set_active(admin, user.id, True)
    with pytest.raises(auth.AlreadyAnonymised):
        privacy.anonymise(admin, user.id)


@pytest.mark.parametrize("role", ["applicant", "evaluator", "official"])
def test_only_administrators_anonymise(role):
    user, _organisation, _proposal = _applicant_with_a_submitted_proposal()
    with pytest.raises(PermissionDenied):
        privacy.anonymise(make_user(role), user.id)
    assert db.session.get(User, user.id).anonymised_at is None


def test_an_admin_cannot_anonymise_their_own_account():
    admin = make_user("admin")
    with pytest.raises(DomainError):
        privacy.anonymise(admin, admin.id)
    assert db.session.get(User, admin.id).anonymised_at is None


def test_the_page_asks_for_confirmation_first(client):
    user, _organisation, _proposal = _applicant_with_a_submitted_proposal()
    _login(client, make_user("admin"))
    page = client.get(f"/admin/users/{user.id}/anonymise")
    assert page.status_code == 200 and "els@example.org" in page.get_data(as_text=True)
    refused = client.post(f"/admin/users/{user.id}/anonymise", data={})
    assert refused.status_code == 422
    assert db.session.get(User, user.id).anonymised_at is None
    done = client.post(f"/admin/users/{user.id}/anonymise", data={"confirm": "y"})
    assert done.status_code == 302 and done.location.endswith("/auth/users")
    db.session.expire_all()
    assert db.session.get(User, user.id).anonymised_at is not None
    listing = client.get("/auth/users").get_data(as_text=True)
    assert "els@example.org" not in listing


@pytest.mark.parametrize("role", ["applicant", "evaluator", "official"])
def test_no_one_else_reaches_the_page(client, role):
    user, _organisation, _proposal = _applicant_with_a_submitted_proposal()
    _login(client, make_user(role))
    assert client.get(f"/admin/users/{user.id}/anonymise").status_code == 403
    assert (
        client.post(f"/admin/users/{user.id}/anonymise", data={"confirm": "y"}).status_code == 403
    )
    assert db.session.get(User, user.id).anonymised_at is None


def test_the_anonymised_person_is_logged_out_at_once(app, client):
    user, _organisation, _proposal = _applicant_with_a_submitted_proposal()
    _login(client, user)
    assert client.get("/auth/profile").status_code == 200
    privacy.anonymise(None, user.id)
    assert client.get("/auth/profile").status_code == 302
    response = client.post(
        "/auth/login", data={"email": "els@example.org", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200  # the form again, with an error


def test_the_cli_anonymises_after_confirmation(runner):
    user, _organisation, _proposal = _applicant_with_a_submitted_proposal()
    refused = runner.invoke(args=["users", "anonymise", user.email], input="n\n")
    assert refused.exit_code != 0
    assert db.session.get(User, user.id).anonymised_at is None
    done = runner.invoke(args=["users", "anonymise", user.email], input="y\n")
    assert done.exit_code == 0, done.output
    assert f"anonymised-{user.id}@invalid" in done.output
    db.session.expire_all()
    assert db.session.get(User, user.id).anonymised_at is not None
    again = runner.invoke(args=["users", "anonymise", f"anonymised-{user.id}@invalid", "--yes"])
    assert again.exit_code != 0


# ---------------------------------------------------------------- the privacy page


def test_the_privacy_page_is_public_and_linked_in_the_footer(client):
    home = client.get("/").get_data(as_text=True)
    assert 'href="/privacy"' in home
    page = client.get("/privacy")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Regulation (EU) 2021/1060" in body or "Verordening (EU) 2021/1060" in body
    assert "pseudoniem" in body  # Dutch by default
    client.post("/language", data={"language": "en"})
    assert "pseudonymous" in client.get("/privacy").get_data(as_text=True)
