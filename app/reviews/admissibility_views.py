"""The official's admissibility decisions, one proposal at a time, after the deadline.
Officials only."""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.calls import deadlines
from app.calls.models import Call
from app.core.forms import submit_form
from app.core.permissions import Role, roles_required
from app.core.time import utcnow
from app.reviews import list_pages
from app.reviews.blueprint import bp
from app.reviews.forms import AdmissibilityForm
from app.reviews.models import Admissibility
from app.reviews.rules import admissibility as admissibility_rules
from app.reviews.view_helpers import call_by_code, list_args, proposal_of

# ---------------------------------------------------------------------------- admissibility


def _admissibility_page(call: Call, failed: tuple[int, AdmissibilityForm] | None = None):
    result = list_pages.admissibility_page(current_user, call, request.args)
    forms = {failed[0]: failed[1]} if failed else {}  # the other rows: plain fields
    return render_template(
        "reviews/official/admissibility.html",
        call=call,
        page=result.page,
        rows=result.page.items,
        forms=forms,
        failed=failed[1] if failed else None,
        open_for_decisions=deadlines.all_passed(call, utcnow()),
        decided=result.decided,
        submitted=result.submitted,
        list_args=list_args("sort", "state"),
        sort=request.args.get("sort") or "reference",
        state=request.args.get("state") or "all",
        states=list_pages.ADMISSIBILITY_STATES,
    )


@bp.get("/calls/<code>/admissibility")
@roles_required(Role.official)
def admissibility(code: str):
    return _admissibility_page(call_by_code(code))


@bp.post("/calls/<code>/proposals/<int:proposal_id>/admissibility")
@roles_required(Role.official)
def decide_admissibility(code: str, proposal_id: int):
    call = call_by_code(code)
    proposal = proposal_of(call, proposal_id)
    form = AdmissibilityForm(prefix=f"p{proposal.id}")
    done = submit_form(
        form,
        lambda: admissibility_rules.decide_admissibility(
            current_user, proposal.id, Admissibility(form.result.data), form.reason.data or ""
        ),
        success=lambda _check: _(
            "%(reference)s: %(result)s.",
            reference=proposal.reference,
            result=Admissibility(form.result.data).label,
        ),
        then=url_for(
            ".admissibility",
            code=call.code,
            _anchor=f"proposal-{proposal.id}",
            **list_args("sort", "state"),
        ),
        refused=url_for(".admissibility", code=call.code, **list_args("sort", "state")),
    )
    if done:
        return done
    return _admissibility_page(call, failed=(proposal.id, form)), 422
