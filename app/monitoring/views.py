"""Monitoring pages: funded projects, their trainings and enrolment imports, and the reports."""

from flask import Blueprint

from app.monitoring import models  # noqa: F401  (the tables belong to the app)

bp = Blueprint("monitoring", __name__, template_folder="templates", url_prefix="/monitoring")
