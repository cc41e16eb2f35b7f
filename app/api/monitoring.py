"""Officials' monitoring API: started enrolments year over year, and participants' profile.

Both run the same services as the monitoring reports page (app.monitoring.reports), so the
API and the page give the same numbers. The token is an official's: figures are exact.
"""

import marshmallow as ma
from flask import g
from werkzeug.exceptions import BadRequest

from app.api.core import ApiErrorSchema, bp, token_required
from app.api.fields import BrusselsDateTime
from app.core.permissions import Role
from app.monitoring import report_definitions, report_profiles, reports

MODES = [*report_definitions.MODES, "total"]
MONTHS_PATTERN = r"^((1[0-2]|[1-9])(,(1[0-2]|[1-9]))*)?$"  # empty: every month, as absent


class YoyQuerySchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    year = ma.fields.Integer(
        required=True, validate=ma.validate.Range(min=2000, max=2100), metadata={"example": 2026}
    )
    base = ma.fields.Integer(
        required=True,
        validate=ma.validate.Range(min=2000, max=2100),
        metadata={"example": 2025, "description": "The earlier year to compare with"},
    )
    months = ma.fields.String(
        validate=ma.validate.Regexp(MONTHS_PATTERN),
        metadata={
            "pattern": MONTHS_PATTERN,
            "description": "Months to include, comma-separated numbers 1-12 (absent or empty: all)",
            "example": "1,2",
        },
    )


class YoyRowSchema(ma.Schema):
    month = ma.fields.Integer(required=True, metadata={"description": "1-12"})
    mode = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(MODES),
        metadata={
            "description": "online = home-learning hours only; blended = contact and "
            "home-learning hours; physical = contact hours only; total = all"
        },
    )
    base_count = ma.fields.Integer(
        required=True, metadata={"description": "Enrolments started in this month of the base year"}
    )
    count = ma.fields.Integer(
        required=True, metadata={"description": "Enrolments started in this month of the year"}
    )
    change_pct = ma.fields.Float(
        required=True,
        allow_none=True,
        metadata={
            "description": "(count - base_count) / base_count * 100, one decimal (half up); "
            "null when base_count is 0"
        },
    )


class YoySchema(ma.Schema):
    year = ma.fields.Integer(required=True)
    base = ma.fields.Integer(required=True)
    as_of = BrusselsDateTime(required=True)
    rows = ma.fields.List(
        ma.fields.Nested(YoyRowSchema),
        required=True,
        metadata={"description": "Per month, the three modes then the total"},
    )


class ProfileQuerySchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    start = ma.fields.Date(
        required=True,
        data_key="from",
        metadata={"example": "2026-01-01", "description": "First day of the period (started_on)"},
    )
    end = ma.fields.Date(
        required=True,
        data_key="to",
        metadata={
            "example": "2026-06-30",
            "description": "Last day of the period; the status and participants are as of this day",
        },
    )
    project = ma.fields.String(metadata={"description": "A funded project's reference"})


def _counts_schema(name: str, values: tuple[str, ...]) -> type[ma.Schema]:
    fields: dict[str, ma.fields.Field] = {
        key: ma.fields.Integer(required=True) for key in (*values, report_definitions.UNKNOWN)
    }
    title = "".join(part.capitalize() for part in name.split("_"))
    return ma.Schema.from_dict(fields, name=f"Monitoring{title}Counts")


BREAKDOWN_DESCRIPTIONS = {
    "education": "low = ISCED 0-2, middle = ISCED 3-4, high = ISCED 5-8",
    "age_flemish": "Age at the start (start year - birth year): under 25 (up to 24), 25-58 "
    "(25 to 57), 58 and older",
    "age_esf": "Age at the start (start year - birth year): under 18, 18-29, 30-54, 55+",
    "gender": "f = women, m = men, x = non-binary",
    "disability": "With a disability",
    "migration_background": "With a migration background",
    "labour_status": "Labour-market status at the start",
}


BreakdownsSchema = ma.Schema.from_dict(
    {
        name: ma.fields.Nested(
            _counts_schema(name, values),
            required=True,
            metadata={"description": BREAKDOWN_DESCRIPTIONS[name] + "; unknown = did not answer"},
        )
        for name, values in report_definitions.DIMENSIONS.items()
    },
    name="MonitoringBreakdowns",
)


class ProfileSchema(ma.Schema):
    start = ma.fields.Date(required=True, data_key="from")
    end = ma.fields.Date(required=True, data_key="to")
    project = ma.fields.String(required=True, allow_none=True)
    as_of = BrusselsDateTime(required=True)
    total = ma.fields.Integer(
        required=True, metadata={"description": "Participants: enrolments started in the period"}
    )
    breakdowns = ma.fields.Nested(BreakdownsSchema, required=True)


def _document_errors(not_found: str | None = None):
    errors = [
        (400, "Bad parameters"),
        (401, "No or invalid token"),
        (403, "The token's account is not an official"),
    ]
    if not_found:
        errors.append((404, not_found))

    def decorator(view):
        for status, description in reversed(errors):
            view = bp.alt_response(status, schema=ApiErrorSchema, description=description)(view)
        return view

    return decorator


def _months(text: str | None) -> tuple[int, ...] | None:
    """``1,2`` as (1, 2); the schema's pattern has already refused anything else."""
    return tuple(int(part) for part in text.split(",")) if text else None


def yoy_body(yoy: reports.YearOverYear) -> dict:
    return {
        "year": yoy.year,
        "base": yoy.base,
        "as_of": yoy.as_of,
        "rows": [
            {
                "month": cell.month,
                "mode": cell.mode,
                "base_count": cell.base_count,
                "count": cell.count,
                "change_pct": cell.change_pct,  # a Decimal, written as a number
            }
            for cell in yoy.cells
            if cell.month
        ],
    }


@bp.route("/monitoring/yoy")
@token_required(Role.official)
@bp.arguments(YoyQuerySchema, location="query", as_kwargs=True)
@bp.response(200, YoySchema)
@_document_errors()
def monitoring_yoy(year: int, base: int, months: str | None = None):
    """Started enrolments per month and mode for a year against a base year (officials).

    Counts enrolments by the month they started; the change is against the same month of
    the base year, one decimal, null on a zero base.
    """
    try:
        yoy = reports.year_over_year(g.api_user, year, base, months=_months(months))
    except report_definitions.InvalidReportArgs as exc:
        raise BadRequest("; ".join(f"{k}: {v}" for k, v in exc.messages().items())) from exc
    return yoy_body(yoy)


def profile_body(found: report_profiles.Profile, scope: report_definitions.Scope) -> dict:
    return {
        "start": found.start,
        "end": found.end,  # from, to
        "project": scope.project.reference if scope.project else None,
        "as_of": found.as_of,
        "total": found.total,
        "breakdowns": {name: dict(b.counts) for name, b in found.breakdowns.items()},
    }


@bp.route("/monitoring/profile")
@token_required(Role.official)
@bp.arguments(ProfileQuerySchema, location="query", as_kwargs=True)
@bp.response(200, ProfileSchema)
@_document_errors("No funded project with this reference")
def monitoring_profile(start, end, project: str | None = None):
    """Participants of a period by education, age band, gender, disability, migration
    background and labour status, each with "unknown" for those who did not answer
    (officials). A ``to`` before ``from`` is an empty period: every count is 0."""
    scope = report_definitions.scope_for(g.api_user, project_reference=project or None)
    found = report_profiles.profile(g.api_user, start, end, scope=scope)
    return profile_body(found, scope)
