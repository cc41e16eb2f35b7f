"""Call pages: public list and detail (with .ics), officials create, edit, publish, close."""

from collections.abc import Callable
from decimal import Decimal
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.audit import display
from app.calls import documents, ics, permissions, services
from app.calls.forms import CallDocumentForm, CallForm, CloseForm, ExtensionForm
from app.calls.models import Call, CallPhase, CallStatus, ProjectType, Technology
from app.core import formatting
from app.core.downloads import download, download_file
from app.core.errors import DomainError
from app.core.forms import EmptyForm, submit_form
from app.core.money import euro
from app.core.permissions import Role, has_role, roles_required
from app.core.time import before_deadline, format_brussels, request_received_at, utcnow
from app.organisations import services as organisations
from app.organisations.models import ProviderType

bp = Blueprint("calls", __name__, url_prefix="/calls", template_folder="templates")


@bp.record_once
def _in_the_audit_log(state) -> None:
    """The audit log names the calls' coded values: phases, project types, technologies
    (of calls, declarations, verifications and evaluators' expertise)."""
    technology = display.enum_labeller(Technology)
    for key in ("technologies", "declared", "verified", "added", "removed", "expertise"):
        display.register_values(state.app, key, technology)
    display.register_values(
        state.app, "project_types", display.enum_labeller(ProjectType, "short_label")
    )
    display.register_values(state.app, "phase", display.enum_labeller(CallPhase))


_START_PROPOSAL = "calls.start_proposal"  # app.extensions key: see offer_proposal_start


def offer_proposal_start(app: Flask, endpoint: str) -> None:
    """Let the proposals side put its "start a proposal" button on the page of an open call
    (the calls side never imports proposals): ``endpoint`` is posted to with the call's
    ``code``."""
    app.extensions[_START_PROPOSAL] = endpoint


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
    return {
        "status_tag_class": lambda status: STATUS_TAG_CLASSES.get(status, ""),
        "euro": euro,
        "percent": _percent,
        "can_manage_calls": permissions.can_manage(current_user),
    }


@bp.get("/")
def index():
    return render_template("calls/index.html", calls=services.list_calls(current_user))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.official)
def new():
    form = CallForm.blank()
    done = submit_form(
        form,
        lambda: services.create_call(current_user, form.to_input()),
        success=lambda call: _(
            "The call %(code)s was saved as a draft. Publish it when it is ready.",
            code=call.code,
        ),
        then=lambda call: url_for(".detail", code=call.code),
        refused=url_for(".new"),
    )
    if done:
        return done
    return render_template("calls/edit.html", form=form, call=None), 422 if form.errors else 200


_CALL_PANELS = "calls.detail_panels"  # app.extensions key: see add_call_panel


def add_call_panel(app: Flask, name: str, panel: Callable[[Call], dict]) -> None:
    """Let a higher layer add to the call page: ``panel(call)`` returns template variables.
    The evaluation adds ``criteria`` (the award criteria, app.reviews)."""
    app.extensions.setdefault(_CALL_PANELS, {})[name] = panel


def _call_panels(call: Call) -> dict:
    variables: dict = {"criteria": None}
    for panel in current_app.extensions.get(_CALL_PANELS, {}).values():
        variables.update(panel(call))
    return variables


@bp.get("/<code>")
def detail(code: str):
    call = services.get_call_by_code(current_user, code)
    now = utcnow()
    status = call.status_at(now)
    is_applicant = has_role(current_user, Role.applicant)
    own = services.extensions_for(call, current_user.organisation_ids) if is_applicant else []
    extended_open = (
        call.is_published
        and call.opens_at <= now
        and any(before_deadline(now, extension.deadline) for extension in own)
    )
    start = current_app.extensions.get(_START_PROPOSAL)
    can_start = (status is CallStatus.open or extended_open) and is_applicant and start is not None
    return render_template(
        "calls/detail.html",
        call=call,
        status=status,
        can_start=can_start,
        start_endpoint=start,
        provider_types=[ProviderType(value) for value in call.provider_types],
        documents=documents.documents_of(call),
        own_extensions=own,
        **_call_panels(call),
        rule_changes=services.rule_changes(call),
        rule_labels=_rule_labels(),
        empty_form=EmptyForm(),
    )


def _rule_labels() -> dict:
    """The edit form's labels of the rules frozen at the deadline."""
    return {name: getattr(CallForm, name).args[0] for name in services.FROZEN_RULES}


@bp.get("/<code>/documents/<int:document_id>")
def document(code: str, document_id: int):
    path, filename = documents.document_file(current_user, code, document_id)
    return download_file(path, "application/pdf", filename)


