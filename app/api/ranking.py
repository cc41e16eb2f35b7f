"""Officials' ranking API: the current ranking of a call with its budget line.

It runs the same service as the ranking page and its exports (app.reviews.rules.ranking.ranking),
so the API, the page and the CSV/XLSX/PDF give the same rows in the same order.
"""

import marshmallow as ma
from flask import g

from app.api.core import ApiErrorSchema, bp, token_required
from app.api.fields import AMOUNT, Amount, TwoPlaces
from app.calls import services as calls
from app.core.permissions import Role
from app.reviews.models import Outcome
from app.reviews.rules import consensus as consensus_rules
from app.reviews.rules import ranking as ranking_rules

OUTCOMES = [outcome.value for outcome in Outcome]


class RankingRowSchema(ma.Schema):
    rank = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "1 for the best passing proposal; null for a proposal below a "
            "threshold (it is not ranked)"
        },
    )
    proposal = ma.fields.String(
        required=True,
        metadata={"description": "The proposal's reference", "example": "ESF-2021-0001"},
    )
    organisation = ma.fields.String(
        required=True, metadata={"description": "The applicant's legal name"}
    )
    score = TwoPlaces(
        required=True,
        metadata={
            "pattern": r"^\d{1,3}\.\d{2}$",
            "example": "72.50",
            "description": "The final (consensus) weighted total on 0-100, as an exact decimal "
            "string with two decimals",
        },
    )
    requested_eur = Amount(required=True)
    cumulative_eur = Amount(
        required=True,
        allow_none=True,
        metadata={
            **AMOUNT,
            "description": "Euro, exact, two decimals: the requested amounts of the "
            "funded proposals up to and including this one; null when "
            "the computed outcome is not funded",
        },
    )
    outcome = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(OUTCOMES),
        metadata={
            "description": "The outcome in force: the computed one, or an official's override "
            "(funded = approved within the budget; reserve = reserve list)"
        },
    )
    reviews_submitted = ma.fields.Integer(
        required=True, metadata={"description": "Individual reviews submitted for this proposal"}
    )
    reviews_required = ma.fields.Integer(
        required=True,
        metadata={
            "description": "Reviews the call requires before the consensus: its number per "
            "proposal, or all that could be assigned when fewer evaluators are "
            "eligible (at least one)"
        },
    )
    override_reason = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "An official's written reason to decide on fewer reviews than "
            "required; null when none was needed or given"
        },
    )


class RankingSchema(ma.Schema):
    call = ma.fields.String(required=True, metadata={"example": "ESF-ELEREN-2027"})
    budget_eur = Amount(required=True)
    rows = ma.fields.List(
        ma.fields.Nested(RankingRowSchema),
        required=True,
        metadata={
            "description": "Ranked proposals in rank order (the budget line falls after the last "
            "funded one), then the proposals below a threshold. Proposals whose "
            "consensus is not complete yet are left out."
        },
    )


def ranking_body(call, rows, quorums=None) -> dict:
    quorums = consensus_rules.review_quorums(call.id) if quorums is None else quorums
    return {
        "call": call.code,
        "budget_eur": call.budget_eur,
        "rows": [
            {
                "rank": row.rank,
                "proposal": row.proposal.reference,
                "organisation": row.proposal.organisation.legal_name,
                "score": row.score,
                "requested_eur": row.requested,
                "cumulative_eur": row.cumulative,
                "outcome": row.outcome.value,
                **_quorum(quorums.get(row.proposal.id)),
            }
            for row in rows
            if row.outcome is not None and row.score is not None
        ],
    }


def _quorum(quorum) -> dict:
    if quorum is None:  # pragma: no cover - every ranked proposal is admissible
        return {"reviews_submitted": 0, "reviews_required": 0, "override_reason": None}
    return {
        "reviews_submitted": quorum.submitted,
        "reviews_required": quorum.required,
        "override_reason": quorum.override_reason,
    }


@bp.route("/calls/<code>/ranking")
@token_required(Role.official)
@bp.response(200, RankingSchema)
@bp.alt_response(401, schema=ApiErrorSchema, description="No or invalid token")
@bp.alt_response(403, schema=ApiErrorSchema, description="The token's account is not an official")
@bp.alt_response(404, schema=ApiErrorSchema, description="No call with this code")
def call_ranking(code: str):
    """The current ranking of a call with the budget line (officials).

    Admissible proposals with a complete consensus: those passing every threshold in rank
    order by final score (ties broken as documented on the ranking page), funded while the
    call's budget allows, then the reserve list, then rejected; after them the proposals
    below a threshold. The outcome is the one in force, overrides included. Before the
    decision is published this is a working ranking; the published one is frozen in the
    call's decision records.
    """
    call = calls.get_call_by_code(g.api_user, code)
    return ranking_body(call, ranking_rules.ranking(call.id))
