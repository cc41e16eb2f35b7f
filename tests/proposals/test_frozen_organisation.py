"""A submitted version keeps the organisation as it was: a later edit of the organisation
changes neither the receipt, nor the version page, nor statistics or exports as of then,
and the fingerprint covers the frozen data."""

from dataclasses import asdict
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, render_template

from app.core.db import db
from app.core.time import utcnow
from app.organisations import services as organisations
from app.organisations.models import ProviderType
from app.proposals import pdf
from app.proposals import versions as proposal_versions
from app.proposals.models import ProposalVersion
from app.reporting import exports, proposal_rows, statistics
from tests.factories import make_call, make_organisation, make_proposal, make_user


def _edit_organisation(user, organisation, **changes):
    data = organisations.OrganisationInput(
        legal_name=organisation.legal_name,
        enterprise_number=organisation.enterprise_number,
        provider_type=organisation.provider_type,
        street=organisation.street,
        postal_code=organisation.postal_code,
        city=organisation.city,
    )
    values = {**asdict(data), **changes}
    return organisations.update_organisation(
        user, organisation.id, organisations.OrganisationInput(**values)
    )


def _receipt_text(monkeypatch, proposal, version) -> str:
    monkeypatch.setattr(
        pdf, "render_pdf", lambda name, **context: render_template(name, **context).encode()
    )
    with current_app.test_request_context():  # the download helper answers a request
        response = pdf.receipt_pdf(proposal, version)
        response.direct_passthrough = False  # read the streamed file here, as a client would
        return response.get_data(as_text=True)


def test_an_edit_of_the_organisation_changes_no_receipt_nor_statistics(monkeypatch):
    organisation = make_organisation(
        legal_name="Leercentrum Noord", provider_type=ProviderType.private
    )
    applicant = make_user("applicant", organisation=organisation)
    official = make_user("official")
    call = make_call()
    proposal = make_proposal(call, applicant, submit=True)
    [version] = proposal.versions
    old_number = organisation.enterprise_number
    assert version.organisation["enterprise_number"] == old_number
    assert version.fingerprint_scheme == 3 and proposal_versions.fingerprint_matches(version)
    receipt_before = _receipt_text(monkeypatch, proposal, version)
    as_of = utcnow() + timedelta(microseconds=1)
    stats_before = statistics.call_statistics(official, call, as_of)
    rows_before = proposal_rows.submitted_proposals(official, call, as_of)
    csv_before = exports.proposals_csv(rows_before)

    new_number = make_organisation().enterprise_number  # a valid number, then freed
    db.session.execute(
        sa.text("DELETE FROM organisations WHERE enterprise_number = :n"), {"n": new_number}
    )
    # only the ESF team changes a confirmed organisation's enterprise number
    _edit_organisation(
        official,
        organisation,
        enterprise_number=new_number,
        legal_name="Leercentrum Zuid",
        provider_type=ProviderType.public,
    )
    db.session.expire_all()
    version = db.session.get(ProposalVersion, version.id)

    receipt_after = _receipt_text(monkeypatch, version.proposal, version)
    assert receipt_after == receipt_before
    assert old_number in receipt_after and new_number not in receipt_after
    assert "Leercentrum Noord" in receipt_after
    stats_after = statistics.call_statistics(official, call, as_of)
    assert stats_after.by_provider_type == stats_before.by_provider_type
    rows_after = proposal_rows.submitted_proposals(official, call, as_of)
    assert [(r.organisation, r.enterprise_number, r.provider_type) for r in rows_after] == [
        ("Leercentrum Noord", old_number, "private")
    ]
    assert exports.proposals_csv(rows_after) == csv_before
    assert proposal_versions.fingerprint_matches(version)


def test_the_version_page_shows_the_frozen_organisation(client, login):
    organisation = make_organisation(legal_name="Vormingshuis Oud")
    applicant = login(make_user("applicant", organisation=organisation))
    proposal = make_proposal(make_call(), applicant, submit=True)
    _edit_organisation(applicant, organisation, legal_name="Vormingshuis Nieuw")
    page = client.get(f"/proposals/{proposal.id}/versions/1").get_data(as_text=True)
    assert "Vormingshuis Oud" in page
    assert organisation.enterprise_number in page


def test_the_fingerprint_covers_the_frozen_organisation():
    applicant = make_user("applicant")
    proposal = make_proposal(make_call(), applicant, submit=True)
    [version] = proposal.versions
    forged = dict(version.organisation, legal_name="Iemand Anders")
    assert version.proposal.call.code  # loaded: the changes below are never saved
    db.session.expunge(version)
    version.organisation = forged
    assert not proposal_versions.fingerprint_matches(version)


def test_a_version_of_the_first_scheme_still_verifies():
    """Versions submitted before the organisation was frozen in (scheme 1: only the
    enterprise number in the header), as the migration leaves them."""
    applicant = make_user("applicant")
    proposal = make_proposal(make_call(), applicant, submit=True)
    [version] = proposal.versions
    assert version.proposal.call.code  # loaded: the changes below are never saved
    db.session.expunge(version)
    version.fingerprint_scheme = 1
    version.fingerprint = proposal_versions.fingerprint(
        {
            "reference": proposal.reference,
            "call": proposal.call.code,
            "organisation": proposal.organisation.enterprise_number,
            "version": 1,
            "submitted_at": version.submitted_at.isoformat(),
        },
        version.data,
    )
    assert proposal_versions.fingerprint_matches(version)


def test_the_migration_fills_in_existing_versions_and_they_still_verify():
    """Upgrade over a version submitted before 7c2e4a9d1f35: the organisation is filled in
    from its current data, the version keeps scheme 1 and its fingerprint verifies."""
    import flask_migrate

    organisation = make_organisation(legal_name="Oud Centrum")
    applicant = make_user("applicant", organisation=organisation)
    proposal = make_proposal(make_call(), applicant)
    submitted_at = utcnow()
    data = proposal_versions.snapshot(proposal)
    old_fingerprint = proposal_versions.fingerprint(
        {
            "reference": proposal.reference,
            "call": proposal.call.code,
            "organisation": organisation.enterprise_number,
            "version": 1,
            "submitted_at": submitted_at.isoformat(),
        },
        data,
    )
    proposal_id, number = proposal.id, organisation.enterprise_number
    db.session.commit()
    db.session.remove()
    flask_migrate.downgrade(revision="5e1f0c7a9b21")
    try:
        db.session.execute(
            sa.text(
                "INSERT INTO proposal_versions (proposal_id, number, submitted_at, data, "
                "fingerprint) VALUES (:p, 1, :at, :data, :fp)"
            ),
            {
                "p": proposal_id,
                "at": submitted_at.replace(tzinfo=None)
                if db.engine.dialect.name == "sqlite"
                else submitted_at,
                "data": __import__("json").dumps(data),
                "fp": old_fingerprint,
            },
        )
        db.session.commit()
    finally:
        db.session.remove()
        flask_migrate.upgrade()
    version = db.session.scalar(
        sa.select(ProposalVersion).where(ProposalVersion.proposal_id == proposal_id)
    )
    assert version.fingerprint_scheme == 1
    assert version.organisation == {
        "legal_name": "Oud Centrum",
        "enterprise_number": number,
        "provider_type": "private",
        "street": "Kouter 1",
        "postal_code": "9000",
        "city": "Gent",
    }
    assert proposal_versions.fingerprint_matches(version)
