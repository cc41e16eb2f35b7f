"""Uploaded files: stored once under their SHA-256 hash, outside the static folder."""

import hashlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from flask import current_app

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


class FileTooLarge(ValueError):
    pass


class FileRefused(ValueError):
    """The ``accept`` check of ``store`` refused the file; nothing was kept."""


TEMP_PREFIX = ".upload-"
TRASH_PREFIX = ".trash-"


def storage_root() -> Path:
    root = Path(
        current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    )
    root.mkdir(parents=True, exist_ok=True)
    return root


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return storage_root() / sha256[:2] / sha256[2:4] / sha256


def store(
    stream: BinaryIO, max_bytes: int, accept: Callable[[Path, int], None] | None = None
) -> StoredFile:
    """Copy ``stream`` to storage while hashing it; refuse it past ``max_bytes``.

    The file is written to a temporary name in the storage folder, checked there
    (``accept(path, size)`` raises to refuse it: not a PDF, over a quota) and only then
    renamed into place under its hash (``os.replace``, atomic). A refused or half-written
    file never carries a hash name and is removed at once; storing the same content twice
    is harmless. A worker killed half-way leaves at most a temporary file, which
    ``clean_storage`` removes once it is older than the grace period.
    """
    root = storage_root()
    digest = hashlib.sha256()
    size = 0
    handle, tmp_name = tempfile.mkstemp(dir=root, prefix=TEMP_PREFIX)
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise FileTooLarge(size)
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if accept is not None:
            accept(Path(tmp_name), size)
        target = path_for(digest.hexdigest())
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return StoredFile(sha256=digest.hexdigest(), size=size)


def accept_pdf(path: Path, size: int) -> None:
    """An ``accept`` check for ``store``: a non-empty PDF by content."""
    if size == 0 or not looks_like_pdf(path):
        raise FileRefused("not a PDF")


def looks_like_pdf(path: Path) -> bool:
    """A PDF by content: the %PDF- header near the start and %%EOF near the end."""
    with path.open("rb") as handle:
        head = handle.read(1024)
        handle.seek(max(0, path.stat().st_size - 2048))
        tail = handle.read()
    return b"%PDF-" in head and b"%%EOF" in tail


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def stored_files() -> list[Path]:
    """Every file stored under its hash (temporary ``.upload-*`` files left out)."""
    root = storage_root()
    return sorted(
        path for path in root.glob("??/??/*") if path.is_file() and not path.name.startswith(".")
    )


def verify_stored(referenced: dict[str, str]) -> tuple[int, str | None]:
    """Every stored file still hashes to its name, and every file in ``referenced``
    (hash -> who refers to it) exists. Returns the count checked and the first problem."""
    count = 0
    for path in stored_files():
        if path.parent.name != path.name[2:4] or path.parent.parent.name != path.name[:2]:
            return count, f"stored file {path.name}: not in its hash's folder (moved)"
        if _hash_file(path) != path.name:
            return (
                count,
                f"stored file {path.name}: its content does not match its "
                "SHA-256 (altered or corrupted)",
            )
        count += 1
    for sha256, owner in sorted(referenced.items()):
        if not path_for(sha256).is_file():
            return count, f"stored file {sha256}: missing ({owner} refers to it)"
    return count, None


def safe_pdf_filename(filename: str) -> str:
    r"""The name a user gave a PDF, without its folders, control characters or the invisible
    ones that reorder or hide text (bidi overrides, isolates, marks, zero-width characters),
    so "factuur\u202efdp.exe" cannot pose as a PDF; always ending in .pdf."""
    name = re.split(r"[\\/]", filename or "")[-1].strip()
    name = (
        re.sub("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]", "", name)[
            :200
        ].strip()
        or "document.pdf"
    )
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return name


# ---------------------------------------------------------------------------- cleaning


@dataclass
class CleanReport:
    temporary: list[Path] = field(default_factory=list)
    unreferenced: list[Path] = field(default_factory=list)
    kept_young: int = 0
    kept_referenced: int = 0
    removed_bytes: int = 0

    @property
    def removed(self) -> list[Path]:
        return [*self.temporary, *self.unreferenced]


def hashes_in_columns() -> set[str]:
    """Every value of every ``sha256`` column of every table: the files rows refer to.

    Generic on purpose, so a new table that stores files under ``sha256`` is covered."""
    import sqlalchemy as sa

    from app.core.db import db

    found: set[str] = set()
    for table in db.metadata.tables.values():
        column = table.columns.get("sha256")
        if column is None:
            continue
        found.update(
            value
            for value in db.session.scalars(sa.select(column).where(column.is_not(None)).distinct())
            if value
        )
    return found


def clean_storage(
    referenced: Callable[[], Iterable[str]],
    *,
    grace_seconds: float,
    dry_run: bool = False,
    now: float | None = None,
) -> CleanReport:
    """Remove temporary files and stored files no row refers to, both older than the grace.

    Safe while serving: a file younger than ``grace_seconds`` is never touched (an upload
    in progress, or one whose row is about to be committed), the references are read
    after the files are listed, and a stored file is first renamed aside and checked again
    before it is deleted, so a file put back in place meanwhile (the same content, stored
    again) is restored rather than lost.
    """
    root = storage_root()
    now = time.time() if now is None else now
    report = CleanReport()

    def old(path: Path) -> bool:
        try:
            return now - path.stat().st_mtime > grace_seconds
        except FileNotFoundError:
            return False

    candidates: list[Path] = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        if path.name.startswith((TEMP_PREFIX, TRASH_PREFIX)):
            if old(path):
                report.temporary.append(path)
            else:
                report.kept_young += 1
        elif len(path.name) == 64 and path.parent.parent.parent == root:
            candidates.append(path)
    in_use = set(referenced())  # read after listing: a row added since cannot be missed
    for path in candidates:
        if path.name in in_use:
            report.kept_referenced += 1
        elif old(path):
            report.unreferenced.append(path)
        else:
            report.kept_young += 1
    if dry_run:
        report.removed_bytes = sum(_size(p) for p in report.removed)
        return report
    for path in report.temporary:
        report.removed_bytes += _size(path)
        path.unlink(missing_ok=True)
    kept = []
    for path in report.unreferenced:
        aside = path.with_name(TRASH_PREFIX + path.name)
        try:
            os.rename(path, aside)
        except FileNotFoundError:
            kept.append(path)
            continue
        if not old(aside):  # stored again just now: put it back (same content by its name)
            os.replace(aside, path)
            kept.append(path)
            continue
        report.removed_bytes += _size(aside)
        aside.unlink(missing_ok=True)
    report.unreferenced = [p for p in report.unreferenced if p not in kept]
    report.kept_young += len(kept)
    return report


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0
