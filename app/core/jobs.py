"""Background jobs through huey: long work never runs in a web worker.

Storage: a SQLite file beside the database (``instance/jobs.sqlite``, or
``PORTAL_JOBS_FILE``) by default, Redis when ``REDIS_URL`` is set, so several workers on
several machines share one queue. Tests (``JOBS_IMMEDIATE``) run each job inline, at once.
Start a worker with ``flask --app app jobs worker``; ``make run`` starts one.

A job is a plain function decorated with :func:`job`; call it as usual to enqueue it. It runs
inside an application context (the worker's app, or the caller's in immediate mode), so it
calls the same services as the views and the CLI.
"""

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app, has_app_context
from flask.cli import AppGroup, with_appcontext
from huey import Huey, RedisHuey, SqliteHuey

_INSTANCE = Path(__file__).resolve().parents[2] / "instance"


def _make_huey() -> Huey:
    if url := os.environ.get("REDIS_URL"):
        return RedisHuey("portal", url=url)
    path = os.environ.get("PORTAL_JOBS_FILE") or str(_INSTANCE / "jobs.sqlite")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("portal", filename=path)


huey = _make_huey()
_worker_app: Flask | None = None


def init_app(app: Flask) -> None:
    """Immediate mode (jobs run inline, in memory) when the app is configured for it."""
    if app.config.get("JOBS_IMMEDIATE", app.testing):
        huey.immediate = True


def job(fn: Callable[..., Any]) -> Any:
    """Turn ``fn`` into a background job with an application context."""

    @huey.task(name=f"{fn.__module__}.{fn.__name__}")  # type: ignore[untyped-decorator]
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            return fn(*args, **kwargs)
        if _worker_app is None:
            raise RuntimeError("start workers with `flask --app app jobs worker`")
        with _worker_app.app_context():
            return fn(*args, **kwargs)

    return run


jobs_cli = AppGroup("jobs", help="Background jobs.")


@jobs_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Threads taking jobs.")
@with_appcontext
def worker_command(workers: int) -> None:
    """Take jobs from the queue until stopped (Ctrl-C or SIGTERM)."""
    global _worker_app
    _worker_app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(f"Job worker with {workers} threads on {type(huey.storage).__name__}")
    huey.create_consumer(workers=workers, worker_type="thread").run()
