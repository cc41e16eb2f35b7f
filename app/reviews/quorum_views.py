"""The official's written reason to hold a consensus with fewer reviews than required
(officials only; the form sits on the consensus page)."""

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.forms import submit_form
from app.core.permissions import Role, roles_required
from app.reviews import result_queries
from app.reviews.blueprint import bp
from app.reviews.consensus_views import _consensus_page
from app.reviews.forms import QuorumOverrideForm
from app.reviews.rules import consensus as consensus_rules
from app.reviews.view_helpers import call_by_code, proposal_of


@bp.post("/calls/<code>/proposals/<int:proposal_id>/review-quorum")
@roles_required(Role.official)
def override_review_quorum(code: str, proposal_id: int):
    call = call_by_code(code)
    proposal = proposal_of(call, proposal_id)
    sheet = result_queries.consensus_sheet(current_user, proposal.id)  # 404 unless admissible
    form = QuorumOverrideForm()
    done = submit_form(
        form,
        lambda: consensus_rules.override_review_quorum(current_user, proposal.id, form.reason.data),
        success=_(
            "%(reference)s: the consensus may go ahead with fewer reviews; the reason is recorded.",
            reference=proposal.reference,
        ),
        then=url_for(".consensus", code=call.code, proposal_id=proposal.id),
    )
    if done:
        return done
    return _consensus_page(call, sheet, quorum_form=form), 422
