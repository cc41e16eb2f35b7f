"""Each test here stores files in its own upload folder: ``audit verify`` hashes every stored
file, and some tests corrupt one on purpose."""

import pytest


@pytest.fixture(autouse=True)
def own_upload_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
