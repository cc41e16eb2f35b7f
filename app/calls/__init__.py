from flask import Blueprint

bp = Blueprint("calls", __name__, url_prefix="/calls", template_folder="templates")

from app.calls import models, views  # noqa: E402, F401
