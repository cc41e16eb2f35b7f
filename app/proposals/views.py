"""Proposal pages: thin wrappers around app.proposals.services."""

from collections.abc import Callable

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from app.audit import display
from app.calls import services as calls
from app.calls.views import offer_proposal_start
from app.core.errors import (
    DomainError,
    PortalError,
    ValidationFailed,
)
from app.core.forms import EmptyForm, attach_errors
from app.core.permissions import Role, require, roles_required
from app.core.time import format_brussels, request_received_at
from app.organisations.confirmation import submission_block
from app.proposals import (
    access,
    drafts,
    eligibility,
    listing,
    merge,
    permissions,
    services,
    storage,
    versions,
)
from app.proposals.declaration import declaration_text
from app.proposals.fields import LABELS, SECTION_BY_KEY, SECTION_OF, SECTIONS
from app.proposals.forms import (
    AttachmentForm,
    DeclarationForm,
    NewProposalForm,
    WithdrawForm,
    section_form,
)
from app.proposals.models import Proposal, ProposalStatus
from app.proposals.pdf import proposal_pdf, receipt_pdf, shown_version

bp = Blueprint("proposals", __name__, url_prefix="/proposals", template_folder="templates")


@bp.record_once
def _in_the_audit_log(state) -> None:
    """The audit log names the proposals' fields and statuses."""
    display.register_values(state.app, "fields", LABELS.get)
    display.register_values(
        state.app, "status", display.enum_labeller(ProposalStatus), context="proposals"
    )


_DETAIL_PANELS = "proposals.detail_panels"  # app.extensions key: see add_detail_panel


@bp.record_once
def _on_the_call_page(state) -> None:
    offer_proposal_start(state.app, "proposals.new")


@bp.get("/")
@login_required
def index():
    page, filters = listing.proposal_page(current_user, request.args)
    return render_template(
        "proposals/index.html",
        page=page,
        filters=filters,
        calls=listing.calls_with_proposals(current_user),
        statuses=list(ProposalStatus),
    )


@bp.route("/new/<code>", methods=["GET", "POST"])
@roles_required(Role.applicant)
def new(code: str):
    """Start a draft for one of the applicant's organisations (asked only if several)."""
    call = calls.get_call_by_code(current_user, code)
    organisations = current_user.organisations
    if not organisations:
        flash(_("Join or register an organisation before you start a proposal."), "error")
        return redirect(url_for("organisations.mine"))
    form = NewProposalForm()
    form.organisation_id.choices = [
        (o.id, f"{o.legal_name} ({o.enterprise_number})") for o in organisations
    ]
    if (
        request.method == "POST"
        and len(organisations) == 1
        and "organisation_id" not in request.form
    ):
        form.organisation_id.data = organisations[0].id
        form.organisation_id.raw_data = [str(organisations[0].id)]
    existing = drafts.open_drafts(current_user, call.id)
    if request.method == "POST" and existing and request.form.get("another") != "1":
        # "Start a proposal" again while a draft waits: offer it first (one click less
        # than a second, empty draft).
        return redirect(url_for(".new", code=call.code), 303)
    if form.validate_on_submit():
        proposal = services.create_proposal(
            current_user, call.id, form.organisation_id.data, received_at=request_received_at()
        )
        flash(
            _(
                "Your draft proposal %(reference)s was created. Save each part as you go; "
                "nothing is sent until you submit it.",
                reference=proposal.reference,
            ),
            "success",
        )
        return redirect(url_for(".detail", proposal_id=proposal.id))
    return render_template(
        "proposals/new.html", call=call, form=form, drafts=existing
    ), 422 if form.errors else 200


def _editable(proposal) -> bool:
    """May the current user change this proposal now (member, before the deadline)?"""
    return permissions.can_edit(current_user, proposal) and access.is_editable(proposal)


def _overview(proposal):
    problems = eligibility.submission_problems(proposal)
    sections = []
    for section in SECTIONS:
        missing = [name for name in problems if SECTION_OF.get(name) == section.key]
        sections.append({"section": section, "complete": not missing, "missing": missing})
    return problems, sections


def add_detail_panel(app: Flask, name: str, panel: Callable[[Proposal], dict]) -> None:
    """Let a higher layer add to the proposal page: ``panel(proposal)`` returns template
    variables. The evaluation adds ``evaluation`` and ``admissibility`` (app.reviews)."""
    app.extensions.setdefault(_DETAIL_PANELS, {})[name] = panel


