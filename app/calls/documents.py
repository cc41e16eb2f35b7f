"""A call's documents: PDFs officials upload (call text, templates, guides) that everyone who
may see the call can download. Stored once under their SHA-256, like attachments."""

from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.audit import services as audit
from app.auth.models import User
from app.calls import permissions
from app.calls.models import Call, CallDocument
from app.calls.services import get_call_by_code
from app.core import files
from app.core.db import db, transaction
from app.core.errors import NotFound, ValidationFailed
from app.core.permissions import require
from app.core.time import utcnow

MAX_DOCUMENTS = 20


def documents_of(call: Call) -> list[CallDocument]:
    return list(
        db.session.scalars(
            sa.select(CallDocument).where(CallDocument.call_id == call.id).order_by(CallDocument.id)
        )
    )


def add_document(
    actor: User, code: str, title: str, filename: str, stream: BinaryIO
) -> CallDocument:
    """Store a PDF as a document of the call; a refused file leaves nothing behind."""
    with transaction():
        call = get_call_by_code(actor, code)
        require(permissions.can_manage(actor))
        errors: dict[str, str] = {}
        title = (title or "").strip()
        if not title:
            errors["title"] = _("Enter a title for the document.")
        elif len(title) > 200:
            errors["title"] = _("Use at most 200 characters for the title.")
        count = db.session.scalar(
            sa.select(sa.func.count(CallDocument.id)).where(CallDocument.call_id == call.id)
        )
        if (count or 0) >= MAX_DOCUMENTS:
            errors["file"] = _(
                "A call can have at most %(count)d documents. Remove one first.",
                count=MAX_DOCUMENTS,
            )
        if errors:
            raise ValidationFailed(errors)
        max_bytes = current_app.config["PROPOSAL_MAX_ATTACHMENT_BYTES"]
        try:
            stored = files.store(stream, max_bytes, accept=files.accept_pdf)
        except files.FileTooLarge as exc:
            raise ValidationFailed(
                {"file": _("The file is larger than %(size)s MB.", size=max_bytes // (1024 * 1024))}
            ) from exc
        except files.FileRefused as exc:
            raise ValidationFailed(
                {
                    "file": _(
                        "The file is not a PDF. Save or export the document as PDF and try again."
                    )
                }
            ) from exc
        document = CallDocument(
            call_id=call.id,
            title=title,
            filename=files.safe_pdf_filename(filename),
            sha256=stored.sha256,
            size=stored.size,
            uploaded_by_id=actor.id,
            uploaded_at=utcnow(),
        )
        db.session.add(document)
        db.session.flush()
        audit.record(
            actor,
            "call.document_added",
            call,
            after={
                "title": title,
                "filename": document.filename,
                "sha256": stored.sha256,
                "size": stored.size,
            },
        )
    return document


def remove_document(actor: User, code: str, document_id: int) -> None:
    with transaction():
        call = get_call_by_code(actor, code)
        require(permissions.can_manage(actor))
        document = db.session.get(CallDocument, document_id)
        if document is None or document.call_id != call.id:
            raise NotFound()
        db.session.delete(document)
        audit.record(
            actor,
            "call.document_removed",
            call,
            before={
                "title": document.title,
                "filename": document.filename,
                "sha256": document.sha256,
            },
        )


def document_file(actor: User | None, code: str, document_id: int) -> tuple[str, str]:
    """(path, filename) of a document of a call the actor may see."""
    call = get_call_by_code(actor, code)
    document = db.session.get(CallDocument, document_id)
    if document is None or document.call_id != call.id:
        raise NotFound()
    return str(files.path_for(document.sha256)), document.filename
