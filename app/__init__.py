"""The ESF e-leren grant-call portal."""

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from app.config import DefaultConfig

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build a configured portal. Tests pass ``overrides``; nothing else should."""
    app = Flask(__name__, instance_relative_config=True)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)

    app.config.from_object(DefaultConfig)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'portal.sqlite'}"
    app.config["UPLOAD_FOLDER"] = str(instance / "uploads")
    app.config.from_pyfile("config.py", silent=True)  # instance/config.py, never committed
    app.config.from_prefixed_env("PORTAL")  # PORTAL_SECRET_KEY=... in production
    if database_url := os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_database_url(database_url)
    if redis_url := os.environ.get("REDIS_URL"):
        app.config["REDIS_URL"] = redis_url
    if overrides:
        app.config.update(overrides)
    app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(instance)

    _init_extensions(app)
    from app.core.security import install_url_converters

    install_url_converters(app)
    _register_blueprints(app)

    from app.cli import register_cli
    from app.core.security import register_security
    from app.core.static import install_static_versions
    from app.errors import register_error_handlers

    register_security(app)
    install_static_versions(app)
    register_error_handlers(app)
    register_cli(app)

    from app.core.time import RecordArrival

    app.wsgi_app = RecordArrival(  # type: ignore[method-assign]
        app.wsgi_app,
        trust_request_start=app.config["TRUST_X_REQUEST_START"],
        trusted_proxies=app.config["REQUEST_START_TRUSTED_PROXIES"] or (),
    )
    hops = {
        part: int(app.config[f"PROXY_FIX_X_{part.upper()}"])
        for part in ("for", "proto", "host", "port", "prefix")
    }
    if any(hops.values()):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=hops["for"],
            x_proto=hops["proto"],
            x_host=hops["host"],
            x_port=hops["port"],
            x_prefix=hops["prefix"],
        )
    return app


def _normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever form the URL takes."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret_key(instance: Path) -> str:
    """Create a random secret key in instance/ on first run and reuse it afterwards."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _init_extensions(app: Flask) -> None:
    from app.core.db import db, init_db_events
    from app.extensions import babel, csrf, login_manager, migrate, select_locale, wtf_helpers

    db.init_app(app)
    init_db_events(app)
    migrate.init_app(
        app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    wtf_helpers.init_app(app)

    from app import templating
    from app.core import cache, jobs

    templating.init_app(app)
    jobs.init_app(app)
    cache.init_app(app)


def _register_blueprints(app: Flask) -> None:
    """Each domain keeps its blueprint beside its views; importing them adds the routes."""
    from app.audit.views import bp as audit_bp
    from app.auth.views import bp as auth_bp
    from app.calls.views import bp as calls_bp
    from app.main.views import bp as main_bp
    from app.monitoring.report_views import reports_bp as monitoring_reports_bp
    from app.monitoring.services import connect_signals
    from app.monitoring.views import bp as monitoring_bp
    from app.organisations.views import bp as organisations_bp
    from app.organisations.views import registration_bp
    from app.proposals.views import bp as proposals_bp
    from app.reporting.views import bp as reporting_bp
    from app.reviews import (  # noqa: F401  (routes on reviews_bp)
        admissibility_views,
        assignment_views,
        clock_views,
        consensus_views,
        criteria_views,
        disagreement_views,
        evaluator_views,
        objection_views,
        official_views,
        publication_views,
        quorum_views,
        ranking_views,
    )
    from app.reviews.blueprint import bp as reviews_bp

    for bp in (
        main_bp,
        auth_bp,
        registration_bp,
        organisations_bp,
        calls_bp,
        proposals_bp,
        reviews_bp,
        audit_bp,
        reporting_bp,
        monitoring_bp,
        monitoring_reports_bp,
    ):
        app.register_blueprint(bp)
    connect_signals()  # monitoring opens funded projects when a decision is published
    _register_api(app)


def _register_api(app: Flask) -> None:
    """The JSON API under /api/v1 on flask-smorest, its OpenAPI document built from the code."""
    from app.api import calls, monitoring, ranking, stats, views  # noqa: F401  (routes on api_bp)
    from app.api.core import api
    from app.api.core import bp as api_bp

    api.init_app(app)
    api.register_blueprint(api_bp, url_prefix="/api/v1")
