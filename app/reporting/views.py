"""Statistics pages for officials: thin wrappers around the services of app.reporting
(statistics, comparisons, proposal_rows, mention_finder, and services for the verification)."""

from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.models import User
from app.calls import services as call_services
from app.calls.models import Call
from app.core import documents, formatting
from app.core.db import db
from app.core.downloads import download
from app.core.errors import NotFound
from app.core.forms import submit_form
from app.core.permissions import Role, roles_required
from app.core.redirects import safe_next
from app.core.time import request_received_at, to_brussels
from app.reporting import (
    charts,
    comparisons,
    exports,
    labels,
    mention_finder,
    moments,
    permissions,
    proposal_rows,
    services,
    statistics,
)
from app.reporting.forms import VerifyForm
from app.reporting.pdf import report_pdf
from app.reporting.tables import (
    active_days_table,
    figure_tables,
    format_cell,
    format_change,
    format_count,
)

bp = Blueprint("reporting", __name__, url_prefix="/reporting", template_folder="templates")

# An SVG chart is a document of its own: matplotlib writes its styles inline. It is shown
# through <img>, so it can run nothing; this policy lets it style itself and nothing more.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"


# ---------------------------------------------------------------------------- helpers


def technology_names(codes) -> str:
    return ", ".join(labels.technology_label(code) for code in codes) if codes else _("none")


@bp.context_processor
def _helpers():
    return {
        "format_cell": format_cell,
        "format_count": format_count,
        "format_change": format_change,
        "euro_amount": formatting.euro,
        "technology_label": labels.technology_label,
        "technology_names": technology_names,
        "project_type_label": labels.project_type_label,
        "provider_type_label": labels.provider_type_label,
    }


