"""``flask backup create PATH`` and ``flask backup restore PATH``: one tar.gz archive.

The archive holds ``manifest.json``, the database and ``uploads/`` (every stored file, under
the same relative path as in the upload folder). The manifest lists the SHA-256 of every
other member, the database dialect, the schema's Alembic revision and the audit chain's head
when the copy was made.

The database copy is consistent: SQLite's online backup API, or ``pg_dump`` (one snapshot).
The database is copied first and the files after it: files are stored under their hash and
written before the row that refers to them is committed, so every file the copy refers to
is already there when the files are read.

A restore reads the whole archive into a temporary folder, checks every member against the
manifest, and only then writes anything. It refuses an instance whose database has any row
or whose upload folder has any file, unless ``--force`` is given (then the database and the
stored files are replaced).
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from app.core import files
from app.core.db import db
from app.core.time import utcnow

MANIFEST = "manifest.json"
FORMAT = 1
DATABASE_FILES = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Outcome:
    path: Path
    manifest: dict[str, Any]
    files: int
    tables: int
    rows: int | None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(files.CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_command(program: str, url: sa.URL) -> tuple[list[str], dict[str, str]]:
    """``program`` with the connection as options; the password in the environment."""
    if shutil.which(program) is None:
        raise BackupError(
            f"{program} is not installed (Debian: apt-get install "
            "postgresql-client; `make pg-client` does it)"
        )
    args = [program, "--no-owner", "--no-privileges"]
    for option, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value:
            args.append(f"{option}={value}")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _scalar(sql: str) -> str | None:
    try:
        return db.session.execute(sa.text(sql)).scalar()
    except sa.exc.DBAPIError:
        db.session.rollback()
        return None


# ---------------------------------------------------------------------------- create


def create(target: Path) -> Outcome:
    url = db.engine.url
    dialect = url.get_backend_name()
    if dialect not in DATABASE_FILES:
        raise BackupError(f"cannot back up a {dialect} database")
    # Read before the copy is made: the chain only grows, so this head is in the copy.
    revision = _scalar("SELECT version_num FROM alembic_version")
    head = _scalar("SELECT hash FROM audit_records ORDER BY id DESC LIMIT 1")
    db.session.rollback()
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as work:
        folder = Path(work)
        database = folder / DATABASE_FILES[dialect]
        if dialect == "sqlite":
            _sqlite_copy(Path(url.database or ""), database)
        else:
            args, env = _pg_command("pg_dump", url)
            subprocess.run(  # noqa: S603 (our own configured database, as options)
                [*args, "--format=custom", f"--file={database}", f"--dbname={url.database}"],
                env=env,
                check=True,
                capture_output=True,
            )
        checksums = {database.name: _sha256(database)}
        root = files.storage_root()
        stored = files.stored_files()
        for path in stored:
            checksums[f"uploads/{path.relative_to(root).as_posix()}"] = _sha256(path)
        # The copy's own row count (PostgreSQL's live count would race with writers).
        tables, rows = (
            _count_rows(database) if dialect == "sqlite" else (len(db.metadata.sorted_tables), None)
        )
        manifest = {
            "format": FORMAT,
            "created_at": utcnow().isoformat(),
            "database": {
                "dialect": dialect,
                "file": database.name,
                "alembic_revision": revision,
                "tables": tables,
                "rows": rows,
            },
            "audit_chain_head": head,
            "sha256": checksums,
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        partial = folder / "archive.tar.gz"
        with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
            archive.add(folder / MANIFEST, arcname=MANIFEST)
            archive.add(database, arcname=database.name)
            for path in stored:
                archive.add(path, arcname=f"uploads/{path.relative_to(root).as_posix()}")
        partial.chmod(0o600)  # the archive holds everything confidential the portal keeps
        os.replace(partial, target)
    return Outcome(target, manifest, len(stored), tables, rows)


def _sqlite_copy(source: Path, destination: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(destination) as dst:
        src.backup(dst)
    dst.close()
    src.close()


def _count_rows(sqlite_copy: Path | None = None) -> tuple[int, int | None]:
    """The number of the models' tables and of their rows, in the database or in a copy."""
    names = [table.name for table in db.metadata.sorted_tables]
    if sqlite_copy is not None:
        with sqlite3.connect(sqlite_copy) as conn:
            rows = sum(
                conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
                for name in names
            )
        conn.close()
        return len(names), rows
    rows = sum(
        db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(name))) or 0
        for name in names
    )
    db.session.rollback()
    return len(names), rows


# ---------------------------------------------------------------------------- restore


