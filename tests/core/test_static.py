"""Static files at their content's version: a year in the browser's cache, never stale."""

import hashlib
import re
from pathlib import Path

from flask import url_for

from app.core.static import IMMUTABLE

DIST = Path(__file__).resolve().parents[2] / "app" / "static" / "dist"


def _version(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def test_pages_link_the_assets_at_their_version_and_the_browser_keeps_them(client):
    html = client.get("/").get_data(as_text=True)
    for name in ("portal.css", "portal.js", "assets/images/favicon.svg"):
        url = f"/static/dist/{name}?v={_version(DIST / name)}"
        assert url in html
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == IMMUTABLE


def test_references_inside_the_built_files_carry_their_version_too(client):
    script = (DIST / "portal.js").read_text()
    module = f"./govuk-frontend.min.js?v={_version(DIST / 'govuk-frontend.min.js')}"
    assert f"'{module}'" in script
    assert client.get(f"/static/dist/{module[2:]}").headers["Cache-Control"] == IMMUTABLE
    styles = (DIST / "portal.css").read_text()
    images = re.findall(r"url\(\"?(/static/[^)\"]+)", styles)
    assert images
    for url in images:
        path, _, version = url.partition("?v=")
        assert version == _version(DIST.parent.parent / path.removeprefix("/"))


def test_an_old_or_missing_version_is_revalidated_as_before(client):
    for url in ("/static/dist/portal.css", "/static/dist/portal.css?v=000000000000"):
        response = client.get(url)
        assert response.status_code == 200
        assert "immutable" not in response.headers.get("Cache-Control", "")
        assert response.headers.get("ETag")


def test_a_changed_file_gets_a_new_version(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    (tmp_path / "x.css").write_text("a{}")
    with app.test_request_context():
        first = url_for("static", filename="x.css")
    (tmp_path / "x.css").write_text("b{color:red}")
    with app.test_request_context():
        second = url_for("static", filename="x.css")
    assert first != second
    assert second.endswith("?v=" + hashlib.sha256(b"b{color:red}").hexdigest()[:12])


def test_hostile_static_names_are_not_found_without_a_version(client, app):
    for url in (
        "/static/../app/__init__.py?v=1",
        "/static/%2e%2e/%2e%2e/etc/passwd?v=1",
        "/static/dist/?v=1",
        "/static/nothing.css?v=1",
    ):
        assert client.get(url).status_code == 404
    with app.test_request_context():
        assert url_for("static", filename="../../etc/passwd") == "/static/../../etc/passwd"
