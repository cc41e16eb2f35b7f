"""Account pages through HTTP: the refusals as much as the happy paths."""

import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.auth import links as auth_links
from app.auth import services
from app.auth import tokens as auth_tokens
from app.auth.models import ApiToken, User
from app.core.db import db
from app.core.email import OutboxMessage
from app.organisations.models import Membership, MembershipStatus, Organisation
from tests.factories import DEFAULT_PASSWORD, make_user, valid_enterprise_number

WRONG_CREDENTIALS = "The email address or password is not correct."
THROTTLED = "Too many attempts. Try again in"
NEW_PASSWORD = "Nieuw-Fietsslot-Kompas-42"


def english(client):
    """Switch the client's session to English so messages can be compared."""
    assert client.post("/language", data={"language": "en"}).status_code == 302


def post_login(client, email, password, **kwargs):
    return client.post("/auth/login", data={"email": email, "password": password}, **kwargs)


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


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def link_in(body: str, path: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(path)}[^\s]+)", body)
    assert match, body
    return match.group(1)


# ---------------------------------------------------------------- logging in


def test_wrong_password_shows_the_message(client):
    user = make_user()
    english(client)
    response = post_login(client, user.email, "Niet-Het-Goede-Wachtwoord-1")
    assert response.status_code == 200
    assert WRONG_CREDENTIALS in response.get_data(as_text=True)
    assert client.get("/auth/profile").status_code == 302  # still not logged in


def test_unknown_email_gets_the_same_message(client):
    english(client)
    response = post_login(client, "niemand@example.org", DEFAULT_PASSWORD)
    assert response.status_code == 200
    assert WRONG_CREDENTIALS in response.get_data(as_text=True)


def test_login_is_throttled_after_five_failures_per_account(client):
    user = make_user()
    english(client)
    for _ in range(5):
        assert post_login(client, user.email, "Fout-Wachtwoord-123").status_code == 200
    response = post_login(client, user.email.upper(), DEFAULT_PASSWORD)  # the right one
    assert response.status_code == 429
    assert THROTTLED in response.get_data(as_text=True)
    assert client.get("/auth/profile").status_code == 302


def test_throttling_per_account_does_not_block_other_accounts(client):
    user, other = make_user(), make_user()
    for _ in range(5):
        post_login(client, user.email, "Fout-Wachtwoord-123")
    assert post_login(client, other.email, DEFAULT_PASSWORD).status_code == 302


def test_login_is_throttled_per_client_address(client):
    user = make_user()
    english(client)
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    for n in range(20):
        response = post_login(
            client, f"gok{n}@example.org", "Fout-Wachtwoord-123", environ_base=attacker
        )
        assert response.status_code == 200
    response = post_login(client, user.email, DEFAULT_PASSWORD, environ_base=attacker)
    assert response.status_code == 429
    assert THROTTLED in response.get_data(as_text=True)
    # the same account from another address is not blocked
    response = post_login(
        client, user.email, DEFAULT_PASSWORD, environ_base={"REMOTE_ADDR": "198.51.100.7"}
    )
    assert response.status_code == 302


