"""The official's pages of the evaluation, per call under /evaluation/calls/<code>/...:
the steps and their state, criteria and settings, admissibility, assignment, the review
overview with calibration, consensus per proposal, the ranking with overrides, publication
and decision records, ranking exports; and the evaluation summary report (PDF) that the
applicant reads once the decision is published.

Thin wrappers around app.reviews.services: officials only (others 403, anonymous users to
the login page); the summary report is 404 for everyone who may not read it."""

import csv
import io
import json
from decimal import Decimal
from urllib.parse import quote

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from openpyxl import Workbook
from openpyxl.styles import Font

from app.auth.models import User
from app.calls import services as calls
from app.calls.models import Call, CallPhase, CallStatus
from app.core import documents, exports
from app.core.db import db
from app.core.errors import (
    DomainError,
    NotFound,
    ValidationFailed,
    raise_if_unseen,
)
from app.core.forms import EmptyForm, attach_errors
from app.core.money import format_decimal
from app.core.pagination import Page, choice
from app.core.permissions import Role, roles_required
from app.core.time import before_deadline, to_brussels, utcnow
from app.proposals import services as proposals
from app.reviews import calibration, permissions, queries, review_exports, services
from app.reviews.blueprint import bp
from app.reviews.forms import (
    AdmissibilityForm,
    AssignForm,
    CriteriaForm,
    OverrideForm,
    PublishForm,
    QuorumOverrideForm,
    ReasonForm,
    SettingsForm,
    consensus_form,
)
from app.reviews.models import Admissibility, AssignmentStatus, Outcome, ReviewStatus
from app.reviews.pdf import ranking_pdf, summary_pdf
from app.reviews.services import CriterionInput, SettingsInput


def _language() -> str:
    return str(get_locale() or "nl")


def _call(code: str) -> Call:
    return calls.get_call_by_code(current_user, code)


def _proposal_of(call: Call, proposal_id: int):
    proposal = proposals.get_proposal(current_user, proposal_id)
    if proposal.call_id != call.id:
        raise NotFound()
    return proposal


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


bp.add_app_template_global(format_decimal, "review_number")


# ---------------------------------------------------------------------------- index, home

@bp.get("/calls")
@roles_required(Role.official)
def index():
    return render_template("reviews/official/index.html",
                           rows=queries.evaluation_index(current_user), now=utcnow())


@bp.get("/calls/<code>")
@roles_required(Role.official)
def call(code: str):
    call = _call(code)
    progress = queries.evaluation_progress(current_user, call)
    now = utcnow()
    status = call.status_at(now)
    can_start = call.phase is CallPhase.published and status is CallStatus.closed \
        and not before_deadline(now, progress.last_deadline)
    return render_template("reviews/official/call.html", call=call, progress=progress,
                           status=status, can_start=can_start, form=EmptyForm())


