"""Organisation pages: members see their own, officials see all and confirm new ones; and
the registration page (an account with its organisation) at /auth/register."""

from flask import Blueprint, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.audit import display
from app.core import files
from app.core.errors import Throttled, ValidationFailed
from app.core.forms import EmptyForm, attach_errors, submit_form
from app.core.permissions import Role, require, roles_required
from app.organisations import confirmation, memberships, permissions, services
from app.organisations.forms import (
    EvidenceForm,
    JoinForm,
    OrganisationForm,
    RefuseOrganisationForm,
    RegisterForm,
)
from app.organisations.models import MembershipStatus, OrganisationStatus, ProviderType

bp = Blueprint("organisations", __name__, template_folder="templates", url_prefix="/organisations")


@bp.record_once
def _in_the_audit_log(state) -> None:
    """The audit log names the organisations' coded values."""
    provider = display.enum_labeller(ProviderType)
    display.register_values(state.app, "provider_type", provider)
    display.register_values(state.app, "provider_types", provider)
    display.register_values(
        state.app, "status", display.enum_labeller(OrganisationStatus), context="organisations"
    )
    display.register_values(
        state.app, "status", display.enum_labeller(MembershipStatus), context="memberships"
    )


# Registration keeps its address beside the other account pages.
registration_bp = Blueprint(
    "registration", __name__, template_folder="templates", url_prefix="/auth"
)


@registration_bp.route("/register", methods=["GET", "POST"])
def register():
    """The same answer whether or not the email address already has an account."""
    form = RegisterForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        account = form.account_input(session.get("language", "nl"))
        address = request.remote_addr or "unknown"
        try:
            if form.joining:
                memberships.register_to_join(
                    account, form.join_enterprise_number.data, address=address
                )
            else:
                services.register_with_new_organisation(
                    account, form.organisation_input(), address=address
                )
        except Throttled as exc:
            form.email.errors = [exc.user_message()]
            status = 429
            if exc.retry_after:
                headers["Retry-After"] = str(exc.retry_after)
        except ValidationFailed as exc:
            attach_errors(form, exc)
        else:
            return render_template(
                "organisations/registered.html", email=form.email.data, joining=form.joining
            )
    return render_template("organisations/register.html", form=form), status, headers


@bp.get("/mine")
@roles_required(Role.applicant)
def mine():
    return render_template(
        "organisations/mine.html", memberships=current_user.memberships, join_form=JoinForm()
    )


@bp.post("/join")
@roles_required(Role.applicant)
def join():
    form = JoinForm()
    done = submit_form(
        form,
        lambda: memberships.request_membership(current_user, form.enterprise_number.data),
        success=_("Your request has been sent to the organisation's members."),
        then=url_for(".mine"),
    )
    if done:
        return done
    return render_template(
        "organisations/mine.html", memberships=current_user.memberships, join_form=form
    ), 422


@bp.get("/")
@roles_required(Role.official, Role.admin)
def index():
    return render_template(
        "organisations/index.html", organisations=services.list_visible_organisations(current_user)
    )


@bp.get("/pending")
@roles_required(Role.official, Role.admin)
def pending():
    """The officials' queue of self-registered organisations waiting for confirmation."""
    return render_template(
        "organisations/pending.html", page=confirmation.pending_queue(current_user, request.args)
    )


def _detail(organisation, *, evidence_form=None, refuse_form=None, status=200):
    return render_template(
        "organisations/detail.html",
        organisation=organisation,
        memberships=services.list_memberships(organisation.id),
        empty_form=EmptyForm(),
        evidence_form=evidence_form or EvidenceForm(formdata=None),
        refuse_form=refuse_form or RefuseOrganisationForm(formdata=None),
        can_decide=lambda m: permissions.can_decide_membership(current_user, m),
        can_confirm=permissions.can_confirm(current_user),
        is_member=organisation.id in current_user.organisation_ids,
    ), status


@bp.get("/<int:organisation_id>")
@login_required
def detail(organisation_id: int):
    return _detail(services.get_organisation(current_user, organisation_id))


@bp.post("/<int:organisation_id>/evidence")
@login_required
def upload_evidence(organisation_id: int):
    organisation = services.get_organisation(current_user, organisation_id)
    require(permissions.can_add_evidence(current_user, organisation))
    form = EvidenceForm()
    done = submit_form(
        form,
        lambda: confirmation.add_evidence(
            current_user, organisation.id, form.file.data.filename or "", form.file.data.stream
        ),
        success=_("The document was uploaded. The ESF team will check it."),
        then=url_for(".detail", organisation_id=organisation.id),
    )
    return done or _detail(organisation, evidence_form=form, status=422)


@bp.get("/evidence/<int:evidence_id>")
@login_required
def evidence(evidence_id: int):
    item = confirmation.get_evidence(current_user, evidence_id)
    response = send_file(
        files.path_for(item.sha256),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=item.filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"  # confidential: never kept in a cache
    return response


@bp.post("/<int:organisation_id>/confirm")
@roles_required(Role.official, Role.admin)
def confirm(organisation_id: int):
    done = submit_form(
        EmptyForm(),
        lambda: confirmation.confirm_organisation(current_user, organisation_id),
        success=lambda organisation: _(
            "%(name)s is confirmed. Its members were told by email.", name=organisation.legal_name
        ),
        then=url_for(".pending"),
        refused=url_for(".detail", organisation_id=organisation_id),
    )
    return done or redirect(url_for(".pending"))


@bp.post("/<int:organisation_id>/refuse")
@roles_required(Role.official, Role.admin)
def refuse(organisation_id: int):
    organisation = services.get_organisation(current_user, organisation_id)
    form = RefuseOrganisationForm()
    done = submit_form(
        form,
        lambda: confirmation.refuse_organisation(current_user, organisation.id, form.reason.data),
        success=_(
            "%(name)s is refused. Its members were told why by email.", name=organisation.legal_name
        ),
        then=url_for(".pending"),
        refused=url_for(".detail", organisation_id=organisation.id),
    )
    return done or _detail(organisation, refuse_form=form, status=422)


@bp.post("/memberships/<int:membership_id>/decide")
@login_required
def decide_membership(membership_id: int):
    if not EmptyForm().validate_on_submit():
        return redirect(url_for(".mine"))
    approve = request.form.get("decision") == "approve"
    membership = memberships.decide_membership(current_user, membership_id, approve)
    flash(
        _("%(name)s can now see and edit the organisation's proposals.", name=membership.user.name)
        if approve
        else _("The request of %(name)s was refused.", name=membership.user.name),
        "success",
    )
    return redirect(url_for(".detail", organisation_id=membership.organisation_id))


@bp.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(organisation_id: int):
    organisation = services.get_organisation(current_user, organisation_id)
    form = OrganisationForm(obj=organisation)
    if request.method == "GET":
        form.provider_type.data = organisation.provider_type.value
    done = submit_form(
        form,
        lambda: services.update_organisation(current_user, organisation.id, form.to_input()),
        success=_("The organisation's details have been saved."),
        then=url_for(".detail", organisation_id=organisation.id),
        refused=url_for(".edit", organisation_id=organisation.id),
    )
    return done or render_template("organisations/edit.html", form=form, organisation=organisation)
