"""Monitoring rules: funded projects from published decisions, their trainings, and queuing
enrolment imports (the reading and writing are in ``app.monitoring.imports``, the checks
in ``app.monitoring.import_checks``).

Every function takes the actor first, runs in one transaction and writes its audit record.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import defer

from app.audit import services as audit
from app.auth.models import User
from app.calls.models import Call
from app.core import files, signals
from app.core.db import db, transaction
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.permissions import require
from app.core.time import BRUSSELS, utcnow
from app.monitoring import imports, permissions
from app.monitoring.models import (
    Enrolment,
    EnrolmentImport,
    FundedProject,
    ImportStatus,
    Mode,
    ProjectStatus,
    ProjectTraining,
)
from app.organisations.models import Organisation
from app.proposals.models import Proposal
from app.reviews.models import DecisionRecord

PER_PAGE = 50
IMPORTS_PER_PAGE = 20
FUNDED = "funded"  # the outcome value in a decision record's rows


# ---------------------------------------------------------------- funded projects


def connect_signals() -> None:
    """Open funded projects whenever a decision is published (called by ``create_app``)."""
    signals.decision_published.connect(_on_decision_published, weak=False)


def _on_decision_published(
    actor: User | None, *, record: DecisionRecord, **_kwargs: object
) -> None:
    open_projects_for_decision(actor, record)


def open_projects_for_decision(actor: User | None, record: DecisionRecord) -> list[FundedProject]:
    """Each proposal the decision record funds becomes (or stays) an active funded project;
    a project of the call that this record no longer funds ends. Safe to run twice.

    Runs inside the caller's transaction when there is one (publish_decision)."""
    funded = {
        row["proposal_id"]: row
        for row in record.data.get("rows", [])
        if row.get("outcome") == FUNDED
    }
    with transaction():
        existing = {
            p.proposal_id: p
            for p in db.session.scalars(
                sa.select(FundedProject).where(FundedProject.call_id == record.call_id)
            )
        }
        proposals = (
            {
                p.id: p
                for p in db.session.scalars(
                    sa.select(Proposal).where(Proposal.id.in_(list(funded)))
                )
            }
            if funded
            else {}
        )
        opened = []
        for proposal_id, row in funded.items():
            project = existing.get(proposal_id)
            if project is None:
                proposal = proposals[proposal_id]
                project = FundedProject(
                    reference=proposal.reference,
                    proposal_id=proposal.id,
                    call_id=record.call_id,
                    organisation_id=proposal.organisation_id,
                    decision_record_id=record.id,
                    title=(row.get("title") or proposal.title or "")[:250],
                    status=ProjectStatus.active,
                )
                db.session.add(project)
                audit.record(
                    actor,
                    "project.opened",
                    project,
                    after={"reference": project.reference, "decision_record": record.number},
                )
            elif (
                project.status is not ProjectStatus.active
                or project.decision_record_id != record.id
            ):
                before = {
                    "status": project.status,
                    "decision_record_id": project.decision_record_id,
                }
                project.status = ProjectStatus.active
                project.decision_record_id = record.id
                if before["status"] is not ProjectStatus.active:
                    audit.record(
                        actor,
                        "project.reopened",
                        project,
                        before=before,
                        after={"status": project.status, "decision_record": record.number},
                    )
            opened.append(project)
        for proposal_id, project in existing.items():
            if proposal_id not in funded and project.status is ProjectStatus.active:
                project.status = ProjectStatus.ended
                audit.record(
                    actor,
                    "project.ended",
                    project,
                    before={"status": ProjectStatus.active},
                    after={"status": ProjectStatus.ended, "decision_record": record.number},
                )
    return opened


@dataclass(frozen=True)
class ProjectRow:
    project: FundedProject
    organisation: str
    call_code: str
    enrolments: int


def list_projects(
    actor: User,
    *,
    call_id: int | None = None,
    search: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> tuple[list[ProjectRow], int]:
    """The projects ``actor`` may see (members: their organisations'; officials: all),
    filtered and paginated in SQL, with their enrolment counts; and the total."""
    require(permissions.can_list(actor))
    counts = (
        sa.select(Enrolment.project_id, sa.func.count().label("n"))
        .group_by(Enrolment.project_id)
        .subquery()
    )
    query = (
        sa.select(
            FundedProject, Organisation.legal_name, Call.code, sa.func.coalesce(counts.c.n, 0)
        )
        .join(Organisation, Organisation.id == FundedProject.organisation_id)
        .join(Call, Call.id == FundedProject.call_id)
        .outerjoin(counts, counts.c.project_id == FundedProject.id)
    )
    if not permissions.sees_all_projects(actor):
        query = query.where(
            FundedProject.organisation_id.in_(sorted(actor.organisation_ids) or [-1])
        )
    if call_id:
        query = query.where(FundedProject.call_id == call_id)
    if search.strip():
        query = query.where(
            FundedProject.reference.ilike(f"%{_like(search.strip())}%", escape="\\")
        )
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.with_only_columns(FundedProject.id).subquery())
    )
    rows = db.session.execute(
        query.order_by(FundedProject.reference)
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    ).all()
    return [ProjectRow(p, org, code, n) for p, org, code, n in rows], total or 0


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_project_calls(actor: User) -> list[Call]:
    """Calls that have funded projects (the filter of the officials' list)."""
    require(permissions.can_list(actor))
    return list(
        db.session.scalars(
            sa.select(Call).where(Call.id.in_(sa.select(FundedProject.call_id))).order_by(Call.code)
        )
    )


