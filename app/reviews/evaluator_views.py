"""The evaluator's pages: assignments, conflict-of-interest declarations, scoring, the other
evaluators' reviews (after one's own), attachments and the evaluator's profile.

Thin wrappers around app.reviews.rules. Someone else's assignment, or one with a declared
conflict or removed by an official, is 404 on every route (the services say so)."""

from itertools import groupby
from typing import Any

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.errors import DomainError, ValidationFailed
from app.core.forms import submit_form
from app.core.money import format_decimal
from app.core.permissions import Role, roles_required
from app.proposals import storage as proposal_storage
from app.proposals.fields import LABELS, SECTIONS
from app.proposals.pdf import proposal_pdf as whole_proposal_pdf
from app.reviews import facts as review_facts
from app.reviews import queries
from app.reviews.blueprint import bp
from app.reviews.forms import DeclarationForm, ProfileForm, review_form
from app.reviews.models import AssignmentStatus
from app.reviews.rules import conflicts as conflicts_rules
from app.reviews.rules import scoring as scoring_rules


def _state_labels() -> dict[str, tuple[str, str]]:
    return {
        "awaiting_declaration": ("govuk-tag--yellow", _("Declaration needed")),
        "to_score": ("govuk-tag--blue", _("To score")),
        "draft": ("govuk-tag--grey", _("Draft")),
        "submitted": ("govuk-tag--green", _("Submitted")),
    }


@bp.get("/")
@roles_required(Role.evaluator)
def mine():
    rows = queries.assignment_overview(current_user)
    groups = [(call, list(items)) for call, items in groupby(rows, key=lambda r: r.call)]
    return render_template("reviews/evaluator/mine.html", groups=groups, states=_state_labels())


@bp.route("/assignments/<int:assignment_id>/declare", methods=["GET", "POST"])
@roles_required(Role.evaluator)
def declare(assignment_id: int):
    facts = queries.conflict_facts(current_user, assignment_id)
    assignment = facts.assignment
    if assignment.status is not AssignmentStatus.awaiting_declaration:
        return redirect(url_for(".review", assignment_id=assignment.id))
    form = DeclarationForm()
    reference = assignment.proposal.reference
    conflict = form.conflict
    done = submit_form(
        form,
        lambda: conflicts_rules.declare(
            current_user, assignment.id, conflict, (form.reason.data or "") if conflict else ""
        ),
        success=_(
            "You declared a conflict of interest on %(reference)s. The officials have been told "
            "and will ask another evaluator; the proposal is no longer on your list.",
            reference=reference,
        )
        if conflict
        else _("Thank you. You can now read and score %(reference)s.", reference=reference),
        then=url_for(".mine") if conflict else url_for(".review", assignment_id=assignment.id),
        refused=url_for(".mine"),
    )
    if done:
        return done
    return render_template(
        "reviews/evaluator/declare.html",
        facts=facts,
        assignment=assignment,
        proposal=assignment.proposal,
        form=form,
    ), 422 if form.errors else 200


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
@roles_required(Role.evaluator)
def review(assignment_id: int):
    assignment = review_facts.get_assignment(current_user, assignment_id)
    if assignment.status is AssignmentStatus.awaiting_declaration:
        flash(_("First declare whether you have a conflict of interest."), "info")
        return redirect(url_for(".declare", assignment_id=assignment.id))
    assignment, version = scoring_rules.readable_proposal(current_user, assignment_id)
    criteria = review_facts.criteria_of(assignment.proposal.call_id)
    own = assignment.review
    locked = scoring_rules.is_locked(own)
    form = review_form(criteria)
    status = 200
    if request.method == "POST":
        if locked:
            flash(_("This review is submitted and locked. Ask an official to reopen it."), "error")
            return redirect(url_for(".review", assignment_id=assignment.id))
        submitting = request.form.get("action") == "submit"
        record = scoring_rules.submit_typed_review if submitting else scoring_rules.save_review

        def save() -> None:
            typed = form.to_input()
            record(current_user, assignment.id, typed.scores, typed.overall_comment)

        done = submit_form(
            form,
            save,
            success=_(
                "Your review was submitted and is now locked. You can read the "
                "other evaluators' reviews."
            )
            if submitting
            else _("Your draft was saved. Nothing is submitted until you choose “Submit review”."),
            then=url_for(".review", assignment_id=assignment.id),
        )
        if done:
            return done
        status = 422
    elif own is not None:
        form.load(own, format_decimal)
    total = review_facts.weighted_total(own.scores, criteria) if locked and own else None
    return render_template(
        "reviews/evaluator/review.html",
        assignment=assignment,
        proposal=assignment.proposal,
        version=version,
        criteria=criteria,
        form=form,
        review=own,
        locked=locked,
        total=total,
        scores={s.criterion_id: s for s in own.scores} if own else {},
        sections=SECTIONS,
        labels=LABELS,
        score_text=format_decimal,
        score_hints={c.id: _score_hint(c) for c in criteria},
    ), status


