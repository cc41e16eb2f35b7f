"""API tokens expire, and a new password revokes them."""

from datetime import timedelta

from app.auth import links as auth_links
from app.auth import password_reset as auth_password_reset
from app.auth import tokens as auth_tokens
from app.core.time import utcnow
from tests.factories import DEFAULT_PASSWORD, make_user

NEW_PASSWORD = "Nieuw-Fietsslot-Kompas-42"


def _me(client, plain):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})


def test_a_token_expires_after_the_configured_days(app, client):
    user = make_user()
    token, plain = auth_tokens.create_token(user, user, "rapport")
    days = app.config["API_TOKEN_DAYS"]
    assert days == 90
    assert token.expires_at - token.created_at == timedelta(days=days)
    assert _me(client, plain).status_code == 200
    assert auth_tokens.user_for_token(plain, now=token.expires_at - timedelta(seconds=1)) == user
    assert auth_tokens.user_for_token(plain, now=token.expires_at) is None


def test_an_expired_token_is_refused_by_the_api(client):
    user = make_user()
    token, plain = auth_tokens.create_token(user, user, "rapport")
    from app.core.db import db, transaction

    with transaction():
        token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.expire_all()
    assert _me(client, plain).status_code == 401


def test_a_password_change_revokes_every_token(client):
    user = make_user()
    _token, plain = auth_tokens.create_token(user, user, "rapport")
    auth_password_reset.change_password(user, DEFAULT_PASSWORD, NEW_PASSWORD)
    assert _me(client, plain).status_code == 401


def test_a_password_reset_revokes_every_token(client):
    user = make_user()
    _token, plain = auth_tokens.create_token(user, user, "rapport")
    auth_password_reset.reset_password(auth_links.make_link_token(user, "reset"), NEW_PASSWORD)
    assert _me(client, plain).status_code == 401


def test_the_expiry_shows_on_the_profile_and_in_tokens_list(client, login, runner):
    user = login(make_user())
    token, _plain = auth_tokens.create_token(user, user, "rapport")
    client.post("/language", data={"language": "en"})
    body = client.get("/auth/profile").get_data(as_text=True)
    assert "Expires" in body
    result = runner.invoke(args=["tokens", "list", user.email])
    assert result.exit_code == 0, result.output
    assert f"expires {token.expires_at.isoformat()}" in result.output
    assert "\tactive\t" in result.output
