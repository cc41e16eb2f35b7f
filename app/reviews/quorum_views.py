"""The official's written reason to hold a consensus with fewer reviews than required
(officials only; the form sits on the consensus page)."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.errors import DomainError, ValidationFailed, raise_if_unseen
from app.core.forms import attach_errors
from app.core.permissions import Role, roles_required
from app.reviews import queries
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
    sheet = queries.consensus_sheet(current_user, proposal.id)  # 404 unless admissible
    form = QuorumOverrideForm()
    if form.validate_on_submit():
        try:
            consensus_rules.override_review_quorum(current_user, proposal.id, form.reason.data)
        except ValidationFailed as exc:
            attach_errors(form, exc)
        except DomainError as exc:
            raise_if_unseen(exc)
            flash(exc.user_message(), "error")
            return redirect(url_for(".consensus", code=call.code, proposal_id=proposal.id))
        else:
            flash(_("%(reference)s: the consensus may go ahead with fewer reviews; the reason "
                    "is recorded.", reference=proposal.reference), "success")
            return redirect(url_for(".consensus", code=call.code, proposal_id=proposal.id))
    return _consensus_page(call, sheet, quorum_form=form), 422
