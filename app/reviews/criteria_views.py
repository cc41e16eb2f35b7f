"""The official's criteria and evaluation settings of a call (fixed once an evaluator has
scored). Officials only."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.calls.models import Call
from app.core.errors import DomainError, ValidationFailed
from app.core.forms import EmptyForm, submit_form
from app.core.permissions import Role, roles_required
from app.reviews import facts
from app.reviews.blueprint import bp
from app.reviews.forms import CriteriaForm, SettingsForm
from app.reviews.rules import criteria as criteria_rules
from app.reviews.view_helpers import call_by_code

# ---------------------------------------------------------------------------- criteria


def _criteria_page(
    call: Call, criteria_form: CriteriaForm | None = None, settings_form: SettingsForm | None = None
):
    criteria = facts.criteria_of(call.id)
    settings = facts.settings_of(call)
    if criteria_form is None:
        criteria_form = CriteriaForm(formdata=None)
        criteria_form.load(criteria)
    if settings_form is None:
        settings_form = SettingsForm(
            formdata=None,
            reviews_per_proposal=settings.reviews_per_proposal,
            total_threshold=settings.total_threshold,
            disagreement_spread=settings.disagreement_spread,
            reserve_size=settings.reserve_size,
            objection_days=settings.objection_days,
            criterion_spread_percent=None
            if settings.criterion_spread_share is None
            else settings.criterion_spread_share * 100,
            second_approval=settings.second_approval,
        )
    return render_template(
        "reviews/official/criteria.html",
        call=call,
        criteria=criteria,
        settings=settings,
        form=criteria_form,
        settings_form=settings_form,
        locked=criteria_rules.scoring_started(call.id),
        default_form=EmptyForm(formdata=None),
        weight_sum=sum(c.weight for c in criteria),
    )


_ROW_FIELDS = {
    "name": ("name_nl", "name_en"),
    "weight": ("weight",),
    "scale": ("scale_max",),
    "threshold": ("threshold",),
}


def _attach_row_errors(form: CriteriaForm, exc: ValidationFailed, indices: list[int]) -> None:
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
    call = call_by_code(code)
    if request.method == "GET":
        return _criteria_page(call)
    form = CriteriaForm()
    valid = form.validate_on_submit()
    missing = form.missing_numbers()
    _refresh_row_errors(form)
    if valid and not missing:
        rows = form.filled_rows()
        items = [row.to_input() for _index, row in rows]
        try:
            criteria_rules.set_criteria(current_user, call.id, items)
        except ValidationFailed as exc:
            _attach_row_errors(form, exc, [index for index, _row in rows])
            if not form.errors:  # only a message for the whole list (no criterion at all)
                form.criteria.errors = []
                return _criteria_page(call, criteria_form=_padded(form)), 422
        except DomainError as exc:
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
    call = call_by_code(code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        criteria_rules.set_criteria(current_user, call.id, criteria_rules.DEFAULT_CRITERIA)
    except DomainError as exc:
        flash(exc.user_message(), "error")
    else:
        flash(
            _("The default criteria for e-learning projects are in place. Adapt them if needed."),
            "success",
        )
    return redirect(url_for(".criteria", code=call.code))


@bp.post("/calls/<code>/settings")
@roles_required(Role.official)
def settings(code: str):
    call = call_by_code(code)
    form = SettingsForm()
    done = submit_form(
        form,
        lambda: criteria_rules.update_settings(current_user, call.id, form.to_input()),
        success=_("The evaluation settings of %(code)s were saved.", code=call.code),
        then=url_for(".criteria", code=call.code),
    )
    if done:
        return done
    return _criteria_page(call, settings_form=form), 422