def get_project(actor: User, project_id: int) -> FundedProject:
    """The project, or NotFound when ``actor`` may not see it (it does not exist for them)."""
    project = db.session.get(FundedProject, project_id)
    if project is None or not permissions.can_view(actor, project):
        raise NotFound()
    return project


def get_project_by_reference(reference: str) -> FundedProject:
    """For the operator's command line."""
    project = db.session.scalar(
        sa.select(FundedProject).where(FundedProject.reference == reference)
    )
    if project is None:
        raise NotFound(_("No funded project with reference %(reference)s.", reference=reference))
    return project


def list_all_projects() -> list[ProjectRow]:
    """Every project for the operator's command line (no actor: the operator runs it)."""
    counts = (
        sa.select(Enrolment.project_id, sa.func.count().label("n"))
        .group_by(Enrolment.project_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            FundedProject, Organisation.legal_name, Call.code, sa.func.coalesce(counts.c.n, 0)
        )
        .join(Organisation, Organisation.id == FundedProject.organisation_id)
        .join(Call, Call.id == FundedProject.call_id)
        .outerjoin(counts, counts.c.project_id == FundedProject.id)
        .order_by(FundedProject.reference)
    ).all()
    return [ProjectRow(p, org, code, n) for p, org, code, n in rows]


# ---------------------------------------------------------------- trainings

CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class TrainingInput:
    code: str
    title: str
    planned_mode: str


def list_trainings(project_id: int) -> list[tuple[ProjectTraining, int]]:
    """The project's trainings with the number of enrolments that use each code."""
    counts = (
        sa.select(Enrolment.training_code, sa.func.count().label("n"))
        .where(Enrolment.project_id == project_id)
        .group_by(Enrolment.training_code)
        .subquery()
    )
    return [
        tuple(r)
        for r in db.session.execute(
            sa.select(ProjectTraining, sa.func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.training_code == ProjectTraining.code)
            .where(ProjectTraining.project_id == project_id)
            .order_by(ProjectTraining.code)
        ).all()
    ]


