from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.auth import links as auth_links
from app.auth import login as auth_login
from app.auth import password_reset as auth_password_reset
from app.auth import services
from app.auth import tokens as auth_tokens
from app.auth.passwords import check_password
from app.config import DefaultConfig
from app.core import throttle
from app.core.db import db
from app.core.email import OutboxMessage
from app.core.errors import NotFound, PermissionDenied, Throttled, ValidationFailed
from app.core.permissions import Role
from app.core.time import utcnow
from app.organisations import memberships as organisation_memberships
from app.organisations import services as organisations
from app.organisations.models import MembershipStatus, ProviderType
from tests.factories import DEFAULT_PASSWORD, make_organisation, make_user, valid_enterprise_number


def account(email="nieuw@example.org", password=DEFAULT_PASSWORD):
    return services.AccountInput(email=email, name="Nieuwe Aanvrager", password=password)


def test_email_is_unique_regardless_of_case():
    make_user(email="Els@Example.org")
    with pytest.raises(ValidationFailed) as exc:
        services.create_user(None, account(email="els@example.ORG"), roles={Role.applicant})
    assert "email" in exc.value.errors  # administrators and the command line are told


def test_self_registration_with_a_taken_address_tells_its_owner_not_the_registrant():
    owner = make_user(email="Els@Example.org")
    assert services.register_applicant(account(email="els@example.ORG")) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(services.User)) == 1
    message = db.session.scalar(sa.select(OutboxMessage))
    assert (message.kind, message.recipient) == ("registration_attempt", owner.email)
    assert "/auth/forgot-password" in message.body


@pytest.mark.parametrize(
    "password", ["kort-wacht", "password1234", "aaaaaaaaaaaaaaaa", "qwertyuiop123"]
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationFailed) as exc:
        services.register_applicant(account(password=password))
    assert "password" in exc.value.errors


def test_password_hash_is_strong_and_never_the_password(app, monkeypatch):
    """The tests hash cheaply (see conftest); production hashes with scrypt, and a cheap
    hash from before still logs in."""
    assert app.config["PASSWORD_HASH_METHOD"] != "scrypt"  # the fast test loop
    cheap = make_user().password_hash
    assert DefaultConfig.PASSWORD_HASH_METHOD == "scrypt"
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", DefaultConfig.PASSWORD_HASH_METHOD)
    user = make_user()
    assert user.password_hash.startswith("scrypt:32768:8:1$")  # werkzeug's cost parameters
    assert DEFAULT_PASSWORD not in user.password_hash
    assert check_password(user.password_hash, DEFAULT_PASSWORD)
    assert not check_password(user.password_hash, DEFAULT_PASSWORD + "x")
    assert check_password(cheap, DEFAULT_PASSWORD)


def test_registration_with_a_new_organisation_is_one_transaction():
    number = valid_enterprise_number()
    user = organisations.register_with_new_organisation(
        account(),
        organisations.OrganisationInput(
            legal_name="Leerhuis vzw",
            enterprise_number=number.replace(".", ""),
            provider_type=ProviderType.private,
        ),
    )
    assert user.organisations[0].enterprise_number == number
    assert user.memberships[0].status is MembershipStatus.active
    assert db.session.scalar(sa.select(OutboxMessage.kind)) == "verify_email"
    actions = set(db.session.scalars(sa.select(AuditRecord.action)))
    assert {"user.registered", "organisation.registered", "membership.created"} <= actions


def test_registration_with_a_bad_enterprise_number_creates_nothing():
    with pytest.raises(ValidationFailed) as exc:
        organisations.register_with_new_organisation(
            account(),
            organisations.OrganisationInput(
                legal_name="Leerhuis vzw",
                enterprise_number="0403.170.702",
                provider_type=ProviderType.private,
            ),
        )
    assert "enterprise_number" in exc.value.errors
    assert services.get_user_by_email("nieuw@example.org") is None


