"""The official's admissibility decisions after the deadline, one proposal or a selection at
once, as drafts; and the release of the results to the applicants, previewed and confirmed.
Officials only."""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.calls import deadlines
from app.calls.models import Call
from app.core.formatting import ngettext
from app.core.forms import submit_form
from app.core.permissions import Role, roles_required
from app.core.time import utcnow
from app.reviews import list_pages
from app.reviews.blueprint import bp
from app.reviews.confirm_forms import BulkAdmissibilityForm, ReleaseForm
from app.reviews.forms import AdmissibilityForm
from app.reviews.models import Admissibility
from app.reviews.rules import admissibility as admissibility_rules
from app.reviews.view_helpers import call_by_code, list_args, proposal_of

# ---------------------------------------------------------------------------- admissibility


def _admissibility_page(
    call: Call,
    failed: tuple[int, AdmissibilityForm] | None = None,
    bulk: BulkAdmissibilityForm | None = None,
):
    result = list_pages.admissibility_page(current_user, call, request.args)
    forms = {failed[0]: failed[1]} if failed else {}  # the other rows: plain fields
    if bulk is None:
        bulk = BulkAdmissibilityForm(formdata=None, prefix="bulk")
        if request.args.get("select") == "all":  # "select all on this page" without script
            bulk.proposal_ids.data = [str(row.proposal.id) for row in result.page.items]
    return render_template(
        "reviews/official/admissibility.html",
        call=call,
        page=result.page,
        rows=result.page.items,
        forms=forms,
        failed=failed[1] if failed else bulk if bulk.errors else None,
        bulk=bulk,
        selected=set(bulk.ids()),
        unreleased=admissibility_rules.unreleased_count(call.id),
        open_for_decisions=deadlines.all_passed(call, utcnow()),
        decided=result.decided,
        submitted=result.submitted,
        list_args=list_args("sort", "state"),
        sort=result.sort,
        state=result.state,
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


@bp.post("/calls/<code>/admissibility/selection")
@roles_required(Role.official)
def decide_admissibility_bulk(code: str):
    """The same decision for every proposal ticked on the page (audited one by one)."""
    call = call_by_code(code)
    form = BulkAdmissibilityForm(prefix="bulk")
    back = url_for(".admissibility", code=call.code, **list_args("sort", "state"))
    done = submit_form(
        form,
        lambda: admissibility_rules.decide_admissibility_many(
            current_user,
            call.id,
            form.ids(),
            Admissibility(form.result.data),
            form.reason.data or "",
        ),
        success=lambda checks: ngettext(
            "%(num)s proposal: %(result)s. Not sent yet: release the results when you are done.",
            "%(num)s proposals: %(result)s. Not sent yet: release the results when you are done.",
            len(checks),
            result=Admissibility(form.result.data).label,
        ),
        then=back,
    )
    if done:
        return done
    return _admissibility_page(call, bulk=form), 422


def _release_page(call: Call, form: ReleaseForm | None = None):
    preview = admissibility_rules.release_preview(current_user, call.id)
    form = form or ReleaseForm(formdata=None)
    form.token.data = preview.token
    return render_template(
        "reviews/official/admissibility_release.html",
        call=call,
        preview=preview,
        form=form,
        labels={
            "admissible": _("Admissible"),
            "inadmissible": _("Inadmissible"),
            "corrections": _("Corrections (changed after the release)"),
        },
    )


@bp.get("/calls/<code>/admissibility/release")
@roles_required(Role.official)
def release_admissibility(code: str):
    return _release_page(call_by_code(code))


@bp.post("/calls/<code>/admissibility/release")
@roles_required(Role.official)
def confirm_release(code: str):
    call = call_by_code(code)
    form = ReleaseForm()
    done = submit_form(
        form,
        lambda: admissibility_rules.release_results(current_user, call.id, form.token.data or ""),
        success=lambda release: ngettext(
            "The results are released: %(num)s email is on its way.",
            "The results are released: %(num)s emails are on their way.",
            release.counts.get("emails", 0),
        ),
        then=url_for(".admissibility", code=call.code),
        refused=url_for(".release_admissibility", code=call.code),
    )
    if done:
        return done
    return _release_page(call, form), 422
