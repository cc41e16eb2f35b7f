"""Officials' statistics API: one call's figures as of a moment, and its submitted proposals.

Both run the same services as the dashboard (app.reporting.statistics), so the API, the
page, the exports and the PDF give the same numbers for the same moment.
"""

import math
from datetime import datetime

import marshmallow as ma
from flask import g
from werkzeug.exceptions import BadRequest

from app.api.core import ApiErrorSchema, bp, token_required
from app.api.fields import Amount, BrusselsDateTime
from app.calls.models import ALL_PROJECT_TYPES, ALL_PROVIDER_TYPES
from app.core.permissions import Role
from app.reporting import moments, proposal_rows, statistics
from app.reporting.exports import proposal_record

AS_OF_DESCRIPTION = (
    "The moment the figures are as of, ISO 8601 (e.g. 2027-03-15T17:00:00+01:00 or "
    "2027-03-15T16:00:00Z; without an offset, Brussels time). Default and upper bound: now."
)


class AsOfQuerySchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    as_of = ma.fields.String(
        metadata={
            "format": "date-time",
            "description": AS_OF_DESCRIPTION,
            "example": "2027-03-15T17:00:00+01:00",
        }
    )


class ProposalsQuerySchema(AsOfQuerySchema):
    page = ma.fields.Integer(
        load_default=1,
        validate=ma.validate.Range(min=1, max=100000),
        metadata={"description": "Page number, from 1"},
    )
    per_page = ma.fields.Integer(
        load_default=100,
        validate=ma.validate.Range(min=1, max=500),
        metadata={"description": "Proposals per page (at most 500)"},
    )


class StatusCountsSchema(ma.Schema):
    draft = ma.fields.Integer(required=True)
    submitted = ma.fields.Integer(required=True)
    withdrawn = ma.fields.Integer(required=True)


class ProjectTypeCountsSchema(ma.Schema):
    convert = ma.fields.Integer(required=True)
    adapt = ma.fields.Integer(required=True)
    new = ma.fields.Integer(required=True)


class ProviderTypeCountsSchema(ma.Schema):
    public = ma.fields.Integer(required=True)
    private = ma.fields.Integer(required=True)


class CallStatsSchema(ma.Schema):
    call = ma.fields.String(required=True, metadata={"example": "ESF-ELEREN-2027"})
    as_of = BrusselsDateTime(required=True)
    proposals = ma.fields.Nested(
        StatusCountsSchema,
        required=True,
        metadata={"description": "Proposals by status at the moment; each proposal counts once"},
    )
    by_technology = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        required=True,
        metadata={
            "description": "Submitted proposals declaring each technology of the call's "
            "vocabulary (every code of the call is present)"
        },
    )
    verified_by_technology = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        required=True,
        metadata={
            "description": "Submitted proposals whose technologies an official "
            "verified, per technology (same keys)"
        },
    )
    vr_or_ai = ma.fields.Integer(
        required=True,
        metadata={"description": "Distinct submitted proposals declaring VR, AI or both"},
    )
    vr_and_ai = ma.fields.Integer(
        required=True, metadata={"description": "Submitted proposals declaring both VR and AI"}
    )
    verified_vr_or_ai = ma.fields.Integer(
        required=True,
        metadata={
            "description": "Distinct submitted proposals whose verified technologies include VR, "
            "AI or both (verification of an earlier version included)"
        },
    )
    by_project_type = ma.fields.Nested(ProjectTypeCountsSchema, required=True)
    by_provider_type = ma.fields.Nested(ProviderTypeCountsSchema, required=True)
    requested_budget_eur = Amount(required=True)