def _detail_panels(proposal: Proposal) -> dict:
    variables: dict = {"evaluation": None, "admissibility": None}
    for panel in current_app.extensions.get(_DETAIL_PANELS, {}).values():
        variables.update(panel(proposal))
    return variables


@bp.get("/<int:proposal_id>")
@login_required
def detail(proposal_id: int):
    proposal = access.get_proposal(current_user, proposal_id)
    problems, sections = _overview(proposal)
    return render_template(
        "proposals/detail.html",
        proposal=proposal,
        sections=sections,
        problems=problems,
        **_detail_panels(proposal),
        rules=eligibility.check_eligibility(proposal),
        deadline=access.deadline_of(proposal),
        extension=calls.extension_for(proposal.call, proposal.organisation_id),
        editable=_editable(proposal),
        deletable=drafts.is_deletable(proposal),
        counting=services.counting_version(proposal),
        unsubmitted_changes=versions.has_unsubmitted_changes(proposal),
        history=versions.version_history(proposal),
        labels=LABELS,
    )


@bp.route("/<int:proposal_id>/edit/<section>", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int, section: str):
    proposal = access.get_proposal(current_user, proposal_id)
    if section not in SECTION_BY_KEY:
        abort(404)
    if not permissions.can_edit(current_user, proposal):
        return redirect(url_for(".detail", proposal_id=proposal.id))
    form = section_form(section, proposal.call)
    if request.method == "GET":
        form.load(proposal)
    if not access.is_editable(proposal):
        flash(
            _("This proposal was withdrawn and can no longer change.")
            if proposal.status is ProposalStatus.withdrawn
            else _("The deadline has passed: this proposal can no longer change."),
            "error",
        )
        return redirect(url_for(".detail", proposal_id=proposal.id))
    if form.validate_on_submit():
        try:
            typed = form.to_input()
            services.update_proposal(
                current_user,
                proposal.id,
                typed.changes,
                typed.revision,
                received_at=request_received_at(),
                base=typed.base,
            )
        except access.EditConflict as exc:
            return _conflict(exc, form, section)
        except ValidationFailed as exc:
            attach_errors(form, exc)
        else:
            flash(_("Saved: %(section)s.", section=SECTION_BY_KEY[section].title), "success")
            if request.form.get("then") == "next":
                keys = [s.key for s in SECTIONS]
                following = keys[keys.index(section) + 1 :]
                if following:
                    return redirect(url_for(".edit", proposal_id=proposal.id, section=following[0]))
            return redirect(url_for(".detail", proposal_id=proposal.id))
    status = 422 if form.errors else 200
    return render_template(
        "proposals/edit.html", proposal=proposal, form=form, section=SECTION_BY_KEY[section]
    ), status


def _conflict(exc, form, section: str):
    """Both versions side by side. The form keeps what the user typed, and takes the saved
    value of every field only the other side changed; it is now based on the latest save,
    so saving again deliberately replaces the other text of the fields that clash."""
    current, typed = exc.proposal, form.to_input()
    fields = SECTION_BY_KEY[section].fields
    mine = typed.changes
    theirs = {name: getattr(current, name) for name in fields}
    if typed.base is not None:
        differing = exc.fields
        # the fields the user changed, as typed; the others as they are saved now
        changed = {n: mine[n] for n in fields if merge.field_hash(mine[n]) != typed.base.get(n)}
        form = section_form(section, current.call, formdata=None)
        form.load(current, changed)
    else:  # an older form without a base: the revision alone told
        differing = [n for n in fields if _comparable(mine.get(n)) != _comparable(theirs.get(n))]
        form.revision.data = str(current.revision)
    last = merge.last_change(current, differing or list(fields))
    by_id = last.actor_id if last else current.updated_by_id
    return render_template(
        "proposals/conflict.html",
        proposal=current,
        form=form,
        section=SECTION_BY_KEY[section],
        mine=mine,
        theirs=theirs,
        differing=differing,
        labels=LABELS,
        same_user=by_id == current_user.id,
        by_name=last.actor_name if last else None,
        at=last.at if last else current.updated_at,
    ), 409


def _comparable(value):
    if hasattr(value, "value"):
        return value.value
    return value if value not in ("", [], None) else None