def _extract(source: Path, folder: Path) -> dict[str, Any]:
    """Unpack into ``folder`` and check every member against the manifest."""
    try:
        with tarfile.open(source, "r:gz") as archive:
            for member in archive.getmembers():
                parts = Path(member.name).parts
                if not member.isfile() or member.name.startswith("/") or ".." in parts:
                    raise BackupError(f"{source}: unexpected member {member.name!r}")
            archive.extractall(folder, filter="data")
    except (OSError, EOFError, tarfile.TarError) as exc:
        raise BackupError(f"{source}: not a readable backup archive ({exc})") from exc
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{source}: no {MANIFEST}")
    manifest: dict[str, Any] = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: unknown archive format {manifest.get('format')!r}")
    expected = manifest["sha256"]
    present = {
        path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()
    } - {MANIFEST}
    if missing := sorted(set(expected) - present):
        raise BackupError(f"{source}: {missing[0]} is listed in the manifest but missing")
    if extra := sorted(present - set(expected)):
        raise BackupError(f"{source}: {extra[0]} is not in the manifest")
    for name, sha256 in sorted(expected.items()):
        if _sha256(folder / name) != sha256:
            raise BackupError(f"{source}: {name} does not match its checksum in the manifest")
    return manifest


def instance_is_empty() -> tuple[bool, str]:
    """No row in any table and no stored file."""
    inspector = sa.inspect(db.engine)
    for name in inspector.get_table_names():
        if name == "alembic_version":
            continue
        if db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(name))):
            db.session.rollback()
            return False, f"the database has rows in {name}"
    db.session.rollback()
    if files.stored_files():
        return False, f"the upload folder {files.storage_root()} has files"
    return True, ""


def restore(source: Path, *, force: bool = False) -> Outcome:
    url = db.engine.url
    dialect = url.get_backend_name()
    with tempfile.TemporaryDirectory(prefix=".restore-") as work:
        folder = Path(work)
        manifest = _extract(source, folder)
        if manifest["database"]["dialect"] != dialect:
            raise BackupError(
                f"{source} holds a {manifest['database']['dialect']} database; "
                f"this instance uses {dialect}"
            )
        empty, why = instance_is_empty()
        if not empty and not force:
            raise BackupError(
                f"refusing to restore into an instance in use ({why}); give "
                "--force to replace its database and stored files"
            )
        database = folder / manifest["database"]["file"]
        db.session.remove()
        db.engine.dispose()
        if dialect == "sqlite":
            with sqlite3.connect(database) as src, sqlite3.connect(url.database or "") as dst:
                src.backup(dst)
            dst.close()
            src.close()
        else:
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
            db.engine.dispose()
            args, env = _pg_command("pg_restore", url)
            result = subprocess.run(  # noqa: S603 (our own configured database, as options)
                [*args, "--exit-on-error", f"--dbname={url.database}", str(database)],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        root = files.storage_root()
        if force:
            for path in files.stored_files():
                path.unlink()
        count = 0
        for name in manifest["sha256"]:
            if name.startswith("uploads/"):
                destination = root / name.removeprefix("uploads/")
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(folder / name, destination)
                count += 1
    tables, rows = _count_rows()
    return Outcome(source, manifest, count, tables, rows)


# ---------------------------------------------------------------------------- commands

backup_cli = AppGroup("backup", help="Back up and restore the database and stored files.")


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def create_command(path: Path) -> None:
    """Write one archive (tar.gz): the database, the stored files, a manifest of checksums."""
    started = time.perf_counter()
    try:
        outcome = create(path)
    except (BackupError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", None)
        raise click.ClickException(f"{exc}{': ' + detail.decode() if detail else ''}") from exc
    size = outcome.path.stat().st_size
    rows = f", {outcome.rows} rows" if outcome.rows is not None else ""
    click.echo(
        f"Backup {outcome.path}: {outcome.manifest['database']['dialect']} database "
        f"({outcome.tables} tables{rows}), {outcome.files} stored files, "
        f"{size / 1_000_000:.1f} MB; audit chain head "
        f"{outcome.manifest['audit_chain_head']} ({time.perf_counter() - started:.1f} s)"
    )


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--force", is_flag=True, help="Replace the database and stored files of an instance in use."
)
@click.option(
    "--verify/--no-verify",
    default=True,
    show_default=True,
    help="Run `audit verify` on the restored instance.",
)
@click.pass_context
def restore_command(ctx: click.Context, path: Path, force: bool, verify: bool) -> None:
    """Restore an archive into an empty instance, after checking it against its manifest."""
    started = time.perf_counter()
    try:
        outcome = restore(path, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    database = outcome.manifest["database"]
    click.echo(
        f"Restored from {path} (made {outcome.manifest['created_at']}): "
        f"{database['dialect']} database at revision {database['alembic_revision']} "
        f"({outcome.tables} tables, {outcome.rows} rows), {outcome.files} stored files; "
        f"every member matched the manifest ({time.perf_counter() - started:.1f} s)"
    )
    if database.get("rows") is not None and outcome.rows != database["rows"]:
        raise click.ClickException(
            f"the archive's database had {database.get('rows')} rows; "
            f"the restored one has {outcome.rows}"
        )
    if verify:
        audit = current_app.cli.get_command(ctx, "audit")
        verify_command = audit.get_command(ctx, "verify") if audit else None  # type: ignore[attr-defined]
        if verify_command is not None:
            ctx.invoke(verify_command, anchor=outcome.manifest.get("audit_chain_head"))
