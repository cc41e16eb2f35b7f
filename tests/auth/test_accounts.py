"""The administrators' accounts page: search, filters and paging in SQL, creating an account,
and deactivation only after a confirmation that says what it does."""

import re
from urllib.parse import urlsplit

import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.auth import accounts, services
from app.auth import sessions as auth_sessions
from app.auth.models import User, UserSession
from app.core.db import db
from app.core.email import OutboxMessage
from app.core.permissions import Role
from tests.factories import make_user


def _text(response) -> str:
    return response.get_data(as_text=True)


def _count_queries(client, url: str) -> int:
    statements = []

    def _before(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", _before)
    try:
        db.session.expire_all()
        response = client.get(url)
        assert response.status_code == 200, _text(response)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", _before)
    return len(statements)


def _emails(response) -> list[str]:
    table = _text(response).split('id="accounts"', 1)[-1]
    return re.findall(r"user\d+@example\.org|[a-z.]+@voorbeeld\.be", table)


# ------------------------------------------------------------------ the list


def test_search_by_name_or_email(client, login):
    login(make_user("admin"))
    make_user("evaluator", name="Sofie Peeters", email="sofie@voorbeeld.be")
    make_user("official", name="Jan Janssens", email="jan.j@voorbeeld.be")

    by_name = client.get("/auth/users?q=peeters")
    by_email = client.get("/auth/users?q=JAN.J@")

    assert _emails(by_name) == ["sofie@voorbeeld.be"]
    assert _emails(by_email) == ["jan.j@voorbeeld.be"]
    assert 'value="peeters"' in _text(by_name)  # the search stays in the box


def test_search_treats_wildcards_as_text(client, login):
    login(make_user("admin"))
    make_user("evaluator", name="Sofie Peeters", email="sofie@voorbeeld.be")

    response = client.get("/auth/users?q=%25")

    assert response.status_code == 200
    assert 'id="no-accounts"' in _text(response)


def test_filter_by_role_and_status_in_the_url(client, login):
    admin = login(make_user("admin"))
    evaluator = make_user("evaluator", email="eva@voorbeeld.be")
    gone = make_user("evaluator", email="weg@voorbeeld.be")
    make_user("official", email="ambt@voorbeeld.be")
    services.set_active(admin, gone.id, False)

    evaluators = client.get("/auth/users?role=evaluator")
    active_evaluators = client.get("/auth/users?role=evaluator&active=yes")
    deactivated = client.get("/auth/users?active=no")

    assert sorted(_emails(evaluators)) == [evaluator.email, gone.email]
    assert _emails(active_evaluators) == [evaluator.email]
    assert _emails(deactivated) == [gone.email]
    assert '<option value="evaluator" selected>' in _text(active_evaluators)


def test_unknown_filter_values_show_everything(client, login):
    login(make_user("admin"))
    make_user("evaluator")

    response = client.get("/auth/users?role=king&active=maybe&page=x")

    assert response.status_code == 200
    assert len(_emails(response)) == 2


def test_the_list_is_paged_by_fifty_keeping_the_filters(client, login):
    login(make_user("admin"))
    for _ in range(55):
        make_user("evaluator")

    first = client.get("/auth/users?role=evaluator")
    second = client.get("/auth/users?role=evaluator&page=2")

    assert len(_emails(first)) == 50
    assert len(_emails(second)) == 5
    assert "/auth/users?role=evaluator&amp;page=2" in _text(first)


def test_query_count_does_not_grow_with_the_accounts(client, login):
    login(make_user("admin"))
    for _ in range(3):
        make_user("evaluator")
    small = _count_queries(client, "/auth/users")
    for _ in range(60):
        make_user("official")

    large = _count_queries(client, "/auth/users")

    assert large == small
    assert large <= 8


def test_search_accounts_requires_an_administrator(app):
    official = make_user("official")
    try:
        accounts.search_accounts(official, accounts.AccountFilters(), {})
    except Exception as exc:  # PermissionDenied
        assert type(exc).__name__ == "PermissionDenied"
    else:  # pragma: no cover
        raise AssertionError("an official listed the accounts")


def test_only_administrators_see_the_accounts(client, login):
    login(make_user("official"))
    assert client.get("/auth/users").status_code == 403
    assert client.get("/auth/users/new").status_code == 403


# ------------------------------------------------------------------ creating


def test_an_administrator_creates_an_account_whose_owner_chooses_the_password(client, login):
    login(make_user("admin"))

    response = client.post(
        "/auth/users/new",
        data={
            "name": "Lore Claes",
            "email": "lore@voorbeeld.be",
            "roles": ["evaluator"],
            "language": "en",
        },
    )

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).query == "q=lore@voorbeeld.be"
    user = db.session.scalar(sa.select(User).where(User.email == "lore@voorbeeld.be"))
    assert user.roles == {Role.evaluator} and user.active and user.email_verified_at
    message = db.session.scalar(sa.select(OutboxMessage))
    assert (message.kind, message.recipient) == ("account_created", "lore@voorbeeld.be")
    assert "/auth/reset-password/" in message.body
    assert "user.created" in set(db.session.scalars(sa.select(AuditRecord.action)))


