"""Registration (/auth/register, on the organisations side): it never tells whether an account
exists, it is throttled, and a new organisation waits for an official."""

import time

import pytest
import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.auth import services as auth_services
from app.auth.models import User
from app.core import throttle
from app.core.db import db
from app.core.email import OutboxMessage
from app.core.errors import Throttled
from app.organisations import confirmation as organisation_confirmation
from app.organisations import services
from app.organisations.models import Membership, Organisation, OrganisationStatus, ProviderType
from tests.factories import DEFAULT_PASSWORD, make_organisation, make_user, valid_enterprise_number


def registration(**overrides):
    data = {
        "name": "Nele Nieuw",
        "email": "nele@example.org",
        "password": DEFAULT_PASSWORD,
        "mode": "new",
        "legal_name": "Leerhuis vzw",
        "enterprise_number": valid_enterprise_number().replace(".", ""),
        "provider_type": "private",
        "street": "Veldstraat 1",
        "postal_code": "9000",
        "city": "Gent",
    }
    data.update(overrides)
    return data


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def english(client):
    client.post("/language", data={"language": "en"})


def _same_page(one, other, email_one, email_other):
    assert one.status_code == other.status_code == 200
    assert one.get_data(as_text=True).replace(email_one, "X") == other.get_data(
        as_text=True
    ).replace(email_other, "X")


@pytest.mark.parametrize("mode", ["new", "join"])
def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(client, mode):
    owner = make_user(email="Els@Example.org")
    organisation = make_organisation()
    english(client)
    extra = {"mode": mode, "join_enterprise_number": organisation.enterprise_number}
    taken = client.post("/auth/register", data=registration(email="els@example.ORG", **extra))
    new = client.post("/auth/register", data=registration(email="nieuw@example.org", **extra))
    _same_page(taken, new, "els@example.ORG", "nieuw@example.org")
    assert "already exists" not in taken.get_data(as_text=True)
    # nothing was made for the taken address; its owner is told instead
    assert count(User, sa.func.lower(User.email) == "els@example.org") == 1
    kinds = dict(db.session.execute(sa.select(OutboxMessage.recipient, OutboxMessage.kind)).all())
    assert kinds[owner.email] == "registration_attempt"
    assert kinds["nieuw@example.org"] == "verify_email"
    assert "user.registration_refused" in set(db.session.scalars(sa.select(AuditRecord.action)))


def test_a_taken_address_with_a_wrong_field_gets_the_same_errors_as_a_new_one(client):
    make_user(email="els@example.org")
    english(client)
    bad = {"enterprise_number": "0123.456.748"}
    taken = client.post("/auth/register", data=registration(email="els@example.org", **bad))
    new = client.post("/auth/register", data=registration(email="nieuw@example.org", **bad))
    _same_page(taken, new, "els@example.org", "nieuw@example.org")
    assert "Enter a valid enterprise number" in taken.get_data(as_text=True)
    assert count(OutboxMessage) == 0


def test_the_password_is_hashed_whether_or_not_the_address_has_an_account(monkeypatch):
    """The time taken tells nothing: the slow step (hashing) runs on both paths."""
    make_user(email="els@example.org")
    hashed = []
    real = auth_services.hash_password
    monkeypatch.setattr(
        auth_services, "hash_password", lambda password: hashed.append(password) or real(password)
    )
    for email in ("els@example.org", "nieuw@example.org"):
        services.register_with_new_organisation(
            auth_services.AccountInput(email=email, name="Nele", password=DEFAULT_PASSWORD),
            services.OrganisationInput(
                legal_name="Leerhuis vzw",
                enterprise_number=valid_enterprise_number(),
                provider_type=ProviderType.private,
            ),
        )
    assert hashed == [DEFAULT_PASSWORD, DEFAULT_PASSWORD]


@pytest.mark.slow
def test_registration_timing_is_similar_with_the_production_hash(app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "scrypt")
    make_user(email="els@example.org")

    def timed(email):
        start = time.perf_counter()
        services.register_with_new_organisation(
            auth_services.AccountInput(email=email, name="Nele", password=DEFAULT_PASSWORD),
            services.OrganisationInput(
                legal_name="Leerhuis vzw",
                enterprise_number=valid_enterprise_number(),
                provider_type=ProviderType.private,
            ),
        )
        return time.perf_counter() - start

    taken = min(timed("els@example.org") for _ in range(3))
    new = min(timed(f"nieuw{n}@example.org") for n in range(3))
    assert 0.5 < taken / new < 2, (taken, new)


