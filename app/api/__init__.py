"""The JSON API under /api/v1, documented by an OpenAPI document generated from the code."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.api.core import api, bp

    api.init_app(app)
    from app.api import calls, monitoring, ranking, stats, views  # noqa: F401

    api.register_blueprint(bp, url_prefix="/api/v1")
