"""Behind the configured number of proxies, the client's address and https come from the
proxy's headers; without that setting the headers are ignored."""

import sqlalchemy as sa

from app import create_app
from app.core.db import db
from app.core.throttle import ThrottleCounter

FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


def _app(app, **overrides):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
            **overrides,
        }
    )


def _failed_login(portal):
    portal.test_client().post(
        "/auth/login",
        headers=FORWARDED,
        data={"email": "niemand@example.org", "password": "Fout-Wachtwoord-123"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    db.session.expire_all()
    key = db.session.scalar(
        sa.select(ThrottleCounter.key).where(ThrottleCounter.key.like("login:addr:%"))
    )
    return key.removeprefix("login:addr:")


def test_behind_one_trusted_proxy_the_client_address_and_https_count(app):
    portal = _app(app, PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1)
    response = portal.test_client().get("/", headers=FORWARDED)
    assert "Strict-Transport-Security" in response.headers
    assert _failed_login(portal) == "203.0.113.9"


def test_without_the_setting_forwarded_headers_are_ignored(app):
    portal = _app(app)
    response = portal.test_client().get("/", headers=FORWARDED)
    assert "Strict-Transport-Security" not in response.headers
    assert _failed_login(portal) == "10.0.0.2"
