from flask import Blueprint

bp = Blueprint("reviews", __name__, url_prefix="/evaluation", template_folder="templates")

from app.reviews import evaluator_views, models, official_views  # noqa: E402, F401
