from flask import Blueprint

bp = Blueprint("organisations", __name__, template_folder="templates",
               url_prefix="/organisations")

from app.organisations import views  # noqa: E402,F401
