"""Monitoring reports for officials: the reports page with its chart and exports, the
officials' PDF, and the answer sheet (page and PDF). Thin wrappers around
app.monitoring.reports and app.monitoring.report_profiles; the tables come from
app.monitoring.report_tables.

Officials' own page shows exact figures; every file (CSV, XLSX, PDF) and the answer sheet
show small counts suppressed (app.monitoring.suppression).
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.core.downloads import download
from app.core.errors import NotFound
from app.core.permissions import Role, roles_required
from app.core.time import to_brussels, utcnow
from app.monitoring import (
    report_charts,
    report_definitions,
    report_exports,
    report_profiles,
    report_tables,
    reports,
)
from app.monitoring.report_forms import AnswerSheetForm, ReportForm
from app.monitoring.report_pdf import answer_sheet_pdf, reports_pdf
from app.monitoring.suppression import is_hidden
from app.reporting.tables import format_change, format_count
from app.reporting.views import SVG_CSP

reports_bp = Blueprint(
    "monitoring_reports", __name__, template_folder="templates", url_prefix="/monitoring/reports"
)

EXPORT_PER_PAGE = 10000  # every training in a file (distinct trainings, not enrolments)
SHEET_TRAININGS = 100


def figure(value) -> str:
    """One figure in a sentence: a count, "< 5", or a change."""
    if is_hidden(value):
        return value
    if isinstance(value, int):
        return format_count(value)
    return format_change(value)


@reports_bp.context_processor
def _helpers():
    return {
        "format_cell": report_tables.cell_text,
        "format_count": format_count,
        "figure": figure,
        "source_note": report_tables.source_note,
        "month_label": report_tables.month_label,
        "cell": cell,
    }


def cell(table, row_key: str, index: int = 0):
    """The value of one cell of a table by its row key (for the answers' sentences)."""
    return next(row.values[index] for row in table.rows if row.key == row_key)


class BadArgs(Exception):
    def __init__(self, form) -> None:
        super().__init__(form.errors)
        self.form = form


def _today() -> date:
    return to_brussels(utcnow()).date()


def _a_year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _scope(form) -> report_definitions.Scope:
    try:
        return report_definitions.scope_for(
            current_user,
            call_code=form.call.data or None,
            project_reference=form.project.data or None,
        )
    except NotFound:
        field = form.project if form.project.data else form.call
        field.errors = [*field.errors, _("There is no funded project or call with this reference.")]
        raise BadArgs(form) from None


def _attach(form, exc: report_definitions.InvalidReportArgs) -> None:
    for name, message in exc.messages().items():
        field = getattr(form, {"base_end": "end"}.get(name, name), None) or form.end
        field.errors = [*field.errors, message]


# ---------------------------------------------------------------------------- the reports page


@dataclass
class PageReports:
    form: ReportForm
    scope: report_definitions.Scope
    as_of: datetime
    yoy: reports.YearOverYear
    status: reports.StatusShares
    modes: reports.ModeChannel
    trainings: reports.Trainings
    profile: report_profiles.Profile
    esf: report_profiles.EsfReport

    @property
    def source(self) -> str:
        return f"enrolments, enrolment_status_changes, project_trainings; {self.scope.describe()}"


def _page_reports(
    *, trainings_page: int = 1, per_page: int = report_definitions.TRAININGS_PER_PAGE
) -> PageReports:
    form = ReportForm(formdata=request.args)
    today = _today()
    for name, default in (("year", today.year),):
        if not request.args.get(name):
            getattr(form, name).raw_data = [str(default)]
            getattr(form, name).data = default
    if not request.args.get("base") and isinstance(form.year.data, int):
        form.base.raw_data = [str(form.year.data - 1)]
        form.base.data = form.year.data - 1
    if not form.validate():
        raise BadArgs(form)
    year, base = form.year.data, form.base.data
    start = form.start.data or date(year, 1, 1)
    end = form.end.data or (
        min(date(year, 12, 31), today) if year == today.year else date(year, 12, 31)
    )
    if end < start:
        form.end.errors = [*form.end.errors, _("The end must be on or after the start.")]
        raise BadArgs(form)
    day = form.day.data or end
    scope = _scope(form)
    as_of = utcnow()
    try:
        shift = year - base
        base_start = _shift_years(start, -shift)
        base_end = _shift_years(end, -shift)
        return PageReports(
            form=form,
            scope=scope,
            as_of=as_of,
            yoy=reports.year_over_year(
                current_user,
                year,
                base,
                months=tuple(form.months.data or ()) or None,
                scope=scope,
                as_of=as_of,
            ),
            status=reports.status_shares(current_user, start, end, day, scope=scope, as_of=as_of),
            modes=reports.mode_channel(
                current_user,
                start,
                end,
                base_start=base_start,
                base_end=base_end,
                scope=scope,
                as_of=as_of,
            ),
            trainings=reports.trainings(
                current_user,
                start,
                end,
                scope=scope,
                page=trainings_page,
                per_page=per_page,
                as_of=as_of,
            ),
            profile=report_profiles.profile(
                current_user, start, end, day, scope=scope, as_of=as_of
            ),
            esf=report_profiles.esf_indicators(
                current_user, start, end, day, scope=scope, as_of=as_of
            ),
        )
    except report_definitions.InvalidReportArgs as exc:
        _attach(form, exc)
        raise BadArgs(form) from exc


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def page_tables(found: PageReports, *, suppress: bool, all_trainings: bool = False) -> dict:
    tables = {
        "yoy_totals": report_tables.yoy_totals_table(found.yoy, suppress=suppress),
        "yoy": report_tables.yoy_table(found.yoy, suppress=suppress),
        "status": report_tables.status_table(found.status, suppress=suppress),
        "modes": report_tables.mode_table(found.modes, suppress=suppress),
        "channels": report_tables.channel_table(found.modes, suppress=suppress),
        "trainings": report_tables.trainings_table(found.trainings, suppress=suppress),
    }
    for table in report_tables.profile_tables(found.profile, suppress=suppress):
        tables[table.key] = table
    for table in report_tables.esf_tables(found.esf, suppress=suppress):
        tables[table.key] = table
    return tables


EXPORTS = {
    "yoy": ("yoy_totals", "yoy"),
    "status": ("status",),
    "modes": ("modes", "channels"),
    "trainings": ("trainings",),
    "profile": ("profile",),
    "esf": ("esf",),
}


def _choices():
    return report_definitions.report_choices(current_user)


def _link_args() -> dict:
    return {
        key: values if len(values) > 1 else values[0]
        for key, values in request.args.to_dict(flat=False).items()
        if key != "page" and values
    }


@reports_bp.get("/")
@roles_required(Role.official)
def index():
    calls, projects = _choices()
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    try:
        found = _page_reports(trainings_page=min(page, 100000))
    except BadArgs as exc:
        return render_template(
            "monitoring/report_index.html",
            form=exc.form,
            found=None,
            calls=calls,
            projects=projects,
            link_args={},
        ), 400
    return render_template(
        "monitoring/report_index.html",
        form=found.form,
        found=found,
        tables=page_tables(found, suppress=False),
        calls=calls,
        projects=projects,
        link_args=_link_args(),
        page=page,
    )


def _or_400(build):
    try:
        return build()
    except BadArgs as exc:
        messages = "; ".join(str(m) for errors in exc.form.errors.values() for m in errors)
        abort(400, messages)


def _stamp(moment: datetime) -> str:
    return to_brussels(moment).strftime("%Y%m%d-%H%M")


@reports_bp.get("/charts/yoy.svg")
@roles_required(Role.official)
def chart():
    found = _or_400(_page_reports)
    response = Response(report_charts.yoy_chart(found.yoy), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_CSP
    return response


@reports_bp.get(
    "/tables/<any(all, yoy, status, modes, trainings, profile, esf):table>.<any(csv, xlsx):fmt>"
)
@roles_required(Role.official)
def export(table: str, fmt: str):
    """Every file is the suppressed version: it leaves the officials' role."""
    found = _or_400(lambda: _page_reports(per_page=EXPORT_PER_PAGE))
    tables = page_tables(found, suppress=True)
    if table != "all":
        tables = {
            key: t
            for key, t in tables.items()
            if any(key == p or key.startswith(p + "_") for p in EXPORTS[table])
        }
    name = f"monitoring-{table}-{_stamp(found.as_of)}.{fmt}"
    if fmt == "csv":
        return download(
            report_exports.tables_csv(list(tables.values()), found.as_of, found.source),
            report_exports.CSV_MIMETYPE,
            name,
        )
    return download(
        report_exports.tables_xlsx(
            list(tables.values()), found.as_of, found.source, _("Monitoring reports")
        ),
        report_exports.XLSX_MIMETYPE,
        name,
    )


@reports_bp.get("/report.pdf")
@roles_required(Role.official)
def report_pdf():
    found = _or_400(lambda: _page_reports(per_page=EXPORT_PER_PAGE))
    pdf = reports_pdf(found, page_tables(found, suppress=True))
    return download(pdf, "application/pdf", f"monitoring-{_stamp(found.as_of)}.pdf")


# ---------------------------------------------------------------------------- the answer sheet


@dataclass
class AnswerSheet:
    form: AnswerSheetForm
    scope: report_definitions.Scope
    as_of: datetime
    start: date
    end: date
    base_start: date
    base_end: date
    day: date
    modes: reports.ModeChannel
    trainings: reports.Trainings
    profile: report_profiles.Profile
    yoy: reports.YearOverYear
    status: reports.StatusShares


def _answer_sheet() -> AnswerSheet:
    form = AnswerSheetForm(formdata=request.args)
    if not form.validate():
        raise BadArgs(form)
    today = _today()
    start = form.start.data or date(today.year, 1, 1)
    end = form.end.data or max(start, today)
    if end < start:
        form.end.errors = [*form.end.errors, _("The end must be on or after the start.")]
        raise BadArgs(form)
    base_start = form.base_start.data or _a_year_earlier(start)
    base_end = form.base_end.data or _a_year_earlier(end)
    if base_end < base_start:
        form.base_end.errors = [*form.base_end.errors, _("The end must be on or after the start.")]
        raise BadArgs(form)
    day = form.day.data or min(end, today)
    scope = _scope(form)
    as_of = utcnow()
    year = end.year
    base = base_end.year if base_end.year != year else year - 1
    first_month = start.month if start.year == year else 1
    months = tuple(range(first_month, end.month + 1))
    try:
        return AnswerSheet(
            form=form,
            scope=scope,
            as_of=as_of,
            start=start,
            end=end,
            base_start=base_start,
            base_end=base_end,
            day=day,
            modes=reports.mode_channel(
                current_user,
                start,
                end,
                base_start=base_start,
                base_end=base_end,
                scope=scope,
                as_of=as_of,
            ),
            trainings=reports.trainings(
                current_user, start, end, scope=scope, per_page=SHEET_TRAININGS, as_of=as_of
            ),
            profile=report_profiles.profile(
                current_user, start, end, day, scope=scope, as_of=as_of
            ),
            yoy=reports.year_over_year(
                current_user, year, base, months=months, scope=scope, as_of=as_of
            ),
            status=reports.status_shares(current_user, start, end, day, scope=scope, as_of=as_of),
        )
    except report_definitions.InvalidReportArgs as exc:
        _attach(form, exc)
        raise BadArgs(form) from exc


def sheet_tables(sheet: AnswerSheet) -> dict:
    """The answer sheet leaves the officials' role: always suppressed."""
    tables = {
        "digital": report_tables.digital_table(sheet.modes, suppress=True),
        "channels": report_tables.channel_table(sheet.modes, suppress=True),
        "trainings": report_tables.trainings_table(sheet.trainings, suppress=True),
        "modes": report_tables.mode_table(sheet.modes, suppress=True),
        "yoy": report_tables.yoy_table(sheet.yoy, suppress=True),
        "status": report_tables.status_table(sheet.status, suppress=True),
    }
    for table in report_tables.profile_tables(sheet.profile, suppress=True):
        tables[table.key] = table
    return tables


@reports_bp.get("/answer-sheet")
@roles_required(Role.official)
def answer_sheet():
    calls, projects = _choices()
    try:
        sheet = _answer_sheet()
    except BadArgs as exc:
        return render_template(
            "monitoring/answer_sheet.html",
            form=exc.form,
            sheet=None,
            calls=calls,
            projects=projects,
            link_args={},
        ), 400
    return render_template(
        "monitoring/answer_sheet.html",
        form=sheet.form,
        sheet=sheet,
        tables=sheet_tables(sheet),
        calls=calls,
        projects=projects,
        link_args=_link_args(),
    )


@reports_bp.get("/answer-sheet.pdf")
@roles_required(Role.official)
def answer_sheet_download():
    sheet = _or_400(_answer_sheet)
    pdf = answer_sheet_pdf(sheet, sheet_tables(sheet))
    return download(pdf, "application/pdf", f"antwoordblad-{_stamp(sheet.as_of)}.pdf")