def test_join_request_needs_approval_by_a_member():
    organisation = make_organisation()
    member = make_user(organisation=organisation)
    user = organisation_memberships.register_to_join(account(), organisation.enterprise_number)
    assert user.organisation_ids == frozenset()
    membership = user.memberships[0]
    with pytest.raises(NotFound):  # not a member yet: the organisation is not theirs to see
        organisation_memberships.decide_membership(user, membership.id, True)
    organisation_memberships.decide_membership(member, membership.id, True)
    assert organisation.id in user.organisation_ids
    kinds = list(db.session.scalars(sa.select(OutboxMessage.kind).order_by(OutboxMessage.id)))
    assert kinds == ["verify_email", "membership_requested", "membership_decided"]


def test_throttling_slows_the_same_address_down_and_forgets_after_a_quiet_window():
    user = make_user()
    now = utcnow()
    for _ in range(5):
        with pytest.raises(services.InvalidCredentials):
            auth_login.authenticate(user.email, "wrong-password!", address="10.0.0.1", now=now)
    with pytest.raises(Throttled) as exc:  # even the right password waits on this address
        auth_login.authenticate(user.email, DEFAULT_PASSWORD, address="10.0.0.1", now=now)
    assert exc.value.retry_after == 30
    # After a window without attempts the account works again and the count is gone.
    later = now + timedelta(minutes=16)
    assert (
        auth_login.authenticate(user.email, DEFAULT_PASSWORD, address="10.0.0.1", now=later) == user
    )
    assert throttle.attempts(f"login:acct:{user.email}|10.0.0.1") == 0


def test_throttling_per_address():
    now = utcnow()
    for i in range(20):
        with pytest.raises(services.InvalidCredentials):
            auth_login.authenticate(f"nobody{i}@example.org", "x" * 12, address="10.9.9.9", now=now)
    user = make_user()
    with pytest.raises(Throttled):
        auth_login.authenticate(user.email, DEFAULT_PASSWORD, address="10.9.9.9", now=now)
    assert auth_login.authenticate(user.email, DEFAULT_PASSWORD, address="10.9.9.8", now=now)


def test_inactive_user_cannot_log_in():
    admin = make_user(Role.admin)
    user = make_user()
    services.set_active(admin, user.id, False)
    with pytest.raises(services.AccountInactive):
        auth_login.authenticate(user.email, DEFAULT_PASSWORD, address="10.0.0.1")


def test_reset_link_is_single_use():
    user = make_user()
    token = auth_links.make_link_token(user, "reset")
    auth_password_reset.reset_password(token, "Een-Nieuw-Sterk-Wachtwoord")
    with pytest.raises(auth_links.LinkInvalid):
        auth_password_reset.reset_password(token, "Nog-Een-Ander-Wachtwoord")


def test_reset_link_expires(app):
    user = make_user()
    token = auth_links.make_link_token(user, "reset")
    app.config["RESET_TOKEN_MAX_AGE"] = -1
    try:
        with pytest.raises(auth_links.LinkExpired):
            auth_password_reset.check_reset_token(token)
    finally:
        app.config["RESET_TOKEN_MAX_AGE"] = 3600


def test_tokens_are_stored_hashed_and_revocable():
    user = make_user(Role.official)
    token, plain = auth_tokens.create_token(user, user, "rapport")
    assert plain not in token.token_hash and len(token.token_hash) == 64
    assert auth_tokens.user_for_token(plain) == user
    assert token.last_used_at is not None
    auth_tokens.revoke_token(user, token.id)
    assert auth_tokens.user_for_token(plain) is None


def test_only_admins_manage_roles():
    official = make_user(Role.official)
    other = make_user(Role.evaluator)
    with pytest.raises(PermissionDenied):
        services.set_roles(official, other.id, {Role.admin})
    admin = make_user(Role.admin)
    services.set_roles(admin, other.id, {Role.evaluator, Role.official})
    assert other.roles == {Role.evaluator, Role.official}
    record = db.session.scalars(
        sa.select(AuditRecord).where(AuditRecord.action == "user.roles_changed")
    ).one()
    assert record.before == {"roles": ["evaluator"]}
    assert record.after == {"roles": ["evaluator", "official"]}
