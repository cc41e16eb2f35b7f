"""The official's pages of the evaluation, per call under /evaluation/calls/<code>/...: the
index of calls, each call's steps and their state, and starting the evaluation. The steps'
pages live beside it: criteria_views, admissibility_views, assignment_views,
consensus_views, ranking_views (each registers on the same blueprint, so the endpoints keep
their names).

Thin wrappers around app.reviews.rules: officials only (others 403, anonymous users to the
login page)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.calls import deadlines
from app.core.errors import DomainError
from app.core.forms import EmptyForm
from app.core.permissions import Role, roles_required
from app.core.time import utcnow
from app.reviews import result_queries
from app.reviews.blueprint import bp
from app.reviews.rules import admissibility as admissibility_rules
from app.reviews.view_helpers import call_by_code

# ---------------------------------------------------------------------------- index, home


@bp.get("/calls")
@roles_required(Role.official)
def index():
    return render_template(
        "reviews/official/index.html",
        rows=result_queries.evaluation_index(current_user),
        now=utcnow(),
    )


@bp.get("/calls/<code>")
@roles_required(Role.official)
def call(code: str):
    call = call_by_code(code)
    progress = result_queries.evaluation_progress(current_user, call)
    now = utcnow()
    return render_template(
        "reviews/official/call.html",
        call=call,
        progress=progress,
        status=call.status_at(now),
        can_start=deadlines.evaluation_may_start(call, now),
        form=EmptyForm(),
    )


@bp.post("/calls/<code>/start")
@roles_required(Role.official)
def start_evaluation(code: str):
    call = call_by_code(code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        admissibility_rules.start_evaluation(current_user, call.id)
    except DomainError as exc:
        flash(exc.user_message(), "error")
    else:
        flash(_("The evaluation of %(code)s has started.", code=call.code), "success")
    return redirect(url_for(".call", code=call.code))
