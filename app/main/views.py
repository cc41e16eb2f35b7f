"""Home page, language switch, health check, and prepared documents (large PDFs)."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    session,
)
from flask_login import current_user, login_required

from app.auth import services as auth_services
from app.core import documents, email
from app.core.db import db
from app.core.redirects import safe_next

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
def index():
    from app.calls import services as calls  # the calls package imports this module

    failed_mail = (0, [])
    if current_user.is_authenticated and current_user.is_official:
        failed_mail = email.failed_messages()
    return render_template("main/index.html", open_calls=calls.open_calls(),
                           failed_mail_count=failed_mail[0], failed_mail=failed_mail[1])


@bp.post("/language")
def set_language():
    """The language switch: remembered in the session and, when logged in, on the account."""
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["language"] = language
        if current_user.is_authenticated:
            auth_services.set_language(current_user, language)
    return redirect(safe_next(request.form.get("next")))


@bp.get("/healthz")
def health():
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}


def _document(document_id: str) -> documents.Document:
    """The document, for the user who asked for it only (anyone else: 404)."""
    document = documents.get(document_id)
    if document is None or not documents.visible_to(document, current_user):
        abort(404)
    return document


@bp.get("/documents/<document_id>")
@login_required
def document(document_id: str):
    """The state of a document being prepared (the page refreshes itself until it is done:
    the content security policy allows no script) and its download link when ready."""
    found = _document(document_id)
    back = request.args.get("back", "")
    return render_template("main/document.html", document=found,
                           kind=documents.kind(found.kind),
                           back=safe_next(back) if back else "")


@bp.get("/documents/<document_id>/file")
@login_required
def document_file(document_id: str):
    found = _document(document_id)
    path = documents.file_of(found)
    if found.state != "done" or not path.exists():
        abort(404)
    kind = documents.kind(found.kind)
    return send_file(path, mimetype=kind.mimetype if kind else "application/octet-stream",
                     as_attachment=True, download_name=found.filename, max_age=0)
