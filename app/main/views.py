"""Home page, language switch and health check."""

import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, render_template, request, session
from flask_login import current_user

from app.core import email
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
    """The language switch of the pages, remembered in the session. The language of letters
    is the account's own setting on the profile (auth.letter_language), not changed here."""
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["language"] = language
    return redirect(safe_next(request.form.get("next")))


@bp.get("/healthz")
def health():
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
