"""Background jobs: inline in tests, with the caller's application context."""

from flask import current_app

from app.core import jobs


@jobs.job
def _config_value(key):
    return current_app.config[key]


def test_jobs_run_inline_with_the_app_context_in_tests(app):
    assert jobs.huey.immediate
    assert _config_value("SECRET_KEY").get() == "test-secret"
