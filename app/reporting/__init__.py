"""Officials' statistics: live counts as of any moment, charts, exports, the PDF report."""

from flask import Blueprint

bp = Blueprint("reporting", __name__, url_prefix="/reporting", template_folder="templates")

from app.reporting import models, views  # noqa: E402, F401
