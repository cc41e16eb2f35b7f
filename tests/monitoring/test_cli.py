"""``flask monitoring projects`` and ``flask monitoring import``: the same services."""

import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from app.core.db import db
from app.monitoring.models import Enrolment, EnrolmentImport, ImportStatus
from tests.monitoring.factories import (
    add_enrolments,
    add_training,
    csv_bytes,
    file_row,
    make_funded_project,
    xlsx_bytes,
)


def test_projects_prints_one_line_per_project_reference_first(runner):
    project, _member = make_funded_project()
    add_enrolments(project, [{"started_on": "2026-01-05"}])
    result = runner.invoke(args=["monitoring", "projects"])
    assert result.exit_code == 0
    [line] = result.output.splitlines()
    fields = line.split("\t")
    assert fields[0] == project.reference
    assert fields[3:] == ["active", "1"]


def test_import_a_file_with_an_import_day(runner, tmp_path):
    project, _member = make_funded_project()
    add_training(project, "T1")
    path = tmp_path / "januari.xlsx"
    path.write_bytes(xlsx_bytes([file_row(1, status_on=""), file_row(2)]))
    result = runner.invoke(
        args=["monitoring", "import", project.reference, str(path), "--as-of", "2026-02-03"]
    )
    assert result.exit_code == 0, result.output
    assert "2 new" in result.output
    enrolment = db.session.scalar(sa.select(Enrolment).filter_by(enrolment_id="E000001"))
    assert str(enrolment.status_on) == "2026-02-03"


def test_a_refused_file_prints_every_error_and_exits_non_zero(runner, tmp_path):
    project, _member = make_funded_project()
    add_training(project, "T1")
    path = tmp_path / "fout.csv"
    path.write_bytes(csv_bytes([file_row(1), file_row(2, mode="web", gender="v")]))
    result = runner.invoke(args=["monitoring", "import", project.reference, str(path)])
    assert result.exit_code == 1
    assert "line 3, column mode" in result.output
    assert "line 3, column gender" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 0


def test_an_unknown_project_is_a_clear_error(runner, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([file_row(1)]))
    result = runner.invoke(args=["monitoring", "import", "NOPE-1", str(path)])
    assert result.exit_code == 1
    assert "NOPE-1" in result.output


def test_a_real_job_worker_runs_an_import_queued_from_the_command_line(app, tmp_path):
    """``monitoring import --queue`` in one process, ``jobs worker`` in another, sharing a
    huey SQLite file and the test database."""
    project, _member = make_funded_project()
    add_training(project, "T1")
    path = tmp_path / "wachtrij.csv"
    path.write_bytes(csv_bytes([file_row(n) for n in range(1, 21)]))
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "PORTAL_JOBS_FILE": str(tmp_path / "jobs.sqlite"),
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "PORTAL_UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
        "PORTAL_SECRET_KEY": "worker-test",
    }
    env.pop("REDIS_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    queued = subprocess.run(
        [*flask, "monitoring", "import", project.reference, str(path), "--queue"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert queued.returncode == 0, queued.stderr
    batch_id = int(queued.stdout.split()[1])
    db.session.expire_all()
    assert db.session.get(EnrolmentImport, batch_id).status is ImportStatus.queued
    worker = subprocess.Popen(
        [*flask, "jobs", "worker", "--workers", "1"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        status = ImportStatus.queued
        while time.monotonic() < deadline:
            db.session.expire_all()
            status = db.session.get(EnrolmentImport, batch_id).status
            if status not in (ImportStatus.queued, ImportStatus.running):
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert status is ImportStatus.done
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 20