def _score_hint(criterion) -> str:
    example = criterion.scale_max - 3 * criterion.step
    if example < 0:
        example = criterion.scale_max
    return _(
        "From 0 to %(max)s in steps of %(step)s, for example %(example)s.",
        max=format_decimal(criterion.scale_max),
        step=format_decimal(criterion.step),
        example=format_decimal(example),
    )


@bp.get("/assignments/<int:assignment_id>/others")
@roles_required(Role.evaluator)
def others(assignment_id: int):
    try:
        reviews = scoring_rules.other_reviews(current_user, assignment_id)
    except DomainError as exc:
        flash(exc.user_message(), "error")
        return redirect(url_for(".review", assignment_id=assignment_id))
    assignment = review_facts.get_assignment(current_user, assignment_id)
    criteria = review_facts.criteria_of(assignment.proposal.call_id)
    own = assignment.review
    # Between evaluators no names: "Evaluator 2", "Evaluator 3", in the order assigned.
    columns: list[dict[str, Any]] = [{"label": _("You"), "review": own}] + [
        {"label": _("Evaluator %(n)d", n=n), "review": r}
        for n, r in enumerate(sorted(reviews, key=lambda r: r.assignment_id), start=2)
    ]
    for column in columns:
        column["scores"] = {s.criterion_id: s for s in column["review"].scores}
        column["total"] = review_facts.weighted_total(column["review"].scores, criteria)
    return render_template(
        "reviews/evaluator/others.html",
        assignment=assignment,
        proposal=assignment.proposal,
        criteria=criteria,
        columns=columns,
        score_text=format_decimal,
    )


@bp.get("/assignments/<int:assignment_id>/files/<sha256>")
@roles_required(Role.evaluator)
def download(assignment_id: int, sha256: str):
    path, filename = scoring_rules.evaluator_attachment(current_user, assignment_id, sha256)
    response = send_file(
        path, mimetype="application/pdf", as_attachment=True, download_name=filename, max_age=0
    )
    response.headers["Cache-Control"] = "no-store"  # confidential: never kept in a cache
    return response


@bp.get("/assignments/<int:assignment_id>/proposal.pdf")
@roles_required(Role.evaluator)
def proposal_pdf(assignment_id: int):
    """The whole proposal (PDF), the version being evaluated; after the declaration only."""
    assignment, version = scoring_rules.readable_proposal(current_user, assignment_id)
    proposal_storage.log_confidential_read(
        current_user, assignment.proposal, "proposal_pdf", {"version": version.number}
    )
    return whole_proposal_pdf(assignment.proposal, version)


@bp.route("/profile", methods=["GET", "POST"])
@roles_required(Role.evaluator)
def profile():
    form = ProfileForm()
    status = 200
    if request.method == "GET":
        form.load(*queries.evaluator_profile(current_user))
    elif form.validate_on_submit():
        rows = form.filled_rows()
        try:
            conflicts_rules.update_profile(
                current_user, form.expertise.data or [], [row.to_input() for _index, row in rows]
            )
        except ValidationFailed as exc:
            _attach_row_errors(form, exc, [index for index, _row in rows])
            status = 422
        else:
            flash(_("Your profile was saved."), "success")
            return redirect(url_for(".profile"))
    else:
        status = 422
    form.pad()
    return render_template("reviews/evaluator/profile.html", form=form), status


def _attach_row_errors(form: ProfileForm, exc: ValidationFailed, indices: list[int]) -> None:
    """The service numbers affiliations as passed (filled rows only); show each error on
    the row the evaluator typed it in."""
    for key, message in exc.errors.items():
        prefix, _sep, rest = key.partition("-")
        number, _sep, name = rest.partition("-")
        if prefix == "affiliations" and number.isdigit() and int(number) < len(indices):
            field = form.affiliations.entries[indices[int(number)]].form[name]
            field.errors = [*list(field.errors or []), message]
        else:
            flash(message, "error")
