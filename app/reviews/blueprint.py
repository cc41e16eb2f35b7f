"""The evaluation blueprint, shared by the officials' and the evaluators' views."""

from flask import Blueprint

bp = Blueprint("reviews", __name__, url_prefix="/evaluation", template_folder="templates")
