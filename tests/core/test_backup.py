"""``flask backup create`` and ``flask backup restore``: a world backed up and restored into a
fresh database and upload folder is the same, row by row and file by file, and verifies."""

import io
import json
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.core import files
from app.core.db import db
from app.proposals import services as proposals
from app.reviews.rules import decisions as decisions_rules
from tests.reviews.factories import BASE, reviewed_world

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def world(app, client, login, tmp_path, monkeypatch):
    """Proposals, versions, an attachment, reviews, consensus, a decision and audit records
    (reads included); files in this test's own upload folder."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    world = reviewed_world(count=2)
    proposals.add_attachment(
        world.applicants[0],
        world.proposals[0].id,
        "plan.pdf",
        io.BytesIO(PDF),
        received_at=datetime(2021, 3, 1, tzinfo=UTC),
    )
    decisions_rules.publish_decision(world.official, world.call.id)
    login(world.official)
    assert client.get(f"{BASE}/decisions/1.json").status_code == 200
    db.session.remove()
    return world


def _fresh_database(app, tmp_path: Path) -> str:
    """An empty database beside the test database: a new SQLite file, or on PostgreSQL a
    separate database (the test database's name + ``_restore``), dropped and made anew."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.sqlite'}"
    import psycopg
    from psycopg import sql

    name = f"{url.database}_restore"
    maintenance = url.set(drivername="postgresql", database="postgres")
    with psycopg.connect(
        maintenance.render_as_string(hide_password=False), autocommit=True
    ) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def target(app, tmp_path):
    """A second instance of the portal on a fresh database and an empty upload folder."""
    other = create_app(
        {
            **{
                key: app.config[key]
                for key in (
                    "TESTING",
                    "SECRET_KEY",
                    "WTF_CSRF_ENABLED",
                    "MAIL_BACKEND",
                    "SERVER_BASE_URL",
                    "PASSWORD_HASH_METHOD",
                )
            },
            "SQLALCHEMY_DATABASE_URI": _fresh_database(app, tmp_path),
            "UPLOAD_FOLDER": str(tmp_path / "restored-uploads"),
        }
    )
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _invoke(app, *args: str):
    """Run a command on ``app`` (the CLI runs on the app whose context is current)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def _rows(engine: sa.Engine) -> dict[str, list]:
    with engine.connect() as conn:
        return {
            table.name: conn.execute(table.select().order_by(*table.primary_key.columns)).all()
            for table in db.metadata.sorted_tables
        }


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    }


def test_a_restored_instance_is_the_same_row_by_row_and_file_by_file(
    world, runner, target, tmp_path
):
    archive = tmp_path / "backup.tar.gz"
    result = runner.invoke(args=["backup", "create", str(archive)])
    assert result.exit_code == 0, result.output
    assert "stored files" in result.output and archive.stat().st_mode & 0o077 == 0

    restored = _invoke(target, "backup", "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert "every member matched the manifest" in restored.output
    assert "Intact: " in restored.output  # audit verify ran on the restored instance

    source_rows = _rows(db.engine)
    assert source_rows["proposal_versions"] and source_rows["decision_records"]
    assert source_rows["reviews"] and source_rows["attachments"]
    assert any(row.action == "read.decision_record" for row in source_rows["audit_records"])
    with target.app_context():
        restored_rows = _rows(db.engine)
        restored_root = files.storage_root()
        verify = _invoke(target, "audit", "verify")
    assert verify.exit_code == 0, verify.output
    for name, rows in source_rows.items():
        assert restored_rows[name] == rows, name
    source_files = _files(files.storage_root())
    assert source_files and _files(restored_root) == source_files

    again = _invoke(target, "backup", "restore", str(archive))
    assert again.exit_code != 0
    assert "refusing to restore into an instance in use" in again.output


def test_a_tampered_archive_is_refused_before_anything_is_written(world, runner, target, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    assert runner.invoke(args=["backup", "create", str(archive)]).exit_code == 0
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    [stored] = [p for p in unpacked.rglob("*") if p.is_file() and "uploads" in p.parts]
    stored.write_bytes(stored.read_bytes() + b"x")
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(tampered, "w:gz") as tar:
        for path in sorted(unpacked.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=path.relative_to(unpacked).as_posix())

    result = _invoke(target, "backup", "restore", str(tampered))
    assert result.exit_code != 0
    assert "does not match its checksum in the manifest" in result.output
    with target.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
        assert files.stored_files() == []


def test_the_manifest_lists_every_member_and_the_chain_head(world, runner, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    assert runner.invoke(args=["backup", "create", str(archive)]).exit_code == 0
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names - {"manifest.json"} == set(manifest["sha256"])
    head = db.session.scalar(sa.text("SELECT hash FROM audit_records ORDER BY id DESC LIMIT 1"))
    assert manifest["audit_chain_head"] == head
    assert manifest["database"]["alembic_revision"] == db.session.scalar(
        sa.text("SELECT version_num FROM alembic_version")
    )
