"""Server-side sessions: logging out, logging out everywhere and a password change end
sessions at once, even for a cookie copied before; the cookie holds no part of the hash."""

from app.auth import links as auth_links
from app.auth import password_reset as auth_password_reset
from app.auth import sessions as auth_sessions
from app.auth.models import User
from app.core.db import db
from tests.factories import DEFAULT_PASSWORD, make_user

NEW_PASSWORD = "Nieuw-Fietsslot-Kompas-42"


def _login(client, user, password=DEFAULT_PASSWORD):
    response = client.post("/auth/login", data={"email": user.email, "password": password})
    assert response.status_code == 302


def _cookie(app, client) -> str:
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def _with_cookie(app, value):
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], value)
    return other


def _logged_in(client) -> bool:
    return client.get("/auth/profile").status_code == 200


def test_a_cookie_copied_before_logout_no_longer_works(app, client):
    user = make_user()
    _login(client, user)
    copied = _cookie(app, client)
    assert _logged_in(_with_cookie(app, copied))

    assert client.post("/auth/logout").status_code == 302

    assert not _logged_in(client)
    assert not _logged_in(_with_cookie(app, copied))


def test_the_session_cookie_holds_no_part_of_the_password_hash(app, client):
    user = make_user()
    _login(client, user)
    with client.session_transaction() as stored:
        values = [str(v) for v in dict(stored).values()]
    assert stored["_user_id"] == str(user.id)
    fragment = db.session.get(User, user.id).password_hash[-12:]
    assert not any(fragment in value for value in values)


def test_logging_out_elsewhere_keeps_this_session(app, client):
    user = make_user()
    _login(client, user)
    laptop = app.test_client()
    _login(laptop, user)
    laptop.post("/auth/logout")
    assert _logged_in(client)


def test_log_out_everywhere_ends_every_session_of_the_account(app, client):
    user, other = make_user(), make_user()
    _login(client, user)
    laptop, colleague = app.test_client(), app.test_client()
    _login(laptop, user)
    _login(colleague, other)
    assert auth_sessions.count_sessions(user) == 2

    response = client.post("/auth/profile/sessions/end")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/login")
    assert not _logged_in(client)
    assert not _logged_in(laptop)
    assert _logged_in(colleague)
    assert auth_sessions.count_sessions(user) == 0


def test_a_password_change_ends_the_other_sessions_but_not_this_one(app, client):
    user = make_user()
    _login(client, user)
    laptop = app.test_client()
    _login(laptop, user)
    copied = _cookie(app, laptop)

    response = client.post(
        "/auth/profile/password",
        data={"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert _logged_in(client)
    assert not _logged_in(laptop)
    assert not _logged_in(_with_cookie(app, copied))


def test_a_password_reset_ends_every_session(app, client):
    user = make_user()
    _login(client, user)
    auth_password_reset.reset_password(auth_links.make_link_token(user, "reset"), NEW_PASSWORD)
    assert not _logged_in(client)


def test_the_profile_offers_log_out_everywhere(client):
    user = make_user()
    _login(client, user)
    client.post("/language", data={"language": "en"})
    body = client.get("/auth/profile").get_data(as_text=True)
    assert "Log out everywhere" in body
    assert "You are logged in on 1 device or browser." in body