@bp.route("/<int:proposal_id>/attachments", methods=["GET", "POST"])
@login_required
def attachments(proposal_id: int):
    proposal = access.get_proposal(current_user, proposal_id)
    form = AttachmentForm()
    status = 200
    if request.method == "POST":
        require(permissions.can_edit(current_user, proposal))
        if form.validate_on_submit():
            upload = form.file.data
            try:
                attachment = services.add_attachment(
                    current_user,
                    proposal.id,
                    upload.filename or "",
                    upload.stream,
                    received_at=request_received_at(),
                )
            except ValidationFailed as exc:
                attach_errors(form, exc)
            else:
                flash(_("%(name)s was attached.", name=attachment.filename), "success")
                return redirect(url_for(".attachments", proposal_id=proposal.id))
        status = 422
    return _attachments_page(proposal, form, status)


def _attachments_page(proposal, form, status: int):
    return render_template(
        "proposals/attachments.html",
        proposal=proposal,
        form=form,
        editable=_editable(proposal),
        empty_form=EmptyForm(),
        storage_used=storage.megabytes(storage.storage_used(proposal.organisation_id)),
        storage_quota=storage.megabytes(current_app.config["ORGANISATION_STORAGE_BYTES"]),
    ), status


def _too_large_message() -> str:
    return _(
        "The file is larger than %(size)s MB. Choose a smaller PDF; nothing was saved.",
        size=current_app.config["PROPOSAL_MAX_ATTACHMENT_BYTES"] // (1024 * 1024),
    )


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc):
    """A request over the size limit (the browser checks a file's size first; this is for
    when it could not): on the attachments page, the page again with the error on its file
    field; elsewhere the error page."""
    # The body was not read: the page's forms see an empty one (not the limit again).
    request.__dict__.update(form=ImmutableMultiDict(), files=ImmutableMultiDict())
    proposal_id = (request.view_args or {}).get("proposal_id")
    if request.endpoint == "proposals.attachments" and proposal_id is not None:
        try:
            proposal = access.get_proposal(current_user, proposal_id)
        except PortalError:  # not theirs (or not logged in): the error page
            pass
        else:
            form = AttachmentForm(formdata=None)
            form.file.errors = [_too_large_message()]
            return _attachments_page(proposal, form, 413)
    return render_template("errors/error.html", status=413, message=_too_large_message()), 413


