"""The evaluation blueprint, shared by the officials' and the evaluators' views, and what the
evaluation adds to the proposal page (the proposals side never imports the evaluation)."""

from functools import partial

import sqlalchemy as sa
from flask import Blueprint
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.audit import display
from app.calls.models import Call
from app.calls.views import add_call_panel
from app.core.db import db
from app.core.money import format_decimal
from app.proposals.models import Proposal
from app.proposals.views import add_detail_panel
from app.reviews import result_queries
from app.reviews.models import (
    Admissibility,
    AssignmentStatus,
    Criterion,
    EvaluationSettings,
    Outcome,
    ReviewStatus,
)
from app.reviews.objection_models import ObjectionKind, ObjectionOutcome
from app.reviews.rules import admissibility as admissibility_rules

bp = Blueprint("reviews", __name__, url_prefix="/evaluation", template_folder="templates")


def proposal_panel(proposal: Proposal) -> dict:
    """The published decision on the proposal (outcome, legal clock) and the admissibility
    result the applicants were told, each None until it is published or released: one
    query each."""
    return {
        "evaluation": result_queries.published_result(proposal, str(get_locale() or "nl")),
        "admissibility": admissibility_rules.released_admissibility(proposal.id),
    }


@bp.record_once
def _on_the_proposal_page(state) -> None:
    add_detail_panel(state.app, "evaluation", proposal_panel)


def call_panel(call: Call) -> dict:
    """The award criteria with their weights and thresholds, on the call's public page once
    the call is published (drafts are for officials only): two queries."""
    items = list(
        db.session.scalars(
            sa.select(Criterion).where(Criterion.call_id == call.id).order_by(Criterion.position)
        )
    )
    if not items:
        return {"criteria": None}
    settings = db.session.get(EvaluationSettings, call.id)
    total = (settings or EvaluationSettings.defaults(call.id)).total_threshold
    return {"criteria": {"rows": items, "number": format_decimal, "total_threshold": total}}


@bp.record_once
def _on_the_call_page(state) -> None:
    add_call_panel(state.app, "criteria", call_panel)


@bp.record_once
def _in_the_audit_log(state) -> None:
    """The audit log names the evaluation's coded values; ``outcome`` is a proposal's outcome
    when overridden, an objection's when answered."""
    register = partial(display.register_values, state.app)
    register("result", display.enum_labeller(Admissibility))
    register("status", display.enum_labeller(AssignmentStatus), context="assignments")
    register("status", display.enum_labeller(ReviewStatus), context="reviews")
    overridden = display.enum_labeller(Outcome, extra={"computed": _l("Computed outcome")})
    register("outcome", overridden, context="proposal.outcome_overridden")
    for kind in ObjectionKind:
        register(
            "outcome",
            display.enum_labeller(ObjectionOutcome),
            context=f"proposal.{kind.value}_answered",
        )
