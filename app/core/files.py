"""Uploaded files: stored once under their SHA-256 hash, outside the static folder."""

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
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


def storage_root() -> Path:
    root = Path(current_app.config.get("UPLOAD_FOLDER") or
                Path(current_app.instance_path) / "uploads")
    root.mkdir(parents=True, exist_ok=True)
    return root


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return storage_root() / sha256[:2] / sha256[2:4] / sha256


def store(stream: BinaryIO, max_bytes: int) -> StoredFile:
    """Copy ``stream`` to storage while hashing it; refuse it past ``max_bytes``.

    The file is written to a temporary name and renamed into place, so a half-written
    file never carries a hash name, and storing the same content twice is harmless.
    """
    root = storage_root()
    digest = hashlib.sha256()
    size = 0
    handle, tmp_name = tempfile.mkstemp(dir=root, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise FileTooLarge(size)
                digest.update(chunk)
                out.write(chunk)
        target = path_for(digest.hexdigest())
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return StoredFile(sha256=digest.hexdigest(), size=size)


def looks_like_pdf(path: Path) -> bool:
    """A PDF by content: the %PDF- header near the start and %%EOF near the end."""
    with path.open("rb") as handle:
        head = handle.read(1024)
        handle.seek(max(0, path.stat().st_size - 2048))
        tail = handle.read()
    return b"%PDF-" in head and b"%%EOF" in tail


def safe_pdf_filename(filename: str) -> str:
    r"""The name a user gave a PDF, without its folders, control characters or the invisible
    ones that reorder or hide text (bidi overrides, isolates, marks, zero-width characters),
    so "factuur\u202efdp.exe" cannot pose as a PDF; always ending in .pdf."""
    name = re.split(r"[\\/]", filename or "")[-1].strip()
    name = re.sub("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]",
                  "", name)[:200].strip() or "document.pdf"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return name
