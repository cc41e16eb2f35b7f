"""Operators' commands: users, tokens (seed-demo: tests/test_demo.py)."""

from app.auth import login as auth_login
from app.auth import services as auth_services
from app.core.permissions import Role
from tests.factories import DEFAULT_PASSWORD, make_organisation, valid_enterprise_number


def _create(runner, email, *extra, password=DEFAULT_PASSWORD):
    return runner.invoke(
        args=[
            "users",
            "create",
            email,
            "--name",
            "Pieter Janssens",
            "--role",
            "official",
            "--password-stdin",
            *extra,
        ],
        input=password + "\n",
    )


def test_users_create_with_password_from_stdin(runner):
    result = _create(runner, "Ambtenaar@Example.org")
    assert result.exit_code == 0, result.output
    assert "created" in result.output
    assert DEFAULT_PASSWORD not in result.output  # never echoed
    user = auth_services.get_user_by_email("ambtenaar@example.org")
    assert user is not None
    assert user.name == "Pieter Janssens"
    assert Role.official in user.roles
    assert user.email_verified_at is not None
    # The password read from stdin is the one that works.
    assert (
        auth_login.authenticate("ambtenaar@example.org", DEFAULT_PASSWORD, address="127.0.0.1").id
        == user.id
    )


def test_users_create_duplicate_email_in_other_case_fails(runner):
    assert _create(runner, "dubbel@example.org").exit_code == 0
    result = _create(runner, "DUBBEL@Example.ORG")
    assert result.exit_code != 0
    assert "Error" in result.output
    assert "email:" in result.output  # the message is in the default language (Dutch)
    assert len(auth_services.list_users()) == 1


def test_users_create_with_weak_password_fails(runner):
    result = _create(runner, "zwak@example.org", password="kort")
    assert result.exit_code != 0
    assert "password" in result.output
    assert auth_services.get_user_by_email("zwak@example.org") is None


def test_users_create_with_unknown_organisation_fails_clearly(runner):
    number = valid_enterprise_number(999)
    result = runner.invoke(
        args=[
            "users",
            "create",
            "aanvrager@example.org",
            "--name",
            "Els",
            "--role",
            "applicant",
            "--organisation",
            number,
            "--password-stdin",
        ],
        input=DEFAULT_PASSWORD + "\n",
    )
    assert result.exit_code != 0
    assert f"No organisation with enterprise number {number}" in result.output
    assert auth_services.get_user_by_email("aanvrager@example.org") is None


def test_users_create_with_known_organisation_adds_membership(runner):
    organisation = make_organisation()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "lid@example.org",
            "--name",
            "Els Lid",
            "--role",
            "applicant",
            "--organisation",
            organisation.enterprise_number,
            "--password-stdin",
        ],
        input=DEFAULT_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    user = auth_services.get_user_by_email("lid@example.org")
    assert organisation.id in user.organisation_ids
    assert user.memberships[0].is_admin  # the first member administers the organisation
    result = runner.invoke(
        args=[
            "users",
            "create",
            "tweede@example.org",
            "--name",
            "Bo Lid",
            "--role",
            "applicant",
            "--organisation",
            organisation.enterprise_number,
            "--password-stdin",
        ],
        input=DEFAULT_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert not auth_services.get_user_by_email("tweede@example.org").memberships[0].is_admin


def test_tokens_create_prints_a_working_token(runner, client):
    assert _create(runner, "token@example.org").exit_code == 0
    result = runner.invoke(args=["tokens", "create", "token@example.org", "--name", "script"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1].split()[-1]
    assert token.startswith("esf_")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["email"] == "token@example.org"


def test_tokens_create_for_unknown_user_fails(runner):
    result = runner.invoke(args=["tokens", "create", "niemand@example.org"])
    assert result.exit_code != 0
    assert "Error" in result.output