@bp.post("/<int:proposal_id>/attachments/<int:attachment_id>/remove")
@login_required
def remove_attachment(proposal_id: int, attachment_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.remove_attachment(
        current_user, proposal_id, attachment_id, received_at=request_received_at()
    )
    flash(_("The attachment was removed."), "success")
    return redirect(url_for(".attachments", proposal_id=proposal_id))


@bp.get("/<int:proposal_id>/files/<sha256>")
@login_required
def download(proposal_id: int, sha256: str):
    path, filename = storage.attachment_file(current_user, proposal_id, sha256)
    response = send_file(
        path, mimetype="application/pdf", as_attachment=True, download_name=filename, max_age=0
    )
    response.headers["Cache-Control"] = "no-store"  # confidential: never kept in a cache
    return response


@bp.get("/<int:proposal_id>/check")
@login_required
def check(proposal_id: int):
    return _check_page(access.get_proposal(current_user, proposal_id), DeclarationForm())


def _check_page(proposal, form, errors: dict[str, str] | None = None):
    """Check your answers: every answer by section with a link to change it, every
    eligibility rule and missing item (with ``errors`` from a refused submit), and the
    declaration on honour to tick to submit."""
    problems, sections = _overview(proposal)
    problems = {**problems, **(errors or {})}
    return render_template(
        "proposals/check.html",
        proposal=proposal,
        problems=problems,
        sections=sections,
        answers=versions.snapshot(proposal),
        rules=eligibility.check_eligibility(proposal),
        deadline=access.deadline_of(proposal),
        editable=_editable(proposal),
        labels=LABELS,
        section_of=SECTION_OF,
        form=form,
        declaration=declaration_text(proposal),
        submission_block=submission_block(proposal.organisation),
    ), 422 if errors or form.errors else 200


@bp.post("/<int:proposal_id>/submit")
@login_required
def submit(proposal_id: int):
    received_at = request_received_at()
    proposal = access.get_proposal(current_user, proposal_id)
    require(permissions.can_edit(current_user, proposal))
    form = DeclarationForm()
    if not form.validate_on_submit():
        if set(form.errors) != {"declaration"}:  # a missing CSRF token, say
            abort(400)
        return _check_page(proposal, form)
    try:
        version = services.submit_proposal(
            current_user,
            proposal_id,
            received_at=received_at,
            declaration=declaration_text(proposal),
        )
    except ValidationFailed as exc:
        return _check_page(access.get_proposal(current_user, proposal_id), form, exc.errors)
    except access.DeadlinePassed as exc:
        return render_template(
            "proposals/refused.html", message=exc.user_message(), proposal_id=proposal_id
        ), 409
    except DomainError as exc:
        flash(exc.user_message(), "error")
        return redirect(url_for(".detail", proposal_id=proposal_id))
    flash(
        _(
            "Version %(number)d was submitted at %(moment)s (Brussels time). A receipt is "
            "ready to download and a confirmation email is on its way.",
            number=version.number,
            moment=format_brussels(version.submitted_at),
        ),
        "success",
    )
    return redirect(url_for(".detail", proposal_id=proposal_id))


@bp.route("/<int:proposal_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(proposal_id: int):
    proposal = access.get_proposal(current_user, proposal_id)
    if not permissions.can_edit(current_user, proposal):
        return redirect(url_for(".detail", proposal_id=proposal.id))
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw_proposal(
                current_user, proposal.id, form.reason.data, received_at=request_received_at()
            )
        except ValidationFailed as exc:
            attach_errors(form, exc)
        except access.DeadlinePassed as exc:
            return render_template(
                "proposals/refused.html", message=exc.user_message(), proposal_id=proposal_id
            ), 409
        else:
            flash(_("The proposal was withdrawn."), "success")
            return redirect(url_for(".detail", proposal_id=proposal.id))
    return render_template(
        "proposals/withdraw.html",
        proposal=proposal,
        form=form,
        deadline=access.deadline_of(proposal),
    ), 422 if form.errors else 200


@bp.route("/<int:proposal_id>/delete", methods=["GET", "POST"])
@login_required
def delete(proposal_id: int):
    """Delete a draft that was never submitted, after a confirmation page."""
    proposal = access.get_proposal(current_user, proposal_id)
    if not (permissions.can_edit(current_user, proposal) and drafts.is_deletable(proposal)):
        return redirect(url_for(".detail", proposal_id=proposal.id))
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            reference = drafts.delete_draft(
                current_user, proposal.id, received_at=request_received_at()
            )
        except access.DeadlinePassed as exc:
            return render_template(
                "proposals/refused.html", message=exc.user_message(), proposal_id=proposal_id
            ), 409
        flash(_("The draft %(reference)s was deleted.", reference=reference), "success")
        return redirect(url_for(".index"))
    return render_template("proposals/delete.html", proposal=proposal, form=form)


@bp.get("/<int:proposal_id>/versions/<int:number>")
@login_required
def version(proposal_id: int, number: int):
    proposal, version = services.get_version(current_user, proposal_id, number)
    previous = next((v for v in proposal.versions if v.number == number - 1), None)
    return render_template(
        "proposals/version.html",
        proposal=proposal,
        version=version,
        changes=versions.changes_between(previous.data if previous else None, version.data),
        counting=services.counting_version(proposal),
        labels=LABELS,
        sections=SECTIONS,
    )


@bp.get("/<int:proposal_id>/versions/<int:number>/receipt.pdf")
@login_required
def receipt(proposal_id: int, number: int):
    proposal, version = services.get_version(current_user, proposal_id, number)
    response = receipt_pdf(proposal, version)
    return response


@bp.get("/<int:proposal_id>/proposal.pdf")
@login_required
def full_pdf(proposal_id: int):
    """The whole proposal (PDF) for its organisation's members and officials: the version
    that counts once submitted; ``?working=1`` gives members the working copy."""
    proposal = access.get_proposal(current_user, proposal_id)
    working = request.args.get("working") == "1" and permissions.is_member(current_user, proposal)
    version = None if working else shown_version(proposal)
    storage.log_confidential_read(
        current_user, proposal, "proposal_pdf", {"version": version.number if version else None}
    )
    return proposal_pdf(proposal, version)
