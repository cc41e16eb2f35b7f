from flask import Blueprint

bp = Blueprint("reviews", __name__, url_prefix="/evaluation", template_folder="templates")

from app.reviews import (  # noqa: E402, F401
    clock_views,
    disagreement_views,
    evaluator_views,
    models,
    objection_models,
    objection_views,
    official_views,
    quorum_views,
)
