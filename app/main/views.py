"""Home page, language switch, health check, the privacy page and personal data, and
prepared documents (large PDFs)."""

from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.models import User
from app.core import documents, email
from app.core.db import db
from app.core.downloads import download
from app.core.errors import DomainError, NotFound
from app.core.permissions import Role, has_role, roles_required
from app.core.redirects import safe_next
from app.main import dashboards, privacy
from app.main.forms import AnonymiseForm

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
def index() -> ResponseReturnValue:
    from app.calls import services as calls  # the calls package imports this module

    failed_mail: tuple[int, list[Any]] = (0, [])
    if current_user.is_authenticated and current_user.is_official:
        failed_mail = email.failed_messages()
    return render_template(
        "main/index.html",
        open_calls=calls.open_calls(),
        failed_mail_count=failed_mail[0],
        failed_mail=failed_mail[1],
        **_dashboards(),
    )


def _dashboards() -> dict[str, Any]:
    """Each of the user's roles adds its start panel to the home page."""
    panels: dict[str, Any] = {"applicant": None, "evaluator": None, "official": None, "admin": None}
    if not current_user.is_authenticated:
        return panels
    if has_role(current_user, Role.applicant):
        panels["applicant"] = dashboards.applicant(current_user)
    if has_role(current_user, Role.evaluator):
        panels["evaluator"] = dashboards.evaluator(current_user)
    if has_role(current_user, Role.official):
        panels["official"] = dashboards.official(request.args)
    if has_role(current_user, Role.admin):
        panels["admin"] = dashboards.admin()
        panels["roles"] = list(Role)
    return panels


@bp.post("/language")
def set_language() -> ResponseReturnValue:
    """The language switch of the pages, remembered in the session. The language of letters
    is the account's own setting on the profile (auth.letter_language), not changed here."""
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["language"] = language
    return redirect(safe_next(request.form.get("next")))


@bp.get("/healthz")
def health() -> ResponseReturnValue:
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
def document(document_id: str) -> ResponseReturnValue:
    """The state of a document being prepared (the page refreshes itself until it is done:
    the content security policy allows no script) and its download link when ready."""
    found = _document(document_id)
    back = request.args.get("back", "")
    return render_template(
        "main/document.html",
        document=found,
        kind=documents.kind(found.kind),
        back=safe_next(back) if back else "",
    )


@bp.get("/documents/<document_id>/file")
@login_required
def document_file(document_id: str) -> ResponseReturnValue:
    found = _document(document_id)
    path = documents.file_of(found)
    if found.state != "done" or not path.exists():
        abort(404)
    kind = documents.kind(found.kind)
    return send_file(
        path,
        mimetype=kind.mimetype if kind else "application/octet-stream",
        as_attachment=True,
        download_name=found.filename,
        max_age=0,
    )


@bp.get("/privacy")
def privacy_page() -> ResponseReturnValue:
    """Public: what the portal keeps about people, why, for how long, who sees it."""
    return render_template("main/privacy.html", token_days=current_app.config["API_TOKEN_DAYS"])


@bp.get("/profile/personal-data")
@login_required
def personal_data() -> ResponseReturnValue:
    """The logged-in person's own data (never someone else's): a ZIP archive with the JSON
    and the documents they uploaded."""
    body = privacy.to_archive(privacy.personal_data(current_user, current_user.id))
    return download(body, "application/zip", f"personal-data-{current_user.id}.zip")


@bp.route("/admin/users/<int:user_id>/anonymise", methods=["GET", "POST"])
@roles_required(Role.admin)
def anonymise(user_id: int) -> ResponseReturnValue:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    form = AnonymiseForm()
    if form.validate_on_submit():
        try:
            privacy.anonymise(current_user, user_id)
        except DomainError as exc:
            flash(exc.user_message(), "error")
        else:
            flash(_("The account has been anonymised."), "success")
            return redirect(url_for("auth.users"))
    status = 422 if form.errors else 200
    return render_template("main/anonymise.html", user=user, form=form), status
