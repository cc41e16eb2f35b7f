"""Requests for explanation and objections over HTTP: the member lodges one from the
proposal page within the window; officials see a queue per call, answer and record the
outcome, and may publish decision n+1 after an upheld objection. Thin wrappers around
app.reviews.objections; an objection is 404 for everyone but the organisation's members
and officials."""

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core import formatting
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.forms import EmptyForm, attach_errors, submit_form
from app.core.permissions import Role, roles_required
from app.proposals import access as proposal_access
from app.proposals import permissions as proposal_permissions
from app.reviews import objections, permissions
from app.reviews.blueprint import bp
from app.reviews.facts import settings_of
from app.reviews.forms import ObjectionAnswerForm, ObjectionForm
from app.reviews.objection_models import ObjectionOutcome
from app.reviews.view_helpers import call_by_code


@bp.app_template_global("proposal_objections")
def proposal_objections(proposal, record=None):
    """For the proposal page: the objection window and what was lodged, or None;
    ``record`` is the decision record the page already read."""
    return objections.for_proposal_page(current_user, proposal, record=record)


def _lodging(proposal_id: int):
    proposal = proposal_access.get_proposal(current_user, proposal_id)
    if not proposal_permissions.is_member(current_user, proposal):
        raise NotFound()
    record = objections.record_for(proposal)
    if record is None:
        raise NotFound()
    return proposal, record


@bp.route("/proposals/<int:proposal_id>/objections/new", methods=["GET", "POST"])
@login_required
def lodge_objection(proposal_id: int):
    proposal, record = _lodging(proposal_id)
    today = objections.brussels_today()
    form = ObjectionForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            try:
                objection = objections.lodge_objection(current_user, proposal.id, form.to_input())
            except ValidationFailed as exc:
                attach_errors(form, exc)
            except DomainError as exc:
                flash(exc.user_message(), "error")
            else:
                flash(
                    _(
                        "Sent: %(kind)s. An official answers it in the portal; you will get "
                        "an email.",
                        kind=objection.kind.label,
                    ),
                    "success",
                )
                return redirect(url_for(".objection", objection_id=objection.id))
    return render_template(
        "reviews/objection_new.html",
        proposal=proposal,
        record=record,
        form=form,
        open=objections.window_open(record, today),
        days_left=objections.days_left(record, today),
    ), status


def _objection_page(objection, answer_form=None, status=200):
    if answer_form is None:
        answer_form = ObjectionAnswerForm(formdata=None)
    official = permissions.can_manage(current_user)
    upheld = objection.outcome is ObjectionOutcome.upheld and not objection.new_decision_number
    return render_template(
        "reviews/objection.html",
        objection=objection,
        proposal=objection.proposal,
        record=objection.record,
        answer_form=answer_form,
        republish_form=EmptyForm(),
        second_approval=official
        and upheld
        and settings_of(objection.proposal.call).second_approval,
        pending=objections.pending_publication(objection) if official and upheld else None,
        days_left=objections.days_left(objection.record, objections.brussels_today()),
        ObjectionOutcome=ObjectionOutcome,
    ), status


@bp.get("/objections/<int:objection_id>")
@login_required
def objection(objection_id: int):
    return _objection_page(objections.get_objection(current_user, objection_id))


@bp.get("/objections/<int:objection_id>/file")
@login_required
def objection_file(objection_id: int):
    path, filename = objections.objection_file(current_user, objection_id)
    return send_file(
        path, mimetype="application/pdf", as_attachment=True, download_name=filename, max_age=0
    )


@bp.post("/objections/<int:objection_id>/answer")
@roles_required(Role.official)
def answer_objection(objection_id: int):
    objection = objections.get_objection(current_user, objection_id)
    form = ObjectionAnswerForm()
    done = submit_form(
        form,
        lambda: objections.answer_objection(
            current_user,
            objection.id,
            form.answer.data or "",
            ObjectionOutcome(form.outcome.data) if form.outcome.data else None,
        ),
        success=_("The answer is recorded and the organisation is notified."),
        then=url_for(".objection", objection_id=objection.id),
    )
    if done:
        return done
    return _objection_page(objection, form, 422)


@bp.post("/objections/<int:objection_id>/republish")
@roles_required(Role.official)
def republish_after_objection(objection_id: int):
    """Decision n+1 after an upheld objection: published at once, or, when the call wants a
    second official's approval, requested for another official to approve."""
    objection = objections.get_objection(current_user, objection_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    call = objection.proposal.call
    try:
        if settings_of(call).second_approval:
            objections.request_republication(current_user, objection.id)
            message = _(
                "The publication of the new decision is requested. Another official approves it "
                "on the publication page; nothing has been sent yet."
            )
        else:
            record = objections.republish_after_objection(current_user, objection.id)
            message = _(
                "Decision %(number)d is published: every applicant is notified and may "
                "object until %(date)s.",
                number=record.number,
                date=formatting.day(record.objection_until),
            )
    except DomainError as exc:
        flash(exc.user_message(), "error")
    else:
        flash(message, "success")
    return redirect(url_for(".objection", objection_id=objection.id))


@bp.get("/calls/<code>/objections")
@roles_required(Role.official)
def objections_queue(code: str):
    call = call_by_code(code)
    return render_template(
        "reviews/objection_queue.html",
        call=call,
        rows=objections.objection_queue(current_user, call.id),
    )
