"""Documents too slow to render inside a web request (the ranking and statistics PDFs of a
large call), made by a background job and kept under ``instance/documents``.

A domain registers a *kind* with :func:`register`: who may have it (``allowed(user)``) and
how to make it (``render(owner_id, params) -> (bytes, filename)``, run in the job with an
application context). :func:`prepare` records the request (``<id>.json``: kind, owner,
parameters, state) and queues the job; the requester follows its state (queued, running,
done, failed) on the document's page and downloads the file when done. Only the user who
asked may see a document, and only while they still may have its kind.
"""

import json
import os
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app

from app.core.jobs import job
from app.core.permissions import Actor
from app.core.time import utcnow

STATES = ("queued", "running", "done", "failed")


@dataclass(frozen=True)
class Kind:
    name: str
    allowed: Callable[[Any], bool]
    render: Callable[[int, dict[str, Any]], tuple[bytes, str]]
    mimetype: str = "application/pdf"
    label: Any = ""  # what the document is, for its page (a lazy translated string)


_KINDS: dict[str, Kind] = {}


def register(
    name: str,
    *,
    allowed: Callable[[Any], bool],
    render: Callable[[int, dict[str, Any]], tuple[bytes, str]],
    mimetype: str = "application/pdf",
    label: Any = "",
) -> None:
    _KINDS[name] = Kind(name, allowed, render, mimetype, label)


def kind(name: str) -> Kind | None:
    return _KINDS.get(name)


@dataclass
class Document:
    id: str
    kind: str
    owner_id: int
    params: dict[str, Any]
    state: str = "queued"
    filename: str = ""
    size: int = 0
    error: str = ""
    created_at: str = field(default_factory=lambda: utcnow().isoformat())
    finished_at: str = ""

    @property
    def waiting(self) -> bool:
        return self.state in ("queued", "running")

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.created_at)


def folder() -> Path:
    path = Path(
        current_app.config.get("DOCUMENTS_DIR") or Path(current_app.instance_path) / "documents"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def _valid(document_id: str) -> bool:
    return len(document_id) == 32 and all(c in "0123456789abcdef" for c in document_id)


def _write(document: Document) -> None:
    target = folder() / f"{document.id}.json"
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    with os.fdopen(handle, "w") as out:
        json.dump(asdict(document), out)
    os.replace(temporary, target)


def get(document_id: str) -> Document | None:
    if not _valid(document_id):
        return None
    try:
        data = json.loads((folder() / f"{document_id}.json").read_text())
    except (OSError, ValueError):
        return None
    return Document(**data)


def file_of(document: Document) -> Path:
    return folder() / f"{document.id}.bin"


def visible_to(document: Document | None, user: object) -> bool:
    """The owner, while still allowed to have documents of its kind."""
    if document is None:
        return False
    registered = kind(document.kind)
    return (
        registered is not None
        and getattr(user, "id", None) == document.owner_id
        and registered.allowed(user)
    )


def prepare(user: Actor, kind_name: str, params: dict[str, Any]) -> Document:
    """Record the request and queue the job (in tests it runs at once)."""
    if kind(kind_name) is None:
        raise KeyError(kind_name)
    document = Document(id=secrets.token_hex(16), kind=kind_name, owner_id=user.id, params=params)
    _write(document)
    render_document(document.id)
    return get(document.id) or document


@job
def render_document(document_id: str) -> None:
    document = get(document_id)
    if document is None or document.state != "queued":
        return
    document.state = "running"
    _write(document)
    try:
        body, filename = _KINDS[document.kind].render(document.owner_id, document.params)
    except Exception as exc:  # the page says it failed; the log has the details
        current_app.logger.exception("document %s (%s) failed", document.id, document.kind)
        document.state, document.error = "failed", type(exc).__name__
    else:
        target = file_of(document)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.replace(temporary, target)
        document.state, document.filename, document.size = "done", filename, len(body)
    document.finished_at = utcnow().isoformat()
    _write(document)
