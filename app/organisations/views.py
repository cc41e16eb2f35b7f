"""Organisation pages: members see their own, officials see all."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import ValidationFailed
from app.core.forms import EmptyForm, attach_errors, submit_form
from app.core.permissions import Role, roles_required
from app.organisations import services
from app.organisations.forms import JoinForm, OrganisationForm

bp = Blueprint("organisations", __name__, template_folder="templates",
               url_prefix="/organisations")


@bp.get("/mine")
@roles_required(Role.applicant)
def mine():
    return render_template("organisations/mine.html", memberships=current_user.memberships,
                           join_form=JoinForm())


@bp.post("/join")
@roles_required(Role.applicant)
def join():
    form = JoinForm()
    done = submit_form(
        form, lambda: services.request_membership(current_user, form.enterprise_number.data),
        success=_("Your request has been sent to the organisation's members."),
        then=url_for(".mine"))
    if done:
        return done
    return render_template("organisations/mine.html", memberships=current_user.memberships,
                           join_form=form), 422


@bp.get("/")
@roles_required(Role.official, Role.admin)
def index():
    return render_template("organisations/index.html",
                           organisations=services.list_visible_organisations(current_user))


@bp.get("/<int:organisation_id>")
@login_required
def detail(organisation_id: int):
    organisation = services.get_organisation(current_user, organisation_id)
    return render_template("organisations/detail.html", organisation=organisation,
                           memberships=services.list_memberships(organisation.id),
                           empty_form=EmptyForm())


@bp.post("/memberships/<int:membership_id>/decide")
@login_required
def decide_membership(membership_id: int):
    if not EmptyForm().validate_on_submit():
        return redirect(url_for(".mine"))
    approve = request.form.get("decision") == "approve"
    membership = services.decide_membership(current_user, membership_id, approve)
    flash(_("%(name)s can now see and edit the organisation's proposals.",
            name=membership.user.name) if approve else
          _("The request of %(name)s was refused.", name=membership.user.name), "success")
    return redirect(url_for(".detail", organisation_id=membership.organisation_id))


@bp.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(organisation_id: int):
    organisation = services.get_organisation(current_user, organisation_id)
    form = OrganisationForm(obj=organisation)
    if request.method == "GET":
        form.provider_type.data = organisation.provider_type.value
    if form.validate_on_submit():
        try:
            services.update_organisation(current_user, organisation.id, form.to_input())
        except ValidationFailed as exc:
            attach_errors(form, exc)
        else:
            flash(_("The organisation's details have been saved."), "success")
            return redirect(url_for(".detail", organisation_id=organisation.id))
    return render_template("organisations/edit.html", form=form, organisation=organisation)
