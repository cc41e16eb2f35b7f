"""The JSON API: bearer tokens, JSON errors."""

from app.auth import services as auth_services
from app.auth import tokens as auth_tokens
from app.auth.models import ApiToken
from app.core.db import db
from tests.factories import make_user


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _assert_json_error(response, status: int) -> None:
    assert response.status_code == status
    assert response.is_json, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"]["status"] == status
    assert body["error"]["message"]


def test_me_without_token_is_401_with_json_and_challenge(client):
    response = client.get("/api/v1/me")
    _assert_json_error(response, 401)
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")


def test_me_with_bad_token_is_401(client):
    response = client.get("/api/v1/me", headers=_bearer("esf_not-a-real-token"))
    _assert_json_error(response, 401)
    assert "WWW-Authenticate" in response.headers


def test_me_with_wrong_scheme_is_401(client):
    user = make_user("official")
    _token, plain = auth_tokens.create_token(user, user, "test")
    response = client.get("/api/v1/me", headers={"Authorization": f"Basic {plain}"})
    _assert_json_error(response, 401)


def test_me_with_valid_token(client):
    user = make_user("official", email="ambtenaar.api@example.org")
    _token, plain = auth_tokens.create_token(user, user, "test")
    response = client.get("/api/v1/me", headers=_bearer(plain))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["email"] == "ambtenaar.api@example.org"
    assert body["id"] == user.id
    assert body["roles"] == ["official"]
    assert body["organisations"] == []


def test_me_lists_an_applicants_organisation(client):
    user = make_user("applicant")
    _token, plain = auth_tokens.create_token(user, user, "test")
    body = client.get("/api/v1/me", headers=_bearer(plain)).get_json()
    assert body["roles"] == ["applicant"]
    assert body["organisations"] == sorted(o.enterprise_number for o in user.organisations)
    assert len(body["organisations"]) == 1


def test_revoked_token_is_401(client):
    user = make_user("official")
    token, plain = auth_tokens.create_token(user, user, "test")
    assert client.get("/api/v1/me", headers=_bearer(plain)).status_code == 200
    auth_tokens.revoke_token(user, token.id)
    _assert_json_error(client.get("/api/v1/me", headers=_bearer(plain)), 401)


def test_token_of_deactivated_user_is_401(client):
    admin = make_user("admin")
    user = make_user("official")
    _token, plain = auth_tokens.create_token(user, user, "test")
    auth_services.set_active(admin, user.id, False)
    _assert_json_error(client.get("/api/v1/me", headers=_bearer(plain)), 401)


def test_last_used_at_is_set_after_use(client):
    user = make_user("official")
    token, plain = auth_tokens.create_token(user, user, "test")
    token_id = token.id
    assert token.last_used_at is None
    assert client.get("/api/v1/me", headers=_bearer(plain)).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, token_id).last_used_at is not None


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/xyz")
    _assert_json_error(response, 404)