def _training_errors(
    project_id: int, data: TrainingInput, training: ProjectTraining | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    code = data.code.strip()
    if not code:
        errors["code"] = _("Enter the training's code.")
    elif len(code) > 50 or not CODE_PATTERN.fullmatch(code):
        errors["code"] = _(
            "A code has at most 50 characters: letters, digits, '.', '-' "
            "or '_', starting with a letter or digit."
        )
    elif db.session.scalar(
        sa.select(ProjectTraining.id).where(
            ProjectTraining.project_id == project_id,
            ProjectTraining.code == code,
            ProjectTraining.id != (training.id if training else -1),
        )
    ):
        errors["code"] = _("This project already has a training with code %(code)s.", code=code)
    elif training is not None and code != training.code and _used(project_id, training.code):
        errors["code"] = _("Enrolments use this code; it can no longer change.")
    if not data.title.strip():
        errors["title"] = _("Enter the training's title.")
    elif len(data.title.strip()) > 250:
        errors["title"] = _("A title has at most 250 characters.")
    if data.planned_mode not in Mode.__members__:
        errors["planned_mode"] = _("Choose online, blended or physical.")
    return errors


def _used(project_id: int, code: str) -> bool:
    return (
        db.session.scalar(
            sa.select(Enrolment.id)
            .where(Enrolment.project_id == project_id, Enrolment.training_code == code)
            .limit(1)
        )
        is not None
    )


def _reportable(actor: User, project_id: int) -> FundedProject:
    project = get_project(actor, project_id)
    require(permissions.can_report(actor, project))
    return project


def add_training(actor: User, project_id: int, data: TrainingInput) -> ProjectTraining:
    with transaction():
        project = _reportable(actor, project_id)
        if errors := _training_errors(project.id, data, None):
            raise ValidationFailed(errors)
        training = ProjectTraining(
            project_id=project.id,
            code=data.code.strip(),
            title=data.title.strip(),
            planned_mode=Mode(data.planned_mode),
        )
        db.session.add(training)
        audit.record(
            actor,
            "training.added",
            training,
            after={
                "project": project.reference,
                "code": training.code,
                "title": training.title,
                "planned_mode": training.planned_mode,
            },
        )
    return training


def _training(project_id: int, training_id: int) -> ProjectTraining:
    training = db.session.get(ProjectTraining, training_id)
    if training is None or training.project_id != project_id:
        raise NotFound()
    return training


def get_training(actor: User, project_id: int, training_id: int) -> ProjectTraining:
    _reportable(actor, project_id)
    return _training(project_id, training_id)


def update_training(
    actor: User, project_id: int, training_id: int, data: TrainingInput
) -> ProjectTraining:
    with transaction():
        project = _reportable(actor, project_id)
        training = _training(project.id, training_id)
        if errors := _training_errors(project.id, data, training):
            raise ValidationFailed(errors)
        before = {
            "code": training.code,
            "title": training.title,
            "planned_mode": training.planned_mode,
        }
        training.code, training.title = data.code.strip(), data.title.strip()
        training.planned_mode = Mode(data.planned_mode)
        after = {
            "code": training.code,
            "title": training.title,
            "planned_mode": training.planned_mode,
        }
        if after != before:
            audit.record(actor, "training.changed", training, before=before, after=after)
    return training


def remove_training(actor: User, project_id: int, training_id: int) -> None:
    """Remove a training no enrolment uses (one that is used stays: reports name it)."""
    with transaction():
        project = _reportable(actor, project_id)
        training = _training(project.id, training_id)
        if _used(project.id, training.code):
            raise DomainError(
                _("Enrolments use training %(code)s, so it cannot be removed.", code=training.code)
            )
        audit.record(
            actor,
            "training.removed",
            training,
            before={"project": project.reference, "code": training.code, "title": training.title},
        )
        db.session.delete(training)


# ---------------------------------------------------------------- imports


def max_upload_bytes() -> int:
    return int(current_app.config.get("MONITORING_MAX_UPLOAD_BYTES", 30 * 1024 * 1024))


def today() -> date:
    return utcnow().astimezone(BRUSSELS).date()


def queue_import(
    actor: User | None,
    project_id: int,
    filename: str,
    stream: BinaryIO,
    *,
    as_of: date | None = None,
    enqueue: bool = True,
) -> EnrolmentImport:
    """Store an enrolment file and queue its import as a background job.

    ``as_of`` is the import day (the default ``status_on``), today in Brussels unless
    given. The file must be CSV or XLSX; its content is checked by the job. With
    ``enqueue=False`` the caller runs ``imports.run_import`` itself (the command line)."""
    project = (
        _reportable(actor, project_id)
        if actor is not None
        else db.session.get(FundedProject, project_id)
    )
    if project is None:
        raise NotFound()
    name = (filename or "").strip().replace("\\", "/").rsplit("/", 1)[-1][:255]
    if imports.kind_of(name) is None:
        raise ValidationFailed({"file": _("Choose a CSV or XLSX file.")})

    def accept(_path: object, size: int) -> None:
        if size == 0:
            raise files.FileRefused("empty")

    try:
        stored = files.store(stream, max_upload_bytes(), accept=accept)
    except files.FileTooLarge:
        raise ValidationFailed(
            {
                "file": _(
                    "The file is too large: at most %(size)d MB.",
                    size=max_upload_bytes() // (1024 * 1024),
                )
            }
        ) from None
    except files.FileRefused:
        raise ValidationFailed({"file": _("The file is empty.")}) from None
    with transaction():
        batch = EnrolmentImport(
            project_id=project.id,
            filename=name,
            sha256=stored.sha256,
            imported_on=as_of or today(),
            status=ImportStatus.queued,
            errors=[],
            created_by_id=getattr(actor, "id", None),
        )
        db.session.add(batch)
        audit.record(
            actor,
            "enrolment_import.queued",
            batch,
            after={
                "project": project.reference,
                "filename": name,
                "sha256": stored.sha256,
                "imported_on": batch.imported_on,
            },
        )
    if enqueue:
        imports.import_job(batch.id)
    return batch


def get_import(actor: User, project_id: int, import_id: int) -> EnrolmentImport:
    project = get_project(actor, project_id)
    batch = db.session.get(EnrolmentImport, import_id)
    if batch is None or batch.project_id != project.id:
        raise NotFound()
    return batch


def list_imports(
    project_id: int, *, page: int = 1, per_page: int = IMPORTS_PER_PAGE
) -> tuple[list[EnrolmentImport], int]:
    query = sa.select(EnrolmentImport).where(EnrolmentImport.project_id == project_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.options(defer(EnrolmentImport.errors))
        .order_by(EnrolmentImport.id.desc())
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    )
    return list(rows), total or 0
