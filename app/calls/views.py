"""Call pages: public list and detail (with .ics), officials create, edit, publish, close."""

from decimal import Decimal
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.calls import ics, permissions, services
from app.calls.forms import CallForm, CloseForm, ExtensionForm
from app.calls.models import Call, CallStatus
from app.core import formatting
from app.core.downloads import download
from app.core.errors import DomainError, ValidationFailed
from app.core.forms import EmptyForm, attach_errors
from app.core.money import euro
from app.core.permissions import Role, has_role, roles_required
from app.core.time import format_brussels, request_received_at, utcnow
from app.organisations import services as organisations
from app.organisations.models import ProviderType

bp = Blueprint("calls", __name__, url_prefix="/calls", template_folder="templates")

# GOV.UK tag colours per status; the tag always carries the status in words too.
STATUS_TAG_CLASSES = {
    CallStatus.draft: "govuk-tag--grey",
    CallStatus.upcoming: "govuk-tag--blue",
    CallStatus.open: "govuk-tag--green",
    CallStatus.closed: "govuk-tag--red",
    CallStatus.evaluation: "govuk-tag--purple",
    CallStatus.decided: "govuk-tag--grey",
}


def _percent(value) -> str:
    """Decimal('12.50') -> '12,5 %' (nl) or '12.5%' (en); exact, never via float."""
    return formatting.percent(value if value is not None else Decimal("0"), None)


@bp.context_processor
def _call_helpers():
    return {"status_tag_class": lambda status: STATUS_TAG_CLASSES.get(status, ""),
            "euro": euro, "percent": _percent,
            "can_manage_calls": permissions.can_manage(current_user)}


@bp.get("/")
def index():
    return render_template("calls/index.html", calls=services.list_calls(current_user))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.official)
def new():
    form = CallForm.blank()
    if form.validate_on_submit():
        try:
            call = services.create_call(current_user, form.to_input())
        except ValidationFailed as exc:
            attach_errors(form, exc)
        else:
            flash(_("The call %(code)s was saved as a draft. Publish it when it is ready.",
                    code=call.code), "success")
            return redirect(url_for(".detail", code=call.code))
    return render_template("calls/edit.html", form=form, call=None), \
        422 if form.errors else 200


@bp.get("/<code>")
def detail(code: str):
    call = services.get_call_by_code(current_user, code)
    now = utcnow()
    status = call.status_at(now)
    can_start = (status is CallStatus.open and has_role(current_user, Role.applicant)
                 and "proposals.new" in current_app.view_functions)
    return render_template(
        "calls/detail.html", call=call, status=status,
        can_start=can_start,
        provider_types=[ProviderType(value) for value in call.provider_types],
        empty_form=EmptyForm())


@bp.get("/<code>/deadline.ics", endpoint="ics")
def ics_file(code: str):
    call = services.get_call_by_code(current_user, code)
    page = url_for(".detail", code=call.code, _external=True)
    base = current_app.config.get("SERVER_BASE_URL") or request.host_url
    domain = urlsplit(base).hostname or "esf-eleren.invalid"
    text = ics.deadline_calendar(
        call, summary=_("Submission deadline: %(title)s", title=call.title),
        description=_("Call %(code)s (%(title)s) accepts proposals up to and including "
                      "%(deadline)s, Brussels time. %(url)s", code=call.code, title=call.title,
                      deadline=format_brussels(call.deadline), url=page),
        alarm_text=_("Tomorrow is the submission deadline of call %(code)s.", code=call.code),
        url=page, domain=domain, now=utcnow())
    return download(text, "text/calendar", f"{call.code.lower()}-deadline.ics")


def _managed(code: str) -> Call:
    return services.get_call_by_code(current_user, code)


@bp.route("/<code>/edit", methods=["GET", "POST"])
@roles_required(Role.official)
def edit(code: str):
    call = _managed(code)
    form = CallForm.for_call(call)
    if form.validate_on_submit():
        try:
            call = services.update_call(current_user, call.id, form.to_input())
        except ValidationFailed as exc:
            attach_errors(form, exc)
        except DomainError as exc:
            flash(exc.user_message(), "error")
            return redirect(url_for(".detail", code=call.code))
        else:
            flash(_("The call %(code)s has been saved.", code=call.code), "success")
            return redirect(url_for(".detail", code=call.code))
    return render_template("calls/edit.html", form=form, call=call), \
        422 if form.errors else 200


@bp.post("/<code>/publish")
@roles_required(Role.official)
def publish(code: str):
    call = _managed(code)
    if EmptyForm().validate_on_submit():
        try:
            services.publish_call(current_user, call.id, received_at=request_received_at())
        except DomainError as exc:
            flash(exc.user_message(), "error")
        else:
            flash(_("The call %(code)s is published: everyone can see it now.",
                    code=call.code), "success")
    return redirect(url_for(".detail", code=call.code))


@bp.route("/<code>/close", methods=["GET", "POST"])
@roles_required(Role.official)
def close(code: str):
    call = _managed(code)
    form = CloseForm()
    if form.validate_on_submit():
        try:
            services.close_call(current_user, call.id, form.reason.data)
        except ValidationFailed as exc:
            attach_errors(form, exc)
        except DomainError as exc:
            flash(exc.user_message(), "error")
            return redirect(url_for(".detail", code=call.code))
        else:
            flash(_("The call %(code)s is closed: no proposal can be submitted any more.",
                    code=call.code), "success")
            return redirect(url_for(".detail", code=call.code))
    return render_template("calls/close.html", form=form, call=call), \
        422 if form.errors else 200


@bp.route("/<code>/extensions", methods=["GET", "POST"])
@roles_required(Role.official)
def extensions(code: str):
    call = _managed(code)
    form = ExtensionForm()
    form.organisation_id.choices = [("", _("Choose an organisation"))] + [
        (o.id, f"{o.legal_name} ({o.enterprise_number})")
        for o in organisations.list_visible_organisations(current_user)]
    if form.validate_on_submit():
        try:
            extension = services.grant_extension(current_user, call.id,
                                                 form.organisation_id.data,
                                                 form.deadline.data, form.reason.data)
        except ValidationFailed as exc:
            attach_errors(form, exc)
        else:
            flash(_("%(organisation)s may now submit until %(deadline)s (Brussels time).",
                    organisation=extension.organisation.legal_name,
                    deadline=format_brussels(extension.deadline)), "success")
            return redirect(url_for(".extensions", code=call.code))
    return render_template("calls/extensions.html", form=form, call=call,
                           extensions=call.extensions), 422 if form.errors else 200
