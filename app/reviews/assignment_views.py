"""The official's assignment of evaluators: automatic, by hand, and removing one. Officials
only."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.calls.models import Call
from app.core.errors import DomainError
from app.core.forms import EmptyForm, submit_form
from app.core.permissions import Role, roles_required
from app.reviews import facts, list_pages, queries
from app.reviews.blueprint import bp
from app.reviews.forms import AssignForm, ReasonForm
from app.reviews.models import AssignmentStatus, ReviewStatus
from app.reviews.rules import assignment as assignment_rules
from app.reviews.view_helpers import call_by_code, list_args, proposal_of

# ---------------------------------------------------------------------------- assignment


@bp.get("/calls/<code>/assignments")
@roles_required(Role.official)
def assignments(code: str):
    """One page of the admissible proposals and their evaluators; assigning by hand is on
    each proposal's own page (a list of every evaluator per row would not scale)."""
    call = call_by_code(code)
    result = list_pages.assignments_page(current_user, call, request.args)
    return render_template(
        "reviews/official/assignments.html",
        call=call,
        result=result,
        page=result.page,
        auto_form=EmptyForm(),
        list_args=list_args("sort", "state"),
        sort=result.sort,
        state=result.state,
        states=list_pages.ASSIGNMENT_STATES,
        AssignmentStatus=AssignmentStatus,
        ReviewStatus=ReviewStatus,
    )


@bp.get("/calls/<code>/loads")
@roles_required(Role.official)
def loads(code: str):
    """The active evaluators with their number of active assignments in the call, the
    heaviest first, one page at a time."""
    call = call_by_code(code)
    result = list_pages.loads_page(current_user, call, request.args)
    return render_template(
        "reviews/official/loads.html",
        call=call,
        result=result,
        page=result.page,
        list_args=list_args("sort"),
        sort=result.sort,
    )


def _proposal_assignment_page(call: Call, proposal_id: int, form: AssignForm | None = None):
    row = list_pages.proposal_assignments(current_user, call, proposal_id)
    if form is None:
        form = AssignForm(
            formdata=None,
            prefix=f"p{row.proposal.id}",
            evaluator_id=row.replacement.id if row.replacement else None,
        )
    active = {a.evaluator_id for a in row.assignments if a.is_active}
    form.evaluator_id.choices = [("", _("Choose an evaluator"))] + [
        (user.id, f"{user.name} ({user.email})")
        for user in facts.evaluators()
        if user.id not in active
    ]
    return render_template(
        "reviews/official/proposal_assignments.html",
        call=call,
        row=row,
        form=form,
        AssignmentStatus=AssignmentStatus,
    )


@bp.post("/calls/<code>/assignments/auto")
@roles_required(Role.official)
def auto_assign(code: str):
    call = call_by_code(code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        result = assignment_rules.auto_assign(current_user, call.id)
    except DomainError as exc:
        flash(exc.user_message(), "error")
        return redirect(url_for(".assignments", code=call.code))
    message = (
        _(
            "%(count)d new assignments; the evaluators have been asked to declare any "
            "conflict of interest.",
            count=len(result.created),
        )
        if result.created
        else _("Nothing to add: every admissible proposal has its evaluators.")
    )
    flash(message, "success")
    if result.short:
        flash(
            _(
                "Not enough eligible evaluators for %(count)d proposals (%(missing)d "
                "assignments missing). Add evaluators or assign by hand.",
                count=len(result.short),
                missing=sum(result.short.values()),
            ),
            "error",
        )
    return redirect(url_for(".assignments", code=call.code))


@bp.route("/calls/<code>/proposals/<int:proposal_id>/assign", methods=["GET", "POST"])
@roles_required(Role.official)
def assign(code: str, proposal_id: int):
    call = call_by_code(code)
    proposal = proposal_of(call, proposal_id)
    if request.method == "GET":
        return _proposal_assignment_page(call, proposal.id)
    form = AssignForm(prefix=f"p{proposal.id}")
    done = submit_form(
        form,
        lambda: assignment_rules.assign(current_user, proposal.id, form.evaluator_id.data),
        success=lambda assignment: _(
            "%(name)s is assigned to %(reference)s.",
            name=assignment.evaluator.name,
            reference=proposal.reference,
        ),
        then=url_for(".assign", code=call.code, proposal_id=proposal.id),
        refused=url_for(".assignments", code=call.code),
    )
    if done:
        return done
    return _proposal_assignment_page(call, proposal.id, form), 422


@bp.route("/calls/<code>/assignments/<int:assignment_id>/remove", methods=["GET", "POST"])
@roles_required(Role.official)
def remove_assignment(code: str, assignment_id: int):
    call = call_by_code(code)
    assignment = queries.assignment_of_call(current_user, call.id, assignment_id)
    form = ReasonForm()
    done = submit_form(
        form,
        lambda: assignment_rules.remove_assignment(current_user, assignment.id, form.reason.data),
        success=_(
            "%(name)s no longer evaluates %(reference)s.",
            name=assignment.evaluator.name,
            reference=assignment.proposal.reference,
        ),
        then=url_for(".assign", code=call.code, proposal_id=assignment.proposal_id),
        refused=url_for(".assignments", code=call.code),
    )
    if done:
        return done
    return render_template(
        "reviews/official/remove.html", call=call, assignment=assignment, form=form
    ), 422 if form.errors else 200
