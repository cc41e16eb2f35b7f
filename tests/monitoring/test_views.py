"""Project pages: the list, a project, trainings, uploads, an import's progress and outcome,
and who may NOT see them."""

import io

import pytest
import sqlalchemy as sa

from app.core.db import db
from app.monitoring.models import Enrolment, EnrolmentImport, ImportStatus, ProjectTraining
from tests.factories import make_user
from tests.monitoring.factories import (
    add_training,
    csv_bytes,
    file_row,
    make_funded_project,
)


@pytest.fixture
def project():
    project, member = make_funded_project(title="Lassen leren in VR")
    add_training(project, "T1")
    project.member = member
    return project


def _upload(client, project, data: bytes, name: str = "inschrijvingen.csv"):
    return client.post(
        f"/monitoring/projects/{project.id}/imports",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_a_member_uploads_a_file_with_errors_then_the_fixed_file(client, login, project):
    login(project.member)
    response = _upload(client, project, csv_bytes([file_row(1), file_row(2, mode="web")]))
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "niets gewijzigd" in html.lower() or "nothing was changed" in html.lower()
    assert "web" in html and "<code>mode</code>" in html and ">3<" in html
    assert 'http-equiv="refresh"' not in html  # finished: no more refreshing
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 0

    response = _upload(client, project, csv_bytes([file_row(1), file_row(2)]))
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 2
    batch = db.session.scalar(sa.select(EnrolmentImport).order_by(EnrolmentImport.id.desc()))
    assert batch.status is ImportStatus.done and batch.created_by_id == project.member.id
    assert "Nieuwe inschrijvingen" in html or "New enrolments" in html


def test_a_queued_import_page_refreshes_every_two_seconds(client, login, project):
    from datetime import date

    batch = EnrolmentImport(
        project_id=project.id,
        filename="a.csv",
        sha256="0" * 64,
        imported_on=date(2026, 2, 1),
        status=ImportStatus.running,
        rows_total=0,
        rows_done=5000,
    )
    db.session.add(batch)
    db.session.commit()
    login(project.member)
    html = client.get(f"/monitoring/projects/{project.id}/imports/{batch.id}").get_data(
        as_text=True
    )
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "5.000" in html


def test_an_upload_without_a_file_or_of_the_wrong_type_is_refused_on_the_page(
    client, login, project
):
    login(project.member)
    response = client.post(
        f"/monitoring/projects/{project.id}/imports", data={}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    response = _upload(client, project, b"x", name="notities.txt")
    assert response.status_code == 422
    assert "CSV" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EnrolmentImport)) == 0


def test_the_upload_route_has_its_own_request_limit(app, client, login, project, monkeypatch):
    login(project.member)
    rows = [file_row(n) for n in range(1, 40)]
    data = csv_bytes(rows)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", len(data) // 2)
    response = _upload(client, project, data)
    assert response.status_code == 302  # over the portal's limit, within the upload's
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == len(rows)
    monkeypatch.setitem(app.config, "MONITORING_MAX_UPLOAD_BYTES", 10)
    response = _upload(client, project, data + b"\n" * (1024 * 1024))
    assert response.status_code == 413
    assert "10 MB" not in response.get_data(as_text=True)
    assert "0 MB" in response.get_data(as_text=True)


def test_another_organisation_gets_404_for_the_project_and_its_imports(client, login, project):
    response = _upload(client, project, csv_bytes([file_row(1)]))  # anonymous
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    login(make_user("applicant"))
    for url in (
        f"/monitoring/projects/{project.id}",
        f"/monitoring/projects/{project.id}/trainings",
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert b"Lassen leren in VR" not in response.data
    assert _upload(client, project, csv_bytes([file_row(1)])).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EnrolmentImport)) == 0


@pytest.mark.parametrize("role", ["evaluator", "admin"])
def test_evaluators_and_admins_see_no_projects(client, login, project, role):
    login(make_user(role))
    assert client.get("/monitoring/projects").status_code == 403
    assert client.get(f"/monitoring/projects/{project.id}").status_code == 404


def test_the_list_shows_members_their_projects_and_officials_all(client, login, project):
    other, _ = make_funded_project(title="Ander project")
    login(project.member)
    html = client.get("/monitoring/projects").get_data(as_text=True)
    assert project.reference in html and other.reference not in html
    client.post("/auth/logout")
    login(make_user("official"))
    html = client.get(f"/monitoring/projects?q={other.reference}").get_data(as_text=True)
    assert other.reference in html and project.reference not in html


def test_trainings_are_managed_on_their_page(client, login, project):
    login(project.member)
    response = client.post(
        f"/monitoring/projects/{project.id}/trainings",
        data={"code": "", "title": "", "planned_mode": "online"},
    )
    assert response.status_code == 422
    response = client.post(
        f"/monitoring/projects/{project.id}/trainings",
        data={"code": "VR-2", "title": "VR deel 2", "planned_mode": "blended"},
    )
    assert response.status_code == 302
    training = db.session.scalar(sa.select(ProjectTraining).filter_by(code="VR-2"))
    response = client.post(
        f"/monitoring/projects/{project.id}/trainings/{training.id}",
        data={"code": "VR-2", "title": "VR, deel twee", "planned_mode": "online"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert training.title == "VR, deel twee"
    response = client.post(f"/monitoring/projects/{project.id}/trainings/{training.id}/remove")
    assert response.status_code == 302
    assert db.session.get(ProjectTraining, training.id) is None


def _queries(client, url) -> int:
    statements = []

    def _before(*_args):
        statements.append(1)

    db.session.expire_all()  # each request loads its user, as in production
    sa.event.listen(db.engine, "before_cursor_execute", _before)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", _before)
    return len(statements)


def test_page_queries_do_not_grow_with_projects_imports_or_enrolments(client, login, project):
    from tests.monitoring.factories import add_enrolments

    official = login(make_user("official"))
    assert official
    small = (
        _queries(client, "/monitoring/projects"),
        _queries(client, f"/monitoring/projects/{project.id}"),
    )
    for n in range(4):
        other, _ = make_funded_project(title=f"Project {n}")
        add_training(other, "T1")
    add_training(project, "T2")
    add_enrolments(
        project, [{"started_on": "2026-01-05", "enrolment_id": f"X{n}"} for n in range(30)]
    )
    add_enrolments(
        project, [{"started_on": "2026-02-05", "enrolment_id": f"Y{n}"} for n in range(3)]
    )
    large = (
        _queries(client, "/monitoring/projects"),
        _queries(client, f"/monitoring/projects/{project.id}"),
    )
    assert small == large
