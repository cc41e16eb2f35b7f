"""Monitoring pages: funded projects, their trainings and enrolment imports, and the reports."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_number
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.audit import display
from app.core.errors import DomainError, ValidationFailed
from app.core.forms import EmptyForm, attach_errors
from app.core.permissions import Role, roles_required
from app.monitoring import import_checks, imports, services
from app.monitoring.forms import TrainingForm, UploadForm
from app.monitoring.models import ImportStatus, Mode, ProjectStatus

bp = Blueprint("monitoring", __name__, template_folder="templates", url_prefix="/monitoring")

ERRORS_SHOWN = 200


@bp.context_processor
def _helpers() -> dict:
    return {
        "fmt_count": lambda n: format_number(n or 0),
        "project_status_label": _project_status_label,
    }


def _project_status_label(status) -> str:
    try:
        return str(ProjectStatus(getattr(status, "value", status)).label)
    except ValueError:
        return str(status)


@bp.record_once
def _in_the_audit_log(state) -> None:
    """The audit log names the projects' coded values."""
    display.register_values(state.app, "planned_mode", display.enum_labeller(Mode))
    display.register_values(
        state.app, "status", display.enum_labeller(ProjectStatus), context="funded_projects"
    )


@bp.get("/projects")
@roles_required(Role.applicant, Role.official)
def projects():
    args = request.args
    page = max(args.get("page", 1, type=int), 1)
    call_id = args.get("call", type=int)
    search = (args.get("q") or "").strip()[:40]
    rows, total = services.list_projects(current_user, call_id=call_id, search=search, page=page)
    calls = services.list_project_calls(current_user) if current_user.is_official else []
    return render_template(
        "monitoring/projects.html",
        rows=rows,
        total=total,
        page=page,
        per_page=services.PER_PAGE,
        calls=calls,
        call_id=call_id,
        search=search,
        args={k: v for k, v in args.items() if v},
    )


def _project_page(project, form: UploadForm, status: int = 200):
    page = max(request.args.get("page", 1, type=int), 1)
    batches, total = services.list_imports(project.id, page=page)
    return render_template(
        "monitoring/project.html",
        project=project,
        form=form,
        trainings=services.list_trainings(project.id),
        imports=batches,
        imports_total=total,
        page=page,
        per_page=services.IMPORTS_PER_PAGE,
        columns=import_checks.COLUMNS,
        choices=import_checks.CHOICES,
        max_mb=services.max_upload_bytes() // (1024 * 1024),
    ), status


@bp.get("/projects/<int:project_id>")
@login_required
def project(project_id: int):
    return _project_page(services.get_project(current_user, project_id), UploadForm())


@bp.before_request
def _larger_uploads():
    """Enrolment files may be larger than the portal's usual request limit."""
    if request.endpoint == "monitoring.upload":
        request.max_content_length = services.max_upload_bytes() + 1024 * 1024


@bp.errorhandler(413)
def _too_large(_exc):
    message = _(
        "The file is too large: an enrolment file may be at most %(size)d MB. Nothing was saved.",
        size=services.max_upload_bytes() // (1024 * 1024),
    )
    return render_template("errors/error.html", status=413, message=message), 413


@bp.post("/projects/<int:project_id>/imports")
@login_required
def upload(project_id: int):
    project = services.get_project(current_user, project_id)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            batch = services.queue_import(
                current_user, project.id, upload.filename or "", upload.stream
            )
        except ValidationFailed as exc:
            attach_errors(form, exc)
        else:
            return redirect(url_for(".import_detail", project_id=project.id, import_id=batch.id))
    return _project_page(project, form, 422)


@bp.get("/projects/<int:project_id>/imports/<int:import_id>")
@login_required
def import_detail(project_id: int, import_id: int):
    batch = services.get_import(current_user, project_id, import_id)
    waiting = batch.status in (ImportStatus.queued, ImportStatus.running)
    return render_template(
        "monitoring/import.html",
        project=batch.project,
        batch=batch,
        waiting=waiting,
        errors=imports.translated_errors(batch, ERRORS_SHOWN),
        shown=min(len(batch.errors or []), ERRORS_SHOWN),
    )


@bp.route("/projects/<int:project_id>/trainings", methods=["GET", "POST"])
@login_required
def trainings(project_id: int):
    project = services.get_project(current_user, project_id)
    form = TrainingForm()
    status = 200
    if request.method == "POST":
        try:
            training = services.add_training(current_user, project.id, form.to_input())
        except ValidationFailed as exc:
            attach_errors(form, exc)
            status = 422
        else:
            flash(_("Training %(code)s was added.", code=training.code), "success")
            return redirect(url_for(".trainings", project_id=project.id))
    elif not form.planned_mode.data:
        form.planned_mode.data = Mode.blended.value
    return render_template(
        "monitoring/trainings.html",
        project=project,
        form=form,
        trainings=services.list_trainings(project.id),
        empty_form=EmptyForm(),
    ), status


@bp.route("/projects/<int:project_id>/trainings/<int:training_id>", methods=["GET", "POST"])
@login_required
def edit_training(project_id: int, training_id: int):
    training = services.get_training(current_user, project_id, training_id)
    form = TrainingForm(obj=training if request.method == "GET" else None)
    if request.method == "GET":
        form.planned_mode.data = training.planned_mode.value
    status = 200
    if request.method == "POST":
        try:
            services.update_training(current_user, project_id, training_id, form.to_input())
        except ValidationFailed as exc:
            attach_errors(form, exc)
            status = 422
        else:
            flash(_("The training was saved."), "success")
            return redirect(url_for(".trainings", project_id=project_id))
    return render_template(
        "monitoring/trainings_edit.html", project=training.project, training=training, form=form
    ), status


@bp.post("/projects/<int:project_id>/trainings/<int:training_id>/remove")
@login_required
def remove_training(project_id: int, training_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.remove_training(current_user, project_id, training_id)
    except DomainError as exc:
        flash(exc.user_message(), "error")
    else:
        flash(_("The training was removed."), "success")
    return redirect(url_for(".trainings", project_id=project_id))
