from flask import Blueprint

bp = Blueprint("reviews", __name__, url_prefix="/evaluation", template_folder="templates")

from app.reviews import models  # noqa: E402, F401