def test_inactive_user_cannot_log_in(client):
    admin = make_user("admin")
    user = make_user()
    services.set_active(admin, user.id, False)
    english(client)
    response = post_login(client, user.email, DEFAULT_PASSWORD)
    assert response.status_code == 200
    assert "This account has been deactivated." in response.get_data(as_text=True)
    assert client.get("/auth/profile").status_code == 302


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "https:/evil.example", "javascript:alert(1)"],
)
def test_login_refuses_an_open_redirect(client, target):
    user = make_user()
    response = client.post(
        "/auth/login",
        query_string={"next": target},
        data={"email": user.email, "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert not location.netloc or location.netloc == "localhost"
    assert location.path == "/"


def test_login_follows_a_local_next(client):
    user = make_user()
    response = client.post(
        "/auth/login",
        query_string={"next": "/auth/profile"},
        data={"email": user.email, "password": DEFAULT_PASSWORD},
    )
    assert urlsplit(response.headers["Location"]).path == "/auth/profile"


def test_login_page_redirects_to_login_with_next(client):
    response = client.get("/auth/profile")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/login"
    assert "next=" in location.query


def test_missing_csrf_token_gives_400(app, client):
    user = make_user()
    records = count(AuditRecord)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = post_login(client, user.email, DEFAULT_PASSWORD)
        assert response.status_code == 400
        response = client.post("/language", data={"language": "en"})
        assert response.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert count(AuditRecord) == records  # no login recorded
    assert post_login(client, user.email, DEFAULT_PASSWORD).status_code == 302


def test_applicant_gets_403_on_admin_and_audit_pages(client, login):
    login(make_user("applicant"))
    assert client.get("/auth/users").status_code == 403
    assert client.get("/audit/").status_code == 403


def test_logout_ends_the_session(client, login):
    login(make_user())
    assert client.get("/auth/profile").status_code == 200
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/auth/profile").status_code == 302


# ---------------------------------------------------------------- registration


def test_registration_with_a_new_organisation(client):
    data = registration(email="Nele@Example.org")
    response = client.post("/auth/register", data=data)
    assert response.status_code == 200
    assert "nele@example.org" in response.get_data(as_text=True).lower()

    user = db.session.scalar(sa.select(User))
    assert user.email == "Nele@example.org"  # domain lower-cased
    assert user.email_verified_at is None
    organisation = db.session.scalar(sa.select(Organisation))
    assert organisation.legal_name == "Leerhuis vzw"
    membership = db.session.scalar(sa.select(Membership))
    assert (membership.user_id, membership.organisation_id) == (user.id, organisation.id)
    assert membership.status is MembershipStatus.active

    message = db.session.scalar(sa.select(OutboxMessage))
    assert (message.kind, message.recipient) == ("verify_email", user.email)
    actions = set(db.session.scalars(sa.select(AuditRecord.action)))
    assert {"user.registered", "organisation.registered", "membership.created"} <= actions

    # the verification link in the email works
    response = client.get(link_in(message.body, "/auth/verify/"))
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/login"
    db.session.refresh(user)
    assert user.email_verified_at is not None
    assert "user.email_verified" in set(db.session.scalars(sa.select(AuditRecord.action)))

    # and the new applicant can log in and sees the organisation
    assert post_login(client, data["email"], data["password"]).status_code == 302
    assert client.get(f"/organisations/{organisation.id}").status_code == 200


def test_tampered_verification_link_is_refused(client):
    user = make_user(verified=False)
    token = auth_links.make_link_token(user, "verify")
    english(client)
    response = client.get(f"/auth/verify/{token[:-2]}xx")
    assert response.status_code == 400
    assert "This link is not valid." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.email_verified_at is None


def test_registration_refuses_an_invalid_enterprise_number(client):
    english(client)
    response = client.post("/auth/register", data=registration(enterprise_number="0123.456.748"))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="enterprise_number-error"' in body
    assert "Enter a valid enterprise number" in body
    assert count(User) == 0
    assert count(Organisation) == 0
    assert count(Membership) == 0
    assert count(OutboxMessage) == 0
    assert count(AuditRecord) == 0


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Kort-1", "Use at least 12 characters."),
        ("password1234", "This password is too common."),
    ],
)
def test_registration_enforces_the_password_policy(client, password, message):
    english(client)
    response = client.post("/auth/register", data=registration(password=password))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="password-error"' in body
    assert message in body
    assert count(User) == 0


# ---------------------------------------------------------------- password reset


def request_reset(client, user) -> str:
    response = client.post("/auth/forgot-password", data={"email": user.email})
    assert response.status_code == 200
    message = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "password_reset")
    )
    return link_in(message.body, "/auth/reset-password/")


def test_forgot_password_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    known = make_user()
    body_known = client.post("/auth/forgot-password", data={"email": known.email})
    body_unknown = client.post("/auth/forgot-password", data={"email": "niemand@example.org"})
    assert body_known.status_code == body_unknown.status_code == 200
    assert count(OutboxMessage) == 1


def test_reset_link_changes_the_password_once(client):
    user = make_user()
    link = request_reset(client, user)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW_PASSWORD})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/login"
    assert post_login(client, user.email, NEW_PASSWORD).status_code == 302
    client.post("/auth/logout")

    # single use: the password hash changed, so the link is void
    english(client)
    for method in (client.get, client.post):
        response = method(link, data={"password": "Nog-Een-Ander-Wachtwoord-7"})
        assert response.status_code == 400
        assert "This link is not valid." in response.get_data(as_text=True)
    assert post_login(client, user.email, "Nog-Een-Ander-Wachtwoord-7").status_code == 200


def test_expired_reset_link_is_refused(app, client, monkeypatch):
    user = make_user()
    link = request_reset(client, user)
    monkeypatch.setitem(app.config, "RESET_TOKEN_MAX_AGE", -1)
    english(client)
    response = client.get(link)
    assert response.status_code == 400
    assert "This link has expired." in response.get_data(as_text=True)
    response = client.post(link, data={"password": NEW_PASSWORD})
    assert response.status_code == 400
    assert post_login(client, user.email, NEW_PASSWORD).status_code == 200  # unchanged


