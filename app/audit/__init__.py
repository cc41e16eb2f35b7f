from flask import Blueprint

bp = Blueprint("audit", __name__, template_folder="templates", url_prefix="/audit")

from app.audit import views  # noqa: E402,F401