def test_creating_an_account_with_a_taken_address_keeps_the_input(client, login):
    login(make_user("admin"))
    make_user("evaluator", email="bezet@voorbeeld.be")

    response = client.post(
        "/auth/users/new",
        data={"name": "Tweede Persoon", "email": "bezet@voorbeeld.be", "language": "nl"},
    )

    assert response.status_code == 422
    assert "Tweede Persoon" in _text(response)
    assert "Er bestaat al een account met dit e-mailadres." in _text(response)


def test_creating_an_account_names_each_missing_field(client, login):
    login(make_user("admin"))

    response = client.post("/auth/users/new", data={})

    assert response.status_code == 422
    assert "Vul de volledige naam in." in _text(response)
    assert "Vul het e-mailadres in." in _text(response)


# ------------------------------------------------------------------ deactivating


def test_deactivating_shows_what_will_happen_first(client, login):
    login(make_user("admin"))
    user = make_user("evaluator", name="Sofie Peeters")

    response = client.post(f"/auth/users/{user.id}/active", data={"active": "0"})
    page = client.get(response.headers["Location"])

    assert urlsplit(response.headers["Location"]).path == f"/auth/users/{user.id}/deactivate"
    db.session.refresh(user)
    assert user.active  # nothing happened yet
    assert "Het account van Sofie Peeters deactiveren?" in _text(page)
    assert "niet meer inloggen" in _text(page)


def test_confirming_deactivates_and_logs_the_account_out(client, login):
    admin = login(make_user("admin"))
    user = make_user("evaluator")
    auth_sessions.start_session(user)

    response = client.post(f"/auth/users/{user.id}/deactivate")

    assert response.status_code == 302
    db.session.refresh(user)
    assert not user.active
    sessions = db.session.scalar(
        sa.select(sa.func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    )
    assert sessions == 0
    record = db.session.scalar(
        sa.select(AuditRecord).where(AuditRecord.action == "user.deactivated")
    )
    assert record.actor_id == admin.id


def test_an_administrator_cannot_deactivate_themselves(client, login):
    admin = login(make_user("admin"))

    page = client.get(f"/auth/users/{admin.id}/deactivate")
    client.post(f"/auth/users/{admin.id}/deactivate")

    assert "U kunt uw eigen account niet deactiveren." in _text(page)
    db.session.refresh(admin)
    assert admin.active


def test_activating_again_needs_no_confirmation(client, login):
    admin = login(make_user("admin"))
    user = make_user("evaluator")
    services.set_active(admin, user.id, False)

    response = client.post(f"/auth/users/{user.id}/active", data={"active": "1"})

    assert response.status_code == 302
    db.session.refresh(user)
    assert user.active


def test_others_may_not_deactivate(client, login):
    login(make_user("official"))
    user = make_user("evaluator")

    assert client.get(f"/auth/users/{user.id}/deactivate").status_code == 403
    assert client.post(f"/auth/users/{user.id}/deactivate").status_code == 403
    db.session.refresh(user)
    assert user.active


def test_deactivating_an_unknown_account_is_not_found(client, login):
    login(make_user("admin"))
    assert client.get("/auth/users/999999/deactivate").status_code == 404
