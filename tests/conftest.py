"""Fixtures: the app on SQLite (or PostgreSQL via TEST_DATABASE_URL), clean tables per test.

Under pytest-xdist (``-n auto``) every worker has its own database: a temporary SQLite file,
or on PostgreSQL the TEST_DATABASE_URL database suffixed with the worker id (``test_gw0``),
created on first use.
"""

import gc
import os

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient

from app import create_app
from app.core.cache import cache
from app.core.db import db
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.snapshots import drop_kept_schemas, wipe


def pytest_report_header(config):
    import shutil
    import subprocess

    url = os.environ.get("TEST_DATABASE_URL") or "sqlite (temporary file)"
    browser = "none (browser journeys skipped)"
    if shutil.which("chromium"):
        browser = (
            subprocess.run(
                ["chromium", "--version"], capture_output=True, text=True, check=False
            ).stdout.strip()
            or "chromium"
        )
    return [f"database: {url.split('@')[-1]}", f"browser: {browser}"]


# Cheap enough that 1,000 accounts cost nothing; tests/auth/test_services.py checks that
# production hashes with scrypt.
FAST_PASSWORD_HASH = "pbkdf2:sha256:1"


def pytest_configure(config):
    """Fewer garbage collections: with Python's default thresholds a test process, holding
    the app, SQLAlchemy, WeasyPrint and the kept worlds, spent about 7% of its time in the
    collector, mostly in full collections (tests/reviews and tests/proposals: 3.6 of 48 s;
    with these thresholds and the app's objects frozen, 1.3 s). Cycles are still collected."""
    gc.set_threshold(10_000, 20, 20)


def pytest_collection_modifyitems(items):
    """Browser journeys are slow too; slow tests run first, so that the parallel workers
    end together on short tests instead of one waiting for a long test started last."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        return _worker_database(url, worker) if worker else url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


def _worker_database(url: str, worker: str) -> str:
    """``url`` with the worker id appended to the database name, the database created if
    missing (through the ``postgres`` maintenance database)."""
    import psycopg
    from psycopg import sql

    parsed = sa.make_url(url)
    name = f"{parsed.database}_{worker}"
    maintenance = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(
        maintenance.render_as_string(hide_password=False), autocommit=True
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return parsed.set(database=name).render_as_string(hide_password=False)


class FreshClient(FlaskClient):
    """Each request starts without the previous request's cached user and locale.

    The autouse fixture keeps one app context pushed for the whole test and requests reuse
    it, so ``g`` (where Flask-Login caches the user and Flask-Babel the locale) would
    otherwise survive from one request to the next, unlike in production.
    """

    def open(self, *args, **kwargs):
        for key in ("_login_user", "_flask_babel"):
            g.pop(key, None)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": 1,  # tests that send start their own server
            "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
            "DOCUMENTS_DIR": str(tmp_path_factory.mktemp("documents")),
            "SERVER_BASE_URL": "http://localhost",
            "PASSWORD_HASH_METHOD": FAST_PASSWORD_HASH,
            **_engine_options(database_url),
        }
    )
    app.test_client_class = FreshClient
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", _sqlite_without_fsync)
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                drop_kept_schemas(conn)
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        flask_migrate.upgrade()  # test the schema that migrations build
    gc.collect()
    gc.freeze()  # the app and the libraries it loaded: never garbage, never scanned again
    return app


def _engine_options(url: str) -> dict:
    """On PostgreSQL a commit does not wait for its WAL flush (the test database is thrown
    away; visibility, locks and constraints are unchanged)."""
    if not url.startswith("postgresql"):
        return {}
    return {
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": True,
            "connect_args": {"options": "-c synchronous_commit=off"},
        }
    }


def _sqlite_without_fsync(dbapi_connection, _record) -> None:
    """The test database is thrown away: no fsync per commit. The journal stays the app's WAL
    (app.core.db), so concurrent readers and writers behave as in production; only
    durability after a crash goes."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous = OFF")
    cursor.close()


@pytest.fixture(autouse=True)
def app_ctx(app):
    with app.app_context():
        yield
        db.session.remove()
        wipe()
        cache().clear()  # ids restart after the wipe: no answer may outlive its data


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login(client):
    def _login(user, password=DEFAULT_PASSWORD):
        response = client.post("/auth/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return _login


@pytest.fixture
def as_role(login):
    """Log the client in as a fresh user of ``role``: ``as_role("official")``."""

    def _as(role, **kwargs):
        return login(make_user(role=role, **kwargs))

    return _as