class BadRequestArgs(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def _moment() -> datetime:
    try:
        return moments.parse_moment(request.args.get("as_of"))
    except moments.NonexistentMoment as exc:
        raise BadRequestArgs({"as_of": exc.user_message()}) from exc
    except moments.InvalidMoment as exc:
        raise BadRequestArgs(
            {
                "as_of": _(
                    "Enter a date and time like 2027-03-15 17:00 (Brussels time), or leave it empty "
                    "for now."
                )
            }
        ) from exc


def _other_call(call: Call, calls: list[Call] | None = None, user=None) -> Call | None:
    code = (request.args.get("compare") or "").strip().upper()
    if not code or code == call.code:
        return None
    found = next((c for c in calls or [] if c.code == code), None)
    if found is None:
        try:
            found = call_services.get_call_by_code(user or current_user, code)
        except NotFound as exc:
            raise BadRequestArgs(
                {"compare": _("There is no call %(code)s.", code=code[:40])}
            ) from exc
    return found


def _statistics(code: str, calls: list[Call] | None = None, user=None):
    user = user or current_user
    call = statistics.get_call(user, code)
    as_of = _moment()  # checked even when empty; None means now (the cached figures)
    stats = statistics.call_statistics(user, call, as_of if request.args.get("as_of") else None)
    other = _other_call(call, calls, user)
    comparison = comparisons.comparison_call_statistics(user, stats, other) if other else None
    return call, stats, comparison


def _link_args(stats, comparison) -> dict:
    """The exact moment the page shows, so charts and exports give the same figures."""
    args = {"as_of": stats.as_of.isoformat()}
    if comparison is not None:
        args["compare"] = request.args.get("compare", "").strip().upper()
    return args


def _stamp(stats) -> str:
    return to_brussels(stats.as_of).strftime("%Y%m%d-%H%M")


# ---------------------------------------------------------------------------- pages


@bp.get("/")
@roles_required(Role.official)
def index():
    """The dashboard of the chosen call (the form's call selector), else the newest call."""
    calls = call_services.list_calls(current_user)
    code = (request.args.get("call") or "").strip().upper()
    if not code and calls:
        published = [c for c in calls if c.is_published]
        code = (published or calls)[0].code
    if not code:
        return render_template("reporting/no_calls.html")
    args: dict[str, Any] = {
        key: request.args[key] for key in ("as_of", "compare") if request.args.get(key)
    }
    return redirect(url_for(".dashboard", code=code, **args))


@bp.get("/calls/<code>")
@roles_required(Role.official)
def dashboard(code: str):
    calls = call_services.list_calls(current_user)
    try:
        call, stats, comparison = _statistics(code, calls)
    except BadRequestArgs as exc:
        call = statistics.get_call(current_user, code)
        return render_template(
            "reporting/dashboard.html",
            call=call,
            calls=calls,
            errors=exc.errors,
            args=request.args,
            stats=None,
        ), 400
    tables = {table.key: table for table in figure_tables(stats, comparison, with_days=False)}
    days = active_days_table(stats)
    return render_template(
        "reporting/dashboard.html",
        call=call,
        calls=calls,
        stats=stats,
        comparison=comparison,
        tables=tables,
        days=days,
        errors={},
        args=request.args,
        link_args=_link_args(stats, comparison),
    )


@bp.get("/calls/<code>/charts/<any(technologies, submissions, comparison):name>.svg")
@roles_required(Role.official)
def chart(code: str, name: str):
    try:
        _call, stats, comparison = _statistics(code)
    except BadRequestArgs as exc:
        abort(400, "; ".join(exc.errors.values()))
    if name == "technologies":
        svg = charts.technologies_chart(stats)
    elif name == "submissions":
        svg = charts.submissions_chart(stats)
    else:
        if comparison is None:
            abort(404)
        svg = charts.comparison_chart(comparison)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_CSP
    return response


@bp.get("/calls/<code>/figures.<any(csv, xlsx):fmt>")
@roles_required(Role.official)
def export_figures(code: str, fmt: str):
    try:
        call, stats, comparison = _statistics(code)
    except BadRequestArgs as exc:
        abort(400, "; ".join(exc.errors.values()))
    tables = figure_tables(stats, comparison)
    name = f"cijfers-{call.code}-{_stamp(stats)}.{fmt}"
    if fmt == "csv":
        return download(exports.figures_csv(stats, tables), exports.CSV_MIMETYPE, name)
    return download(exports.figures_xlsx(stats, tables), exports.XLSX_MIMETYPE, name)


@bp.get("/calls/<code>/proposals.<any(csv, xlsx):fmt>")
@roles_required(Role.official)
def export_proposals(code: str, fmt: str):
    call = statistics.get_call(current_user, code)
    try:
        as_of = _moment()
    except BadRequestArgs as exc:
        abort(400, "; ".join(exc.errors.values()))
    rows = proposal_rows.submitted_proposals(current_user, call, as_of)
    name = f"voorstellen-{call.code}-{to_brussels(as_of).strftime('%Y%m%d-%H%M')}.{fmt}"
    if fmt == "csv":
        return download(exports.proposals_csv(rows), exports.CSV_MIMETYPE, name)
    return download(exports.proposals_xlsx(as_of, rows), exports.XLSX_MIMETYPE, name)


@bp.get("/calls/<code>/report.pdf")
@roles_required(Role.official)
def report(code: str):
    """The PDF at once (seconds for any call: the page offers the prepared one below)."""
    try:
        call, stats, comparison = _statistics(code)
    except BadRequestArgs as exc:
        abort(400, "; ".join(exc.errors.values()))
    pdf = report_pdf(stats, comparison)
    return download(pdf, "application/pdf", f"stand-van-zaken-{call.code}-{_stamp(stats)}.pdf")


def _render_report(owner_id: int, params: dict) -> tuple[bytes, str]:
    """The report PDF in a background job, as the owner would have had it from ``report``."""
    user = db.session.get(User, owner_id)
    if user is None or not permissions.can_view_statistics(user):
        raise PermissionError("no longer allowed")
    query = urlencode({k: params[k] for k in ("as_of", "compare") if params.get(k)})
    path = f"/reporting/calls/{quote(params['code'])}/report.pdf?{query}"
    with current_app.test_request_context(path), force_locale(params.get("lang") or "nl"):
        call, stats, comparison = _statistics(params["code"], user=user)
        pdf = report_pdf(stats, comparison)
    return pdf, f"stand-van-zaken-{call.code}-{_stamp(stats)}.pdf"


documents.register(
    "statistics_pdf",
    allowed=permissions.can_view_statistics,
    render=_render_report,
    label=_l("Report “State of play” (PDF)"),
)


@bp.post("/calls/<code>/report.pdf/prepare")
@roles_required(Role.official)
def prepare_report(code: str):
    """Queue the report PDF as a background job and follow it on the document's page."""
    try:
        call = statistics.get_call(current_user, code)
        as_of = _moment()
        _other_call(call)
    except BadRequestArgs as exc:
        abort(400, "; ".join(exc.errors.values()))
    params = {
        "code": call.code,
        "as_of": as_of.isoformat(),
        "lang": formatting.language(),
        "compare": (request.args.get("compare") or "").strip().upper(),
    }
    document = documents.prepare(current_user, "statistics_pdf", params)
    query: dict[str, Any] = request.args.to_dict()
    back = url_for("reporting.dashboard", code=call.code, **query)
    return redirect(url_for("main.document", document_id=document.id, back=back))


@bp.get("/calls/<code>/proposals")
@roles_required(Role.official)
def proposals(code: str):
    """Submitted proposals with their declared and verified technologies."""
    call = statistics.get_call(current_user, code)
    result = proposal_rows.submitted_proposals_page(current_user, call, request.args)
    list_args = {key: request.args[key] for key in ("show", "sort") if request.args.get(key)}
    return render_template(
        "reporting/proposals.html",
        call=call,
        page=result.page,
        rows=result.page.items,
        show=result.show,
        sort=result.sort,
        list_args=list_args,
    )


@bp.get("/calls/<code>/mentions")
@roles_required(Role.official)
def mentions(code: str):
    """Submitted proposals whose texts mention a technology they did not declare."""
    call = statistics.get_call(current_user, code)
    reviews = mention_finder.undeclared_mentions(current_user, call)
    return render_template("reporting/mentions.html", call=call, reviews=reviews)


@bp.route("/proposals/<int:proposal_id>/technologies", methods=["GET", "POST"])
@roles_required(Role.official)
def verify(proposal_id: int):
    proposal = services.get_proposal_for_verification(current_user, proposal_id)
    latest = proposal.versions[-1] if proposal.versions else None
    current = services.latest_verification(proposal.id)
    form = VerifyForm.for_call(proposal.call)
    if request.method == "GET" and latest is not None:
        form.version.data = str(latest.number)
        form.technologies.data = (
            list(current.technologies) if current else list(latest.data.get("technologies") or [])
        )
    next_url = request.values.get("next") or url_for(".proposals", code=proposal.call.code)
    done = submit_form(
        form,
        lambda: services.verify_technologies(
            current_user,
            proposal.id,
            form.technologies.data or [],
            version_number=int(form.version.data),
            note=form.note.data or "",
            received_at=request_received_at(),
        ),
        success=_("The technologies of %(reference)s were verified.", reference=proposal.reference),
        then=safe_next(next_url),
        refused=url_for(".verify", proposal_id=proposal.id, next=next_url),
    )
    if done:
        return done
    mentions = mention_finder.text_mentions(latest.data) if latest is not None else []
    return render_template(
        "reporting/verify.html",
        proposal=proposal,
        latest=latest,
        current=current,
        history=services.verification_history(proposal.id),
        form=form,
        mentions=mentions,
        next_url=safe_next(next_url),
    ), 422 if form.errors else 200
