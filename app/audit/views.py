"""The officials' audit log, with filters."""

from datetime import datetime, time, timedelta

from flask import Blueprint, render_template, request

from app.audit import display, labels, services
from app.core.permissions import Role, roles_required
from app.core.time import BRUSSELS

bp = Blueprint("audit", __name__, template_folder="templates", url_prefix="/audit")
bp.add_app_template_filter(labels.action_label, "audit_action")
bp.add_app_template_filter(labels.object_label, "audit_object")
bp.add_app_template_global(display.changes_of, "audit_changes")
bp.add_app_template_filter(display.raw_json, "audit_json")


def _day(value: str | None):
    try:
        return datetime.strptime(value or "", "%Y-%m-%d").date()
    except ValueError:
        return None


@bp.get("/")
@roles_required(Role.official, Role.admin)
def index():
    args = request.args
    since_day, until_day = _day(args.get("since")), _day(args.get("until"))
    entity_id = args.get("entity_id", type=int)
    page = max(args.get("page", 1, type=int), 1)
    records, total = services.list_records(
        action=args.get("action") or None,
        entity_type=args.get("entity_type") or None,
        entity_id=entity_id,
        since=datetime.combine(since_day, time(), BRUSSELS) if since_day else None,
        until=datetime.combine(until_day + timedelta(days=1), time(), BRUSSELS)
        if until_day
        else None,
        page=page,
    )
    return render_template(
        "audit/index.html",
        records=records,
        total=total,
        page=page,
        per_page=50,
        actions=services.list_actions(),
        args=args,
    )