class ApiProposalSchema(ma.Schema):
    reference = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    organisation = ma.fields.String(required=True)
    enterprise_number = ma.fields.String(required=True)
    provider_type = ma.fields.String(required=True, validate=ma.validate.OneOf(ALL_PROVIDER_TYPES))
    project_type = ma.fields.String(required=True, allow_none=True)
    practice_oriented = ma.fields.Boolean(required=True, allow_none=True)
    requested_eur = Amount(required=True, allow_none=True)
    declared_technologies = ma.fields.List(ma.fields.String(), required=True)
    verified_technologies = ma.fields.List(
        ma.fields.String(),
        required=True,
        allow_none=True,
        metadata={"description": "null until an official verified the technologies"},
    )
    verified_by = ma.fields.String(required=True, allow_none=True)
    verified_at = BrusselsDateTime(required=True, allow_none=True)
    verified_version = ma.fields.Integer(required=True, allow_none=True)
    version = ma.fields.Integer(
        required=True,
        metadata={
            "description": "The version in force at the moment (the last one submitted by then)"
        },
    )
    first_submitted_at = BrusselsDateTime(required=True)
    submitted_at = BrusselsDateTime(required=True)


class ProposalPageSchema(ma.Schema):
    call = ma.fields.String(required=True)
    as_of = BrusselsDateTime(required=True)
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)
    pages = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True)
    proposals = ma.fields.List(ma.fields.Nested(ApiProposalSchema), required=True)


def _moment(args: dict) -> datetime:
    try:
        return moments.parse_moment(args.get("as_of"))
    except moments.InvalidMoment as exc:
        raise BadRequest(exc.user_message()) from exc


def stats_body(stats: statistics.CallStatistics) -> dict:
    return {
        "call": stats.call.code,
        "as_of": stats.as_of,
        "proposals": dict(stats.by_status),
        "by_technology": dict(stats.by_technology),
        "verified_by_technology": dict(stats.verified_by_technology),
        "vr_or_ai": stats.vr_or_ai,
        "vr_and_ai": stats.vr_and_ai,
        "verified_vr_or_ai": stats.verified_vr_or_ai,
        "by_project_type": {code: stats.by_project_type[code] for code in ALL_PROJECT_TYPES},
        "by_provider_type": {code: stats.by_provider_type[code] for code in ALL_PROVIDER_TYPES},
        "requested_budget_eur": stats.requested_budget,
    }


def proposal_body(row: proposal_rows.ProposalRow) -> dict:
    return proposal_record(row)


_ERRORS = (
    (400, "The as_of moment is not a date and time"),
    (401, "No or invalid token"),
    (403, "The token's account is not an official"),
    (404, "No call with this code"),
)


def _document_errors(view):
    for status, description in reversed(_ERRORS):
        view = bp.alt_response(status, schema=ApiErrorSchema, description=description)(view)
    return view


@bp.route("/calls/<code>/stats")
@token_required(Role.official)
@bp.arguments(AsOfQuerySchema, location="query", as_kwargs=True)
@bp.response(200, CallStatsSchema)
@_document_errors
def call_stats(code: str, **args):
    """Statistics of one call, as of now or any past moment (officials).

    Counts are of submitted proposals, withdrawn ones excluded, each proposal once, as its
    last version submitted at or before the moment.
    """
    call = statistics.get_call(g.api_user, code)
    as_of = _moment(args)
    stats = statistics.call_statistics(g.api_user, call, as_of if args.get("as_of") else None)
    return stats_body(stats)


@bp.route("/calls/<code>/proposals")
@token_required(Role.official)
@bp.arguments(ProposalsQuerySchema, location="query", as_kwargs=True)
@bp.response(200, ProposalPageSchema)
@_document_errors
def call_proposals(code: str, page: int = 1, per_page: int = 100, **args):
    """The call's submitted proposals as of a moment, by reference, a page at a time
    (officials): declared and verified technologies, project type, provider type and
    requested budget."""
    call = statistics.get_call(g.api_user, code)
    as_of = _moment(args)
    rows = proposal_rows.submitted_proposals(g.api_user, call, as_of)
    start = (page - 1) * per_page
    return {
        "call": call.code,
        "as_of": as_of,
        "page": page,
        "per_page": per_page,
        "pages": math.ceil(len(rows) / per_page),
        "total": len(rows),
        "proposals": [proposal_body(row) for row in rows[start : start + per_page]],
    }
