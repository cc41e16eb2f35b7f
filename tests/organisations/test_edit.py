import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.core.db import db
from tests.factories import make_organisation, make_user


def _data(organisation, **changes):
    data = {
        "legal_name": organisation.legal_name,
        "enterprise_number": organisation.enterprise_number,
        "provider_type": organisation.provider_type.value,
        "city": "Brugge",
    }
    data.update(changes)
    return data


def test_a_member_edits_the_details_and_the_change_is_audited(client, login):
    organisation = make_organisation()
    login(make_user(organisation=organisation))
    response = client.post(
        f"/organisations/{organisation.id}/edit",
        data=_data(organisation, legal_name="Leerhuis Brugge vzw"),
    )
    assert response.status_code == 302
    db.session.refresh(organisation)
    assert (organisation.legal_name, organisation.city) == ("Leerhuis Brugge vzw", "Brugge")
    record = db.session.scalars(
        sa.select(AuditRecord).where(AuditRecord.action == "organisation.updated")
    ).one()
    assert record.after["legal_name"] == "Leerhuis Brugge vzw"


def test_invalid_enterprise_number_is_shown_on_the_field_and_nothing_changes(client, login):
    organisation = make_organisation()
    login(make_user(organisation=organisation))
    response = client.post(
        f"/organisations/{organisation.id}/edit",
        data=_data(organisation, enterprise_number="0403.170.702"),
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'href="#enterprise_number"' in body  # in the error summary, tied to the field
    db.session.refresh(organisation)
    assert organisation.city == "Gent"


def test_another_organisation_cannot_edit(client, login):
    organisation = make_organisation()
    login(make_user())
    assert client.get(f"/organisations/{organisation.id}/edit").status_code == 404
    assert (
        client.post(f"/organisations/{organisation.id}/edit", data=_data(organisation)).status_code
        == 404
    )