@bp.post("/calls/<code>/start")
@roles_required(Role.official)
def start_evaluation(code: str):
    call = _call(code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.start_evaluation(current_user, call.id)
    except DomainError as exc:
        raise_if_unseen(exc)
        flash(exc.user_message(), "error")
    else:
        flash(_("The evaluation of %(code)s has started.", code=call.code), "success")
    return redirect(url_for(".call", code=call.code))


# ---------------------------------------------------------------------------- criteria

def _criteria_page(call: Call, criteria_form: CriteriaForm | None = None,
                   settings_form: SettingsForm | None = None):
    criteria = services.criteria_of(call.id)
    settings = services.settings_of(call)
    if criteria_form is None:
        criteria_form = CriteriaForm(formdata=None)
        criteria_form.load(criteria)
    if settings_form is None:
        settings_form = SettingsForm(
            formdata=None, reviews_per_proposal=settings.reviews_per_proposal,
            total_threshold=settings.total_threshold,
            disagreement_spread=settings.disagreement_spread,
            reserve_size=settings.reserve_size, objection_days=settings.objection_days,
            criterion_spread_percent=None if settings.criterion_spread_share is None
            else settings.criterion_spread_share * 100)
    return render_template("reviews/official/criteria.html", call=call, criteria=criteria,
                           settings=settings, form=criteria_form,
                           settings_form=settings_form,
                           locked=services.scoring_started(call.id),
                           default_form=EmptyForm(formdata=None),
                           weight_sum=sum(c.weight for c in criteria))


_ROW_FIELDS = {"name": ("name_nl", "name_en"), "weight": ("weight",), "scale": ("scale_max",),
               "threshold": ("threshold",)}


def _attach_row_errors(form: CriteriaForm, exc: ValidationFailed,
                       indices: list[int]) -> None:
    """The service names rows by their place among the filled rows: back to form rows."""
    for key, message in exc.errors.items():
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == "criteria" and parts[1].isdigit():
            row = form.criteria[indices[int(parts[1])]].form
            names = _ROW_FIELDS.get(parts[2], ())
            targets = [getattr(row, name) for name in names]
            if parts[2] == "name":
                targets = [f for f in targets if not (f.data or "").strip()] or targets[:1]
            for field in targets:
                field.errors = [*field.errors, message]
        else:
            flash(message, "error")
    _refresh_row_errors(form)


def _refresh_row_errors(form: CriteriaForm) -> None:
    errors = [entry.errors for entry in form.criteria.entries]
    form.criteria.errors = errors if any(errors) else []


@bp.route("/calls/<code>/criteria", methods=["GET", "POST"])
@roles_required(Role.official)
def criteria(code: str):
    call = _call(code)
    if request.method == "GET":
        return _criteria_page(call)
    form = CriteriaForm()
    valid = form.validate_on_submit()
    missing = form.missing_numbers()
    _refresh_row_errors(form)
    if valid and not missing:
        rows = form.filled_rows()
        items = [CriterionInput(
            name_nl=row.name_nl.data or "", name_en=row.name_en.data or "",
            guidance_nl=row.guidance_nl.data or "", guidance_en=row.guidance_en.data or "",
            weight=row.weight.data, scale_max=row.scale_max.data, step=row.step.data,
            threshold=row.threshold.data) for _index, row in rows]
        try:
            services.set_criteria(current_user, call.id, items)
        except ValidationFailed as exc:
            _attach_row_errors(form, exc, [index for index, _row in rows])
            if not form.errors:  # only a message for the whole list (no criterion at all)
                form.criteria.errors = []
                return _criteria_page(call, criteria_form=_padded(form)), 422
        except DomainError as exc:
            raise_if_unseen(exc)
            flash(exc.user_message(), "error")
            return redirect(url_for(".criteria", code=call.code))
        else:
            flash(_("The criteria of %(code)s were saved.", code=call.code), "success")
            return redirect(url_for(".criteria", code=call.code))
    return _criteria_page(call, criteria_form=_padded(form)), 422


def _padded(form: CriteriaForm) -> CriteriaForm:
    if not form.filled_rows():
        form.pad()
    return form


@bp.post("/calls/<code>/criteria/default")
@roles_required(Role.official)
def default_criteria(code: str):
    call = _call(code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.set_criteria(current_user, call.id, services.DEFAULT_CRITERIA)
    except DomainError as exc:
        raise_if_unseen(exc)
        flash(exc.user_message(), "error")
    else:
        flash(_("The default criteria for e-learning projects are in place. Adapt them if "
                "needed."), "success")
    return redirect(url_for(".criteria", code=call.code))


@bp.post("/calls/<code>/settings")
@roles_required(Role.official)
def settings(code: str):
    call = _call(code)
    form = SettingsForm()
    if form.validate_on_submit():
        try:
            services.update_settings(current_user, call.id, SettingsInput(
                reviews_per_proposal=form.reviews_per_proposal.data,
                total_threshold=form.total_threshold.data,
                disagreement_spread=form.disagreement_spread.data,
                reserve_size=form.reserve_size.data, objection_days=form.objection_days.data,
                criterion_spread_share=None if form.criterion_spread_percent.data is None
                else form.criterion_spread_percent.data / 100))
        except ValidationFailed as exc:
            attach_errors(form, exc)
        except DomainError as exc:
            raise_if_unseen(exc)
            flash(exc.user_message(), "error")
            return redirect(url_for(".criteria", code=call.code))
        else:
            flash(_("The evaluation settings of %(code)s were saved.", code=call.code),
                  "success")
            return redirect(url_for(".criteria", code=call.code))
    return _criteria_page(call, settings_form=form), 422


# ---------------------------------------------------------------------------- admissibility

def _list_args(*names: str) -> dict:
    """The list's sort, filters and page from the query string, for links and redirects."""
    return {name: request.args[name] for name in (*names, "page") if request.args.get(name)}


def _admissibility_page(call: Call, failed: tuple[int, AdmissibilityForm] | None = None):
    result = queries.admissibility_page(current_user, call, request.args)
    forms = {failed[0]: failed[1]} if failed else {}  # the other rows: plain fields
    return render_template(
        "reviews/official/admissibility.html", call=call, page=result.page,
        rows=result.page.items, forms=forms, failed=failed[1] if failed else None,
        open_for_decisions=not before_deadline(utcnow(), services.last_deadline(call)),
        decided=result.decided, submitted=result.submitted,
        list_args=_list_args("sort", "state"), sort=request.args.get("sort") or "reference",
        state=request.args.get("state") or "all", states=queries.ADMISSIBILITY_STATES)


@bp.get("/calls/<code>/admissibility")
@roles_required(Role.official)
def admissibility(code: str):
    return _admissibility_page(_call(code))


@bp.post("/calls/<code>/proposals/<int:proposal_id>/admissibility")
@roles_required(Role.official)
def decide_admissibility(code: str, proposal_id: int):
    call = _call(code)
    proposal = _proposal_of(call, proposal_id)
    form = AdmissibilityForm(prefix=f"p{proposal.id}")
    if form.validate_on_submit():
        try:
            services.decide_admissibility(current_user, proposal.id,
                                          Admissibility(form.result.data),
                                          form.reason.data or "")
        except ValidationFailed as exc:
            attach_errors(form, exc)
        except DomainError as exc:
            raise_if_unseen(exc)
            flash(exc.user_message(), "error")
            return redirect(url_for(".admissibility", code=call.code,
                                    **_list_args("sort", "state")))
        else:
            flash(_("%(reference)s: %(result)s.", reference=proposal.reference,
                    result=Admissibility(form.result.data).label), "success")
            return redirect(url_for(".admissibility", code=call.code,
                                    _anchor=f"proposal-{proposal.id}",
                                    **_list_args("sort", "state")))
    return _admissibility_page(call, failed=(proposal.id, form)), 422


# ---------------------------------------------------------------------------- assignment

@bp.get("/calls/<code>/assignments")
@roles_required(Role.official)
def assignments(code: str):
    """One page of the admissible proposals and their evaluators; assigning by hand is on
    each proposal's own page (a list of every evaluator per row would not scale)."""
    call = _call(code)
    result = queries.assignments_page(current_user, call, request.args)
    return render_template("reviews/official/assignments.html", call=call, result=result,
                           page=result.page, auto_form=EmptyForm(),
                           list_args=_list_args("sort", "state"),
                           sort=request.args.get("sort") or "reference",
                           state=request.args.get("state") or "all",
                           states=queries.ASSIGNMENT_STATES,
                           AssignmentStatus=AssignmentStatus, ReviewStatus=ReviewStatus)


def _proposal_assignment_page(call: Call, proposal_id: int, form: AssignForm | None = None):
    row = queries.proposal_assignments(current_user, call, proposal_id)
    if form is None:
        form = AssignForm(formdata=None, prefix=f"p{row.proposal.id}",
                          evaluator_id=row.replacement.id if row.replacement else None)
    active = {a.evaluator_id for a in row.assignments if a.is_active}
    form.evaluator_id.choices = [("", _("Choose an evaluator"))] + [
        (user.id, f"{user.name} ({user.email})") for user in services.evaluators()
        if user.id not in active]
    return render_template("reviews/official/proposal_assignments.html", call=call, row=row,
                           form=form, AssignmentStatus=AssignmentStatus)


@bp.post("/calls/<code>/assignments/auto")
@roles_required(Role.official)
def auto_assign(code: str):
    call = _call(code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        result = services.auto_assign(current_user, call.id)
    except DomainError as exc:
        raise_if_unseen(exc)
        flash(exc.user_message(), "error")
        return redirect(url_for(".assignments", code=call.code))
    message = _("%(count)d new assignments; the evaluators have been asked to declare any "
                "conflict of interest.", count=len(result.created)) if result.created else \
        _("Nothing to add: every admissible proposal has its evaluators.")
    flash(message, "success")
    if result.short:
        flash(_("Not enough eligible evaluators for %(count)d proposals (%(missing)d "
                "assignments missing). Add evaluators or assign by hand.",
                count=len(result.short), missing=sum(result.short.values())), "error")
    return redirect(url_for(".assignments", code=call.code))


@bp.route("/calls/<code>/proposals/<int:proposal_id>/assign", methods=["GET", "POST"])
@roles_required(Role.official)
def assign(code: str, proposal_id: int):
    call = _call(code)
    proposal = _proposal_of(call, proposal_id)
    if request.method == "GET":
        return _proposal_assignment_page(call, proposal.id)
    form = AssignForm(prefix=f"p{proposal.id}")
    if form.validate_on_submit():
        try:
            assignment = services.assign(current_user, proposal.id, form.evaluator_id.data)
        except ValidationFailed as exc:
            attach_errors(form, exc)
        except DomainError as exc:
            raise_if_unseen(exc)
            flash(exc.user_message(), "error")
            return redirect(url_for(".assignments", code=call.code))
        else:
            flash(_("%(name)s is assigned to %(reference)s.", name=assignment.evaluator.name,
                    reference=proposal.reference), "success")
            return redirect(url_for(".assign", code=call.code, proposal_id=proposal.id))
    return _proposal_assignment_page(call, proposal.id, form), 422


@bp.route("/calls/<code>/assignments/<int:assignment_id>/remove", methods=["GET", "POST"])
@roles_required(Role.official)
def remove_assignment(code: str, assignment_id: int):
    call = _call(code)
    assignment = queries.assignment_of_call(current_user, call.id, assignment_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            services.remove_assignment(current_user, assignment.id, form.reason.data)
        except ValidationFailed as exc:
            attach_errors(form, exc)
        except DomainError as exc:
            raise_if_unseen(exc)
            flash(exc.user_message(), "error")
            return redirect(url_for(".assignments", code=call.code))
        else:
            flash(_("%(name)s no longer evaluates %(reference)s.",
                    name=assignment.evaluator.name, reference=assignment.proposal.reference),
                  "success")
            return redirect(url_for(".assign", code=call.code,
                                    proposal_id=assignment.proposal_id))
    return render_template("reviews/official/remove.html", call=call, assignment=assignment,
                           form=form), 422 if form.errors else 200


# ---------------------------------------------------------------------------- reviews

@bp.get("/calls/<code>/overview")
@roles_required(Role.official)
def overview(code: str):
    """Every admissible proposal with each review's total, the spread and the flag; the
    calibration of evaluators and criteria. A fixed number of queries."""
    call = _call(code)
    result = queries.overview_page(current_user, call, request.args)
    evaluators, spreads = services.calibration(current_user, call.id)
    return render_template("reviews/official/overview.html", call=call, page=result.page,
                           rows=result.page.items, lines=result.lines,
                           admissible=result.admissible, evaluators=evaluators,
                           spreads=spreads, criteria=services.criteria_of(call.id),
                           settings=services.settings_of(call),
                           list_args=_list_args("sort", "state"),
                           sort=request.args.get("sort") or "reference",
                           state=request.args.get("state") or "all",
                           states=queries.OVERVIEW_STATES)


def _consensus_page(call: Call, sheet: queries.ConsensusSheet, form=None,
                    quorum_form: QuorumOverrideForm | None = None):
    calibrated = calibration.for_proposal(call.id, sheet.proposal.id, sheet.criteria)
    if form is None:
        form = consensus_form(sheet.criteria, formdata=None)
        form.load(sheet.consensus, format_decimal)
        for criterion_id, item in calibrated.items():  # the suggestion, to accept or change
            if criterion_id not in sheet.consensus:
                form[f"score-{criterion_id}"].data = format_decimal(item.suggestion)
    complete = bool(sheet.criteria) and all(c.id in sheet.consensus for c in sheet.criteria)
    quorum = services.review_quorum(sheet.proposal)
    if quorum_form is None:
        quorum_form = QuorumOverrideForm(
            formdata=None, reason=quorum.override.reason if quorum.override else "")
    return render_template(
        "reviews/official/consensus.html", call=call, sheet=sheet, proposal=sheet.proposal,
        form=form, total=services.weighted_total(sheet.consensus.values(), sheet.criteria)
        if complete else None, quorum=quorum, quorum_form=quorum_form, calibrated=calibrated)


@bp.route("/calls/<code>/proposals/<int:proposal_id>/consensus", methods=["GET", "POST"])
@roles_required(Role.official)
def consensus(code: str, proposal_id: int):
    call = _call(code)
    proposal = _proposal_of(call, proposal_id)
    sheet = queries.consensus_sheet(current_user, proposal.id)  # 404 unless admissible
    if request.method == "GET":
        return _consensus_page(call, sheet)
    form = consensus_form(sheet.criteria)
    if form.validate_on_submit():
        try:
            services.record_consensus_set(current_user, proposal.id, form.typed())
        except ValidationFailed as exc:
            names = {str(c.id): c.name for c in sheet.criteria}
            attach_errors(form, ValidationFailed({  # say which criterion in the summary
                key: f"{names[key.rsplit('-', 1)[1]]}: {message}"
                if key.rsplit("-", 1)[-1] in names else message
                for key, message in exc.errors.items()}))
        except DomainError as exc:
            raise_if_unseen(exc)
            flash(exc.user_message(), "error")
            return redirect(url_for(".consensus", code=call.code, proposal_id=proposal.id))
        else:
            flash(_("The consensus on %(reference)s was saved.",
                    reference=proposal.reference), "success")
            return redirect(url_for(".consensus", code=call.code, proposal_id=proposal.id))
    return _consensus_page(call, sheet, form), 422


@bp.route("/calls/<code>/reviews/<int:review_id>/reopen", methods=["GET", "POST"])
@roles_required(Role.official)
def reopen_review(code: str, review_id: int):
    call = _call(code)
    review = queries.review_of_call(current_user, call.id, review_id)
    proposal = review.assignment.proposal
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            services.reopen_review(current_user, review.id, form.reason.data)
        except ValidationFailed as exc:
            attach_errors(form, exc)
        except DomainError as exc:
            raise_if_unseen(exc)
            flash(exc.user_message(), "error")
            return redirect(url_for(".consensus", code=call.code, proposal_id=proposal.id))
        else:
            flash(_("The review of %(name)s on %(reference)s is open again; they can change "
                    "and submit it.", name=review.assignment.evaluator.name,
                    reference=proposal.reference), "success")
            return redirect(url_for(".consensus", code=call.code, proposal_id=proposal.id))
    return render_template("reviews/official/reopen.html", call=call, review=review,
                           proposal=proposal, form=form,
                           total=services.weighted_total(review.scores)), \
        422 if form.errors else 200


# ---------------------------------------------------------------------------- ranking

RANKING_FILTERS = ("all", "funded", "reserve", "rejected", "below_threshold", "incomplete")


def _ranking_page(call: Call, override_form: OverrideForm | None = None,
                  publish_form: PublishForm | None = None):
    """One page of the ranking. The order and the budget line need every row, so the
    ranking is computed whole from light rows (no version texts); the totals come from
    all of them, never from the page's rows."""
    rows = services.ranking(call.id)
    records = queries.decision_records(call.id)
    shown_filter = choice(request.args, "outcome", RANKING_FILTERS, "all")
    shown = rows if shown_filter == "all" else [
        row for row in rows if (row.outcome.value if row.outcome else "incomplete")
        == shown_filter]
    page = Page.of(request.args, len(shown))
    page.items = page.slice(shown)
    if override_form is None:
        override_form = OverrideForm(formdata=None)
    override_form.proposal_id.choices = [("", _("Choose a proposal"))] + [
        (row.proposal.id, f"{row.proposal.reference} – {row.proposal.display_title}")
        for row in page.items if row.computed is not None]
    ranked = [row for row in rows if row.rank is not None]
    funded = [row for row in ranked if row.computed is Outcome.funded]
    funded_total = sum((row.requested for row in funded), Decimal("0"))
    return render_template(
        "reviews/official/ranking.html", call=call, page=page,
        ranked=[row for row in page.items if row.rank is not None],
        ranked_count=len(ranked), unranked=[row for row in page.items if row.rank is None],
        last_funded=funded[-1].proposal.id if funded else None,
        last_funded_rank=funded[-1].rank if funded else None, funded_total=funded_total,
        funded_count=len(funded), budget_line_here=shown_filter == "all" and (
            (not funded and page.number == 1)
            or any(row.proposal.id == funded[-1].proposal.id for row in page.items)),
        settings=services.settings_of(call), records=records, tie_break=services.TIE_BREAK,
        override_form=override_form, publish_form=publish_form or PublishForm(formdata=None),
        complete=bool(rows) and all(row.outcome is not None for row in rows),
        list_args={"outcome": shown_filter} if shown_filter != "all" else {},
        outcome_filter=shown_filter, filters=RANKING_FILTERS)


@bp.get("/calls/<code>/ranking")
@roles_required(Role.official)
def ranking(code: str):
    """The ranking with the budget line; a fixed number of queries."""
    return _ranking_page(_call(code))


@bp.post("/calls/<code>/ranking/override")
@roles_required(Role.official)
def override(code: str):
    call = _call(code)
    form = OverrideForm()
    if form.validate_on_submit():
        proposal = _proposal_of(call, form.proposal_id.data)
        outcome = Outcome(form.outcome.data) if form.outcome.data else None
        try:
            services.override_outcome(current_user, proposal.id, outcome, form.reason.data)
        except ValidationFailed as exc:
            attach_errors(form, exc)
        except DomainError as exc:
            raise_if_unseen(exc)
            flash(exc.user_message(), "error")
            return redirect(url_for(".ranking", code=call.code))
        else:
            flash(_("%(reference)s: the outcome in force is now “%(outcome)s”.",
                    reference=proposal.reference,
                    outcome=outcome.label if outcome else _("the computed outcome")),
                  "success")
            return redirect(url_for(".ranking", code=call.code))
    return _ranking_page(call, override_form=form), 422


@bp.post("/calls/<code>/ranking/publish")
@roles_required(Role.official)
def publish(code: str):
    call = _call(code)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            record = services.publish_decision(current_user, call.id, form.reason.data or "")
        except ValidationFailed as exc:
            attach_errors(form, exc)
        except DomainError as exc:
            raise_if_unseen(exc)
            flash(exc.user_message(), "error")
            return redirect(url_for(".ranking", code=call.code))
        else:
            flash(_("Decision %(number)d on %(code)s is published: every applicant is "
                    "notified and may object until %(date)s.", number=record.number,
                    code=call.code, date=record.objection_until.strftime("%d-%m-%Y")),
                  "success")
            return redirect(url_for(".ranking", code=call.code, _anchor="decisions"))
    return _ranking_page(call, publish_form=form), 422


@bp.get("/calls/<code>/decisions/<int:number>.json")
@roles_required(Role.official)
def decision_record(code: str, number: int):
    """The frozen decision record, for audit: its fingerprint is the SHA-256 of ``data``
    serialised with sorted keys, no spaces and UTF-8 text (see ``fingerprint_method``)."""
    call = _call(code)
    record = queries.get_decision_record(current_user, call.id, number)
    body = {
        "call": call.code, "number": record.number,
        "published_at": to_brussels(record.published_at).isoformat(),
        "published_by_id": record.published_by_id, "reason": record.reason,
        "notified_on": record.notified_on.isoformat(),
        "objection_until": record.objection_until.isoformat(),
        "fingerprint": record.fingerprint,
        "fingerprint_method": "sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, "
                              "separators=(',', ':')).encode('utf-8'))",
        "data": record.data,
    }
    text = json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True)
    return _download(text.encode("utf-8"), "application/json",
                     f"beslissing-{call.code}-{record.number}.json")


RANKING_COLUMNS = ("rank", "reference", "title", "organisation", "enterprise_number", "score",
                   "requested_eur", "cumulative_eur", "computed_outcome", "outcome",
                   "override_reason", "failed_thresholds")


def _with_consensus(call: Call, rows, records: list[dict]) -> tuple[list[str], list[dict]]:
    """The ranking columns plus the consensus score per criterion (one query)."""
    criteria = services.criteria_of(call.id)
    consensus = review_exports.consensus_by_proposal(call.id)
    headers = review_exports.consensus_headers(criteria)
    for row, record in zip(rows, records, strict=True):
        record.update(zip(headers, review_exports.consensus_values(
            row.proposal.id, criteria, consensus), strict=True))
    return [*RANKING_COLUMNS, *headers], records


def _ranking_records(rows) -> list[dict]:
    return [{
        "rank": row.rank, "reference": row.proposal.reference,
        "title": row.proposal.display_title, "organisation": row.proposal.organisation.legal_name,
        "enterprise_number": row.proposal.organisation.enterprise_number,
        "score": row.score, "requested_eur": row.requested, "cumulative_eur": row.cumulative,
        "computed_outcome": row.computed.value if row.computed else "",
        "outcome": row.outcome.value if row.outcome else "",
        "override_reason": row.override.reason if row.override else "",
        "failed_thresholds": ", ".join(str(name) for name in row.failed),
    } for row in rows]


def _flat(value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def _ranking_csv(rows, call: Call) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns, records = _with_consensus(call, rows, _ranking_records(rows))
    writer.writerow(columns)
    for record in records:
        writer.writerow([exports.neutralise(_flat(record[key])) for key in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _ranking_xlsx(call: Call, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Ranking")[:31]
    columns, records = _with_consensus(call, rows, _ranking_records(rows))
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    budget_line_done = False
    for row, record in zip(rows, records, strict=True):
        if not budget_line_done and row.computed is not Outcome.funded:
            sheet.append([exports.neutralise(_("Budget line: %(budget)s", budget=(
                f"{call.budget_eur:.2f} EUR")))])
            sheet.cell(sheet.max_row, 1).font = Font(bold=True)
            budget_line_done = True
        values = []
        for key in columns:
            value = record[key]
            values.append(exports.neutralise(value) if isinstance(value, str) else value)
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal | float):
                cell.number_format = exports.EURO_FORMAT
    if not budget_line_done:
        sheet.append([exports.neutralise(_("Budget line: %(budget)s",
                                           budget=f"{call.budget_eur:.2f} EUR"))])
    sheet.append([])
    sheet.append([exports.neutralise(str(services.TIE_BREAK))])
    sheet.append([exports.neutralise(_("As of %(moment)s (Brussels time).",
                                       moment=to_brussels(utcnow()).strftime(
                                           "%d-%m-%Y %H:%M:%S")))])
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHIJKL", (6, 16, 40, 30, 14, 8, 14, 14, 16, 16, 30, 30),
                             strict=True):
        sheet.column_dimensions[column].width = width
    _individual_sheet(workbook, call, rows)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _individual_sheet(workbook: Workbook, call: Call, rows) -> None:
    """A second sheet: every submitted review's scores and justifications, evaluators as
    "Evaluator 1..n" per proposal."""
    sheet = workbook.create_sheet(_("Individual scores")[:31])
    sheet.append(review_exports.individual_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in review_exports.individual_rows(call.id, [r.proposal.id for r in rows],
                                                 services.criteria_of(call.id)):
        sheet.append([exports.neutralise(v) if isinstance(v, str) else v for v in values])
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDE", (16, 14, 40, 8, 80), strict=True):
        sheet.column_dimensions[column].width = width


@bp.get("/calls/<code>/ranking.<any(csv, xlsx, pdf):fmt>")
@roles_required(Role.official)
def ranking_export(code: str, fmt: str):
    call = _call(code)
    rows = services.ranking(call.id)
    stamp = to_brussels(utcnow()).strftime("%Y%m%d-%H%M")
    name = f"rangschikking-{call.code}-{stamp}.{fmt}"
    if fmt == "csv":
        return _download(_ranking_csv(rows, call), exports.CSV_MIMETYPE, name)
    if fmt == "xlsx":
        return _download(_ranking_xlsx(call, rows), exports.XLSX_MIMETYPE, name)
    return _download(ranking_pdf(call, rows), "application/pdf", name)


def _render_ranking_pdf(owner_id: int, params: dict) -> tuple[bytes, str]:
    """The ranking PDF in a background job (minutes for thousands of rows), as the owner
    would have had it from ``ranking_export``."""
    user = db.session.get(User, owner_id)
    if user is None or not permissions.can_manage(user):
        raise PermissionError("no longer allowed")
    path = f"/evaluation/calls/{quote(params['code'])}/ranking.pdf"
    with current_app.test_request_context(path), force_locale(params.get("lang") or "nl"):
        call = calls.get_call_by_code(user, params["code"])
        body = ranking_pdf(call, services.ranking(call.id))
    stamp = to_brussels(utcnow()).strftime("%Y%m%d-%H%M")
    return body, f"rangschikking-{call.code}-{stamp}.pdf"


documents.register("ranking_pdf", allowed=permissions.can_manage, render=_render_ranking_pdf,
                   label=_l("Ranking (PDF)"))


@bp.post("/calls/<code>/ranking.pdf/prepare")
@roles_required(Role.official)
def prepare_ranking_pdf(code: str):
    """Queue the ranking PDF as a background job and follow it on the document's page."""
    call = _call(code)
    document = documents.prepare(current_user, "ranking_pdf",
                                 {"code": call.code, "lang": _language()})
    return redirect(url_for("main.document", document_id=document.id,
                            back=url_for(".ranking", code=call.code)))


# ---------------------------------------------------------------------------- the applicant's

@bp.get("/summary/<int:proposal_id>.pdf")
@login_required
def summary_report(proposal_id: int):
    """The evaluation summary report: the organisation's members and officials, once the
    decision is published; 404 for everyone else. Never an evaluator's name."""
    proposal, result = queries.summary_of(current_user, proposal_id, _language())
    return _download(summary_pdf(proposal, result), "application/pdf",
                     f"beoordelingsverslag-{proposal.reference}.pdf")
