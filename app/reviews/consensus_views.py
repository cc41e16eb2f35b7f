"""The official's review overview, the consensus per proposal and reopening a review.
Officials only."""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.calls.models import Call
from app.core.errors import ValidationFailed
from app.core.forms import submit_form
from app.core.money import format_decimal
from app.core.permissions import Role, roles_required
from app.reviews import calibration, disagreement, facts, list_pages, queries, result_queries
from app.reviews import overview as review_overview
from app.reviews.blueprint import bp
from app.reviews.forms import QuorumOverrideForm, ReasonForm, consensus_form
from app.reviews.rules import consensus as consensus_rules
from app.reviews.rules import scoring as scoring_rules
from app.reviews.view_helpers import call_by_code, list_args, proposal_of

# ---------------------------------------------------------------------------- reviews


@bp.get("/calls/<code>/overview")
@roles_required(Role.official)
def overview(code: str):
    """Every admissible proposal with each review's total, the spread and the flag, one
    page at a time, with the call's disagreement counts. A fixed number of queries."""
    call = call_by_code(code)
    result = list_pages.overview_page(current_user, call, request.args)
    criteria = facts.criteria_of(call.id)
    settings = facts.settings_of(call)
    _page_counts, criterion_flags = disagreement.summarise(result.page.items, criteria, settings)
    return render_template(
        "reviews/official/overview.html",
        call=call,
        page=result.page,
        rows=result.page.items,
        lines=result.lines,
        admissible=result.admissible,
        disagreement=review_overview.disagreement_summary(current_user, call.id),
        criterion_flags=criterion_flags,
        settings=settings,
        list_args=list_args("sort", "state"),
        sort=result.sort,
        state=result.state,
        states=list_pages.OVERVIEW_STATES,
    )


@bp.get("/calls/<code>/calibration")
@roles_required(Role.official)
def calibration_page(code: str):
    """How each evaluator's totals compare with the others' on the same proposals, one page
    at a time (the largest deviation first), and the spread per criterion."""
    call = call_by_code(code)
    changed = review_overview.reviews_changed(call.id)  # read once for both caches
    result = list_pages.calibration_page(current_user, call, request.args, changed)
    return render_template(
        "reviews/official/calibration.html",
        call=call,
        page=result.page,
        evaluators=result.page.items,
        spreads=result.spreads,
        criteria=facts.criteria_of(call.id),
        disagreement=review_overview.disagreement_summary(current_user, call.id, changed),
        list_args=list_args("sort"),
        sort=result.sort,
    )


def _consensus_page(
    call: Call,
    sheet: result_queries.ConsensusSheet,
    form=None,
    quorum_form: QuorumOverrideForm | None = None,
):
    calibrated = calibration.for_proposal(call.id, sheet.proposal.id, sheet.criteria)
    if form is None:
        form = consensus_form(sheet.criteria, formdata=None)
        form.load(sheet.consensus, format_decimal)
        for criterion_id, item in calibrated.items():  # the suggestion, to accept or change
            if criterion_id not in sheet.consensus:
                form[f"score-{criterion_id}"].data = format_decimal(item.suggestion)
    complete = bool(sheet.criteria) and all(c.id in sheet.consensus for c in sheet.criteria)
    quorum = consensus_rules.review_quorum(sheet.proposal)
    if quorum_form is None:
        quorum_form = QuorumOverrideForm(
            formdata=None, reason=quorum.override.reason if quorum.override else ""
        )
    return render_template(
        "reviews/official/consensus.html",
        call=call,
        sheet=sheet,
        proposal=sheet.proposal,
        form=form,
        total=facts.weighted_total(sheet.consensus.values(), sheet.criteria) if complete else None,
        quorum=quorum,
        quorum_form=quorum_form,
        calibrated=calibrated,
    )


@bp.route("/calls/<code>/proposals/<int:proposal_id>/consensus", methods=["GET", "POST"])
@roles_required(Role.official)
def consensus(code: str, proposal_id: int):
    call = call_by_code(code)
    proposal = proposal_of(call, proposal_id)
    sheet = result_queries.consensus_sheet(current_user, proposal.id)  # 404 unless admissible
    if request.method == "GET":
        return _consensus_page(call, sheet)
    form = consensus_form(sheet.criteria)
    names = {str(c.id): c.name for c in sheet.criteria}
    done = submit_form(
        form,
        lambda: consensus_rules.record_consensus_set(
            current_user, proposal.id, form.to_input().items
        ),
        success=_("The consensus on %(reference)s was saved.", reference=proposal.reference),
        then=url_for(".consensus", code=call.code, proposal_id=proposal.id),
        errors=lambda exc: ValidationFailed(
            {  # say which criterion in the summary
                key: f"{names[key.rsplit('-', 1)[1]]}: {message}"
                if key.rsplit("-", 1)[-1] in names
                else message
                for key, message in exc.errors.items()
            }
        ),
    )
    if done:
        return done
    return _consensus_page(call, sheet, form), 422


@bp.route("/calls/<code>/reviews/<int:review_id>/reopen", methods=["GET", "POST"])
@roles_required(Role.official)
def reopen_review(code: str, review_id: int):
    call = call_by_code(code)
    review = queries.review_of_call(current_user, call.id, review_id)
    proposal = review.assignment.proposal
    form = ReasonForm()
    done = submit_form(
        form,
        lambda: scoring_rules.reopen_review(current_user, review.id, form.reason.data),
        success=_(
            "The review of %(name)s on %(reference)s is open again; they can change and submit it.",
            name=review.assignment.evaluator.name,
            reference=proposal.reference,
        ),
        then=url_for(".consensus", code=call.code, proposal_id=proposal.id),
    )
    if done:
        return done
    return render_template(
        "reviews/official/reopen.html",
        call=call,
        review=review,
        proposal=proposal,
        form=form,
        total=facts.weighted_total(review.scores),
    ), 422 if form.errors else 200