def test_registrations_are_throttled_per_email_address(client, app):
    english(client)
    limit = app.config["REGISTRATION_THROTTLE_MAX_PER_EMAIL"]
    for n in range(limit):  # invalid forms count too
        client.post(
            "/auth/register",
            data=registration(password="kort", name=f"N{n}"),
            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
        )
    response = client.post(
        "/auth/register", data=registration(), environ_base={"REMOTE_ADDR": "10.0.1.1"}
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many attempts. Try again in" in response.get_data(as_text=True)
    assert count(User) == 0
    # another address is not affected
    assert (
        client.post(
            "/auth/register",
            data=registration(email="ander@example.org"),
            environ_base={"REMOTE_ADDR": "10.0.1.1"},
        ).status_code
        == 200
    )
    assert count(User) == 1


def test_registrations_are_throttled_per_client_address(app):
    limit = app.config["REGISTRATION_THROTTLE_MAX_PER_ADDRESS"]
    for n in range(limit):
        auth_services.note_registration_attempt(f"a{n}@example.org", "192.0.2.7")
    with pytest.raises(Throttled):
        auth_services.note_registration_attempt("nog-een@example.org", "192.0.2.7")
    auth_services.note_registration_attempt("nog-een@example.org", "192.0.2.8")
    # counted in the shared throttle counters: the refused form took no place
    assert throttle.attempts("register:addr:192.0.2.7") == limit
    assert throttle.attempts("register:addr:192.0.2.8") == 1
    assert throttle.attempts("register:email:nog-een@example.org") == 1


def test_a_self_registered_organisation_is_pending_and_its_registrant_not_yet_admin(client):
    data = registration()
    response = client.post("/auth/register", data=data)
    assert response.status_code == 200
    organisation = db.session.scalar(sa.select(Organisation))
    user = db.session.scalar(sa.select(User))
    assert organisation.status is OrganisationStatus.pending
    assert organisation.registered_by_id == user.id
    membership = db.session.scalar(sa.select(Membership))
    assert membership.is_active and not membership.is_admin


def test_registering_a_known_number_as_new_is_refused_with_a_hint_to_join(client):
    organisation = make_organisation()
    english(client)
    response = client.post(
        "/auth/register", data=registration(enterprise_number=organisation.enterprise_number)
    )
    assert "Ask to join it instead." in response.get_data(as_text=True)
    assert count(User) == 0


def test_registering_to_join_does_not_join_but_asks_the_member_administrators(client):
    organisation = make_organisation()
    admin = make_user(organisation=organisation)
    plain = make_user(organisation=organisation)
    response = client.post(
        "/auth/register",
        data=registration(mode="join", join_enterprise_number=organisation.enterprise_number),
    )
    assert response.status_code == 200
    user = db.session.scalar(sa.select(User).where(User.email == "nele@example.org"))
    assert user.organisation_ids == frozenset()
    recipients = set(
        db.session.scalars(
            sa.select(OutboxMessage.recipient).where(OutboxMessage.kind == "membership_requested")
        )
    )
    assert recipients == {admin.email}
    assert plain.email not in recipients


def test_a_refused_number_can_be_registered_again_and_the_old_members_lose_it(client):
    official = make_user("official")
    number = valid_enterprise_number()
    squatter = services.register_with_new_organisation(
        auth_services.AccountInput(
            email="kaper@example.org", name="Kaper", password=DEFAULT_PASSWORD
        ),
        services.OrganisationInput(
            legal_name="Echte vzw", enterprise_number=number, provider_type=ProviderType.private
        ),
    )
    organisation = squatter.memberships[0].organisation
    organisation_confirmation.refuse_organisation(official, organisation.id, "Geen mandaat.")
    user = services.register_with_new_organisation(
        auth_services.AccountInput(
            email="echt@example.org", name="Echt", password=DEFAULT_PASSWORD
        ),
        services.OrganisationInput(
            legal_name="Echte vzw", enterprise_number=number, provider_type=ProviderType.private
        ),
    )
    db.session.refresh(organisation)
    db.session.refresh(squatter)
    assert organisation.status is OrganisationStatus.pending
    assert organisation.registered_by_id == user.id
    assert organisation.refusal_reason == ""
    assert squatter.organisation_ids == frozenset()
    assert user.organisation_ids == {organisation.id}


def test_the_registration_page_keeps_its_address(client):
    response = client.get("/auth/register")
    assert response.status_code == 200
    login = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/auth/register"' in login
