"""How long a link to choose a password lives: the welcome link of an account an
administrator made lives days (WELCOME_TOKEN_MAX_AGE), a reset link an hour
(RESET_TOKEN_MAX_AGE); each works up to its last second and not one second later, and the
email states the real validity."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask_babel import force_locale

from app.auth import accounts
from app.auth import links as auth_links
from app.auth import password_reset as auth_password_reset
from app.core import formatting
from app.core.db import db
from app.core.email import OutboxMessage
from app.core.permissions import Role
from tests.factories import make_user

SENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Brussels
NEW_PASSWORD = "Nieuw-Fietsslot-Kompas-42"


def _link(kind: str) -> str:
    body = db.session.scalar(sa.select(OutboxMessage.body).where(OutboxMessage.kind == kind))
    match = re.search(r"https?://[^/\s]+(/auth/reset-password/[^\s]+)", body)
    assert match, body
    return match.group(1)


def _body(kind: str) -> str:
    return db.session.scalar(sa.select(OutboxMessage.body).where(OutboxMessage.kind == kind))


def _welcome(client, login, language: str = "nl") -> str:
    """An administrator makes an account at ``SENT``; the path of its welcome link."""
    with time_machine.travel(SENT, tick=False):
        login(make_user("admin"))
        response = client.post(
            "/auth/users/new",
            data={
                "name": "Lore Claes",
                "email": "lore@voorbeeld.be",
                "roles": ["evaluator"],
                "language": language,
            },
        )
        assert response.status_code == 302
        assert "/auth/users" in response.location
        client.post("/auth/logout")
    return _link("account_created")


def _opens(client, link: str, at: datetime) -> int:
    with time_machine.travel(at, tick=False):
        return client.get(link).status_code


def test_the_lifetimes_are_configured_side_by_side(app):
    assert app.config["WELCOME_TOKEN_MAX_AGE"] == 7 * 24 * 60 * 60
    assert app.config["RESET_TOKEN_MAX_AGE"] == 60 * 60


def test_a_welcome_link_works_for_seven_days_and_not_a_second_longer(app, client, login):
    link = _welcome(client, login)
    days = timedelta(seconds=app.config["WELCOME_TOKEN_MAX_AGE"])
    assert _opens(client, link, SENT + timedelta(hours=2)) == 200  # long past a reset link's hour
    assert _opens(client, link, SENT + days - timedelta(seconds=1)) == 200
    assert _opens(client, link, SENT + days + timedelta(seconds=1)) == 400
    with time_machine.travel(SENT + days + timedelta(seconds=1), tick=False):
        page = client.get(link).get_data(as_text=True)
    assert "Deze link is verlopen." in page


def test_a_welcome_link_sets_the_password_once(app, client, login):
    link = _welcome(client, login)
    with time_machine.travel(SENT + timedelta(days=6), tick=False):
        response = client.post(link, data={"password": NEW_PASSWORD})
        assert response.status_code == 302
        assert client.get(link).status_code == 400  # used: void
    response = client.post(
        "/auth/login", data={"email": "lore@voorbeeld.be", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302


def test_the_welcome_email_states_the_real_validity_in_its_reader_s_language(client, login):
    _welcome(client, login, language="nl")
    body = _body("account_created")
    assert "binnen 7 dagen, vóór 09-03-2026 10:00 (Brusselse tijd)" in body
    assert "minuten" not in body


def test_the_welcome_email_in_english(client, login):
    _welcome(client, login, language="en")
    body = _body("account_created")
    assert "within 7 days, before 9 Mar 2026 10:00 (Brussels time)" in body


def test_the_welcome_email_follows_the_configured_lifetime(app, monkeypatch):
    monkeypatch.setitem(app.config, "WELCOME_TOKEN_MAX_AGE", 3 * 24 * 60 * 60)
    admin = make_user("admin")
    with time_machine.travel(SENT, tick=False):
        accounts.create_account(admin, "Lore Claes", "lore@voorbeeld.be", {Role.evaluator}, "en")
    assert "within 3 days, before 5 Mar 2026 10:00" in _body("account_created")


def test_a_reset_link_keeps_its_hour(app, client):
    user = make_user()
    with time_machine.travel(SENT, tick=False):
        assert client.post("/auth/forgot-password", data={"email": user.email}).status_code == 200
    link = _link("password_reset")
    hour = timedelta(seconds=app.config["RESET_TOKEN_MAX_AGE"])
    assert _opens(client, link, SENT + hour - timedelta(seconds=1)) == 200
    assert _opens(client, link, SENT + hour + timedelta(seconds=1)) == 400
    assert _opens(client, link, SENT + timedelta(days=2)) == 400  # never a welcome link's days
    assert "binnen 60 minuten" in _body("password_reset")


def test_a_reset_token_is_not_read_as_a_welcome_token_nor_the_reverse():
    user = make_user()
    with time_machine.travel(SENT, tick=False):
        reset = auth_links.make_link_token(user, auth_links.RESET)
        welcome = auth_links.make_link_token(user, auth_links.WELCOME)
    with time_machine.travel(SENT + timedelta(hours=2), tick=False):
        with pytest.raises(auth_links.LinkExpired):
            auth_password_reset.check_reset_token(reset)
        assert auth_password_reset.check_reset_token(welcome) == user
        with pytest.raises(auth_links.LinkInvalid):
            auth_links.read_link_token(welcome, auth_links.VERIFY, 10**9)


@pytest.mark.parametrize(
    ("seconds", "nl", "en"),
    [
        (7 * 86400, "7 dagen", "7 days"),
        (86400, "1 dag", "1 day"),
        (7200, "2 uur", "2 hours"),
        (3600, "1 uur", "1 hour"),
        (5400, "90 minuten", "90 minutes"),
        (60, "1 minuut", "1 minute"),
        (61, "2 minuten", "2 minutes"),
    ],
)
def test_a_duration_in_words(seconds, nl, en):
    with force_locale("nl"):
        assert formatting.duration(seconds) == nl
    with force_locale("en"):
        assert formatting.duration(seconds) == en
