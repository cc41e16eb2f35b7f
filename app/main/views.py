"""Home page, language switch and health check."""

import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, render_template, request, session
from flask_login import current_user

from app.auth import services as auth_services
from app.core import email
from app.core.db import db
from app.core.permissions import Role, has_role
from app.core.redirects import safe_next
from app.main import dashboards

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
def index():
    from app.calls import services as calls  # the calls package imports this module

    failed_mail = (0, [])
    if current_user.is_authenticated and current_user.is_official:
        failed_mail = email.failed_messages()
    return render_template("main/index.html", open_calls=calls.open_calls(),
                           failed_mail_count=failed_mail[0], failed_mail=failed_mail[1],
                           **_dashboards())


def _dashboards() -> dict:
    """Each of the user's roles adds its start panel to the home page."""
    panels: dict = {"applicant": None, "evaluator": None, "official": None, "admin": None}
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