@bp.route("/<code>/documents", methods=["GET", "POST"])
@roles_required(Role.official)
def manage_documents(code: str):
    call = _managed(code)
    form = CallDocumentForm()
    done = submit_form(
        form,
        lambda: documents.add_document(
            current_user,
            call.code,
            form.title.data or "",
            form.file.data.filename or "",
            form.file.data.stream,
        ),
        success=lambda added: _("%(title)s was added to the call's documents.", title=added.title),
        then=url_for(".manage_documents", code=call.code),
    )
    if done:
        return done
    return render_template(
        "calls/documents.html",
        call=call,
        form=form,
        documents=documents.documents_of(call),
        empty_form=EmptyForm(),
    ), 422 if form.errors else 200


@bp.post("/<code>/documents/<int:document_id>/remove")
@roles_required(Role.official)
def remove_document(code: str, document_id: int):
    call = _managed(code)
    if EmptyForm().validate_on_submit():
        documents.remove_document(current_user, call.code, document_id)
        flash(_("The document was removed."), "success")
    return redirect(url_for(".manage_documents", code=call.code))


@bp.get("/<code>/deadline.ics", endpoint="ics")
def ics_file(code: str):
    call = services.get_call_by_code(current_user, code)
    page = url_for(".detail", code=call.code, _external=True)
    base = current_app.config.get("SERVER_BASE_URL") or request.host_url
    domain = urlsplit(base).hostname or "esf-eleren.invalid"
    text = ics.deadline_calendar(
        call,
        summary=_("Submission deadline: %(title)s", title=call.title),
        description=_(
            "Call %(code)s (%(title)s) accepts proposals up to and including "
            "%(deadline)s, Brussels time. %(url)s",
            code=call.code,
            title=call.title,
            deadline=format_brussels(call.deadline),
            url=page,
        ),
        alarm_text=_("Tomorrow is the submission deadline of call %(code)s.", code=call.code),
        url=page,
        domain=domain,
        now=utcnow(),
    )
    return download(text, "text/calendar", f"{call.code.lower()}-deadline.ics")


def _managed(code: str) -> Call:
    return services.get_call_by_code(current_user, code)


@bp.route("/<code>/edit", methods=["GET", "POST"])
@roles_required(Role.official)
def edit(code: str):
    call = _managed(code)
    form = CallForm.for_call(call)
    done = submit_form(
        form,
        lambda: services.update_call(current_user, call.id, form.to_input()),
        success=lambda saved: _("The call %(code)s has been saved.", code=saved.code),
        then=lambda saved: url_for(".detail", code=saved.code),  # the code may have changed
        refused=url_for(".detail", code=call.code),
    )
    if done:
        return done
    return render_template(
        "calls/edit.html", form=form, call=call, rules_frozen=services.rules_frozen(call)
    ), 422 if form.errors else 200


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
            flash(
                _("The call %(code)s is published: everyone can see it now.", code=call.code),
                "success",
            )
    return redirect(url_for(".detail", code=call.code))


@bp.route("/<code>/close", methods=["GET", "POST"])
@roles_required(Role.official)
def close(code: str):
    call = _managed(code)
    form = CloseForm()
    done = submit_form(
        form,
        lambda: services.close_call(current_user, call.id, form.reason.data),
        success=_(
            "The call %(code)s is closed: no proposal can be submitted any more.", code=call.code
        ),
        then=url_for(".detail", code=call.code),
    )
    if done:
        return done
    return render_template("calls/close.html", form=form, call=call), 422 if form.errors else 200


@bp.route("/<code>/extensions", methods=["GET", "POST"])
@roles_required(Role.official)
def extensions(code: str):
    call = _managed(code)
    form = ExtensionForm()
    form.organisation_id.choices = [("", _("Choose an organisation"))] + [
        (o.id, f"{o.legal_name} ({o.enterprise_number})")
        for o in organisations.list_visible_organisations(current_user)
    ]
    done = submit_form(
        form,
        lambda: services.grant_extension(
            current_user, call.id, form.organisation_id.data, form.deadline.data, form.reason.data
        ),
        success=lambda extension: _(
            "%(organisation)s may now submit until %(deadline)s (Brussels time).",
            organisation=extension.organisation.legal_name,
            deadline=format_brussels(extension.deadline),
        ),
        then=url_for(".extensions", code=call.code),
    )
    if done:
        return done
    return render_template(
        "calls/extensions.html", form=form, call=call, extensions=call.extensions
    ), 422 if form.errors else 200