def test_reset_refuses_a_weak_password(client):
    user = make_user()
    link = request_reset(client, user)
    english(client)
    response = client.post(link, data={"password": "password1234"})
    assert response.status_code == 200
    assert "This password is too common." in response.get_data(as_text=True)
    assert post_login(client, user.email, DEFAULT_PASSWORD).status_code == 302


def test_a_verify_link_is_not_a_reset_link(client):
    user = make_user()
    token = auth_links.make_link_token(user, "verify")
    assert client.get(f"/auth/reset-password/{token}").status_code == 400


# ---------------------------------------------------------------- language


def test_language_switch(client):
    assert 'lang="nl"' in client.get("/").get_data(as_text=True)
    response = client.post("/language", data={"language": "en"})
    assert response.status_code == 302
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)


def test_language_switch_ignores_unknown_languages_and_foreign_next(client):
    response = client.post("/language", data={"language": "xx", "next": "https://evil.example/"})
    assert urlsplit(response.headers["Location"]).path == "/"
    assert not urlsplit(response.headers["Location"]).netloc.endswith("evil.example")
    assert '<html lang="nl"' in client.get("/").get_data(as_text=True)


def test_the_language_switch_does_not_change_the_language_of_letters(client, login):
    user = login(make_user(language="nl"))
    client.post("/language", data={"language": "en"})
    db.session.refresh(user)
    assert user.language == "nl"
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("page_language", "shown"), [("nl", "Taal van brieven"), ("en", "Language of letters")]
)
def test_the_profile_shows_the_language_of_letters(client, login, page_language, shown):
    login(make_user(language="en"))
    client.post("/language", data={"language": page_language})
    page = client.get("/auth/profile").get_data(as_text=True)
    assert shown in page
    assert '<dd class="govuk-summary-list__value" id="letter-language-now">English</dd>' in page
    assert re.search(r'value="en"\s+checked|checked[^>]*value="en"', page)


def test_the_profile_sets_the_language_of_letters_and_audits_it(client, login):
    user = login(make_user(language="nl"))
    response = client.post("/auth/profile/letter-language", data={"language": "en"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.language == "en"
    record = db.session.scalars(
        sa.select(AuditRecord).filter_by(action="user.letter_language_changed")
    ).one()
    assert (record.before, record.after) == ({"language": "nl"}, {"language": "en"})
    # the pages stay Dutch: only the letters changed
    assert '<html lang="nl"' in client.get("/auth/profile").get_data(as_text=True)


def test_an_unknown_language_of_letters_is_refused(client, login):
    user = login(make_user(language="nl"))
    response = client.post("/auth/profile/letter-language", data={"language": "xx"})
    assert response.status_code == 422
    db.session.refresh(user)
    assert user.language == "nl"


def test_logging_in_keeps_the_page_language_chosen_before(client):
    user = make_user(language="nl")
    client.post("/language", data={"language": "en"})
    client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)


# ---------------------------------------------------------------- API tokens


def test_create_and_revoke_an_api_token(client, login):
    user = login(make_user())
    response = client.post("/auth/profile/tokens", data={"name": "rapportage"})
    assert response.status_code == 200
    match = re.search(
        r'id="new-token"[^>]*>(esf_[A-Za-z0-9_\-]+)<', response.get_data(as_text=True)
    )
    assert match, "the new token is shown"
    plain = match.group(1)

    headers = {"Authorization": f"Bearer {plain}"}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["email"] == user.email

    profile = client.get("/auth/profile").get_data(as_text=True)
    assert plain not in profile  # shown once only
    assert "rapportage" in profile

    token = db.session.scalar(sa.select(ApiToken))
    assert token.token_hash != plain
    response = client.post(f"/auth/profile/tokens/{token.id}/revoke")
    assert response.status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert {"api_token.created", "api_token.revoked"} <= set(
        db.session.scalars(sa.select(AuditRecord.action))
    )


def test_a_token_without_a_name_is_not_created(client, login):
    login(make_user())
    response = client.post("/auth/profile/tokens", data={"name": ""})
    assert response.status_code == 200
    assert 'id="new-token"' not in response.get_data(as_text=True)
    assert count(ApiToken) == 0


def test_someone_elses_token_cannot_be_revoked(client, login):
    owner = make_user()
    token, plain = auth_tokens.create_token(owner, owner, "eigen")
    login(make_user())
    assert client.post(f"/auth/profile/tokens/{token.id}/revoke").status_code == 404
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200


def test_api_rejects_garbage_and_other_schemes(client):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer esf_nope"}).status_code == 401
    user = make_user()
    _token, plain = auth_tokens.create_token(user, user, "t")
    assert client.get("/api/v1/me", headers={"Authorization": f"Basic {plain}"}).status_code == 401
