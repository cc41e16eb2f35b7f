"""The evaluation blueprint, shared by the officials' and the evaluators' views, and what the
evaluation adds to the proposal page (the proposals side never imports the evaluation)."""

from flask import Blueprint
from flask_babel import get_locale

from app.proposals.models import Proposal
from app.proposals.views import add_detail_panel
from app.reviews import queries
from app.reviews.rules import admissibility as admissibility_rules

bp = Blueprint("reviews", __name__, url_prefix="/evaluation", template_folder="templates")


def proposal_panel(proposal: Proposal) -> dict:
    """The published decision on the proposal (outcome, legal clock) and the official's
    admissibility decision, each None until there is one: one query each."""
    return {"evaluation": queries.published_result(proposal, str(get_locale() or "nl")),
            "admissibility": admissibility_rules.admissibility_of(proposal.id)}


@bp.record_once
def _on_the_proposal_page(state) -> None:
    add_detail_panel(state.app, "evaluation", proposal_panel)
