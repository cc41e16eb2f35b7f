"""The statistics PDF prepared as a background job (jobs run inline in tests): who may ask
for it, follow it and download it, and what the page says while it is made."""

import pytest
from flask import url_for

from app.auth.models import UserRole
from app.core import documents
from app.core.db import db
from app.core.permissions import Role
from tests.factories import make_user

PREPARE = "/reporting/calls/ESF-2021/report.pdf/prepare"


def _prepare(client, query=""):
    response = client.post(PREPARE + query)
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert location.startswith("/documents/")
    return location.split("?")[0].rsplit("/", 1)[1], location


def test_the_official_prepares_follows_and_downloads_the_report(client, login, world):
    login(world.official)
    document_id, location = _prepare(client, "?as_of=2021-03-15T12:00:00%2B01:00")
    page = client.get(location)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'http-equiv="refresh"' not in html  # done: it no longer refreshes
    assert f"/documents/{document_id}/file" in html
    assert "/reporting/calls/ESF-2021?" in html  # back to the dashboard it came from
    download = client.get(f"/documents/{document_id}/file")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.data.startswith(b"%PDF")
    assert "stand-van-zaken-ESF-2021-20210315-1200.pdf" in download.headers["Content-Disposition"]


def test_a_document_being_made_refreshes_its_page(client, login, world):
    login(world.official)
    document = documents.Document(
        id="a" * 32, kind="statistics_pdf", owner_id=world.official.id, params={"code": "ESF-2021"}
    )
    documents._write(document)
    html = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert 'http-equiv="refresh" content="2"' in html
    assert client.get(f"/documents/{document.id}/file").status_code == 404  # not yet


def test_only_the_official_who_asked_sees_the_document(client, login, world):
    login(world.official)
    document_id, _location = _prepare(client)
    client.post("/auth/logout")
    for user in (
        make_user("official"),
        make_user("evaluator"),
        make_user("admin"),
        world.public_user,
    ):
        login(user)
        assert client.get(f"/documents/{document_id}").status_code == 404, user.email
        assert client.get(f"/documents/{document_id}/file").status_code == 404, user.email
        client.post("/auth/logout")
    anonymous = client.get(f"/documents/{document_id}/file")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]


def test_an_official_who_lost_the_role_no_longer_gets_the_document(client, login, world):
    official = make_user("official")
    login(official)
    document_id, _location = _prepare(client)
    UserRole.query.filter_by(user_id=official.id, role=Role.official).delete()
    db.session.commit()
    assert client.get(f"/documents/{document_id}/file").status_code == 404


@pytest.mark.parametrize("role", ["applicant", "evaluator", "admin"])
def test_only_officials_may_prepare_the_report(client, login, world, role):
    login(make_user(role))
    assert client.post(PREPARE).status_code == 403


def test_a_bad_moment_is_refused_before_anything_is_queued(client, login, world):
    login(world.official)
    assert client.post(PREPARE + "?as_of=gisteren").status_code == 400


def test_a_failed_document_says_so(client, login, world, app):
    def broken(owner_id, params):
        raise RuntimeError("boom")

    documents.register("broken_test", allowed=lambda user: True, render=broken, label="Test")
    login(world.official)
    document = documents.prepare(world.official, "broken_test", {})
    assert document.state == "failed"
    page = client.get(f"/documents/{document.id}")
    assert page.status_code == 200
    assert 'http-equiv="refresh"' not in page.get_data(as_text=True)
    assert client.get(f"/documents/{document.id}/file").status_code == 404


def test_unknown_or_malformed_ids_are_not_found(client, login, world):
    login(world.official)
    for document_id in ("0" * 32, "../../etc/passwd", "zz"):
        with client.application.test_request_context():
            url = url_for("main.document", document_id=document_id)
        assert client.get(url).status_code == 404
    assert documents.get("../x") is None
