"""Funded projects, their trainings, enrolment records with their status history, and imports.

Learners are pseudonymous: an enrolment carries the provider's own ``enrolment_id`` and the
profile columns the reports need, never a name, an email or a national number.
"""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Model, str_enum
from app.core.time import utcnow


class Mode(StrEnum):
    """Type of hours: ``online`` home learning only, ``physical`` contact hours only,
    ``blended`` both."""

    online = "online"
    blended = "blended"
    physical = "physical"

    @property
    def label(self):
        return {"online": _l("Online"), "blended": _l("Blended"), "physical": _l("Physical")}[
            self.value
        ]


class EnrolmentStatus(StrEnum):
    enrolled = "enrolled"
    active = "active"
    completed = "completed"
    dropped = "dropped"

    @property
    def label(self):
        return {
            "enrolled": _l("Enrolled"),
            "active": _l("Active"),
            "completed": _l("Completed"),
            "dropped": _l("Dropped out"),
        }[self.value]


class Channel(StrEnum):
    own = "own"
    partner = "partner"

    @property
    def label(self):
        return {"own": _l("Provider's own platform"), "partner": _l("Partner platform")}[self.value]


class Education(StrEnum):
    low = "low"
    middle = "middle"
    high = "high"
    unknown = "unknown"


class Gender(StrEnum):
    f = "f"
    m = "m"
    x = "x"
    unknown = "unknown"


class Answer(StrEnum):
    """Yes/no questions (disability, migration background) with 'did not answer'."""

    yes = "yes"
    no = "no"
    unknown = "unknown"


class LabourStatus(StrEnum):
    jobseeker_activation = "jobseeker_activation"
    temporarily_unemployed = "temporarily_unemployed"
    inactive = "inactive"
    employed = "employed"
    unknown = "unknown"


class ProjectStatus(StrEnum):
    active = "active"
    ended = "ended"  # no longer funded by a later decision record

    @property
    def label(self):
        return {"active": _l("Active"), "ended": _l("Ended")}[self.value]


class FundedProject(Model):
    """A proposal funded by a published decision; its reference is the proposal's."""

    __tablename__ = "funded_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), unique=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    decision_record_id: Mapped[int] = mapped_column(sa.ForeignKey("decision_records.id"))
    title: Mapped[str] = mapped_column(sa.String(250), default="")
    status: Mapped[ProjectStatus] = mapped_column(
        str_enum(ProjectStatus), default=ProjectStatus.active
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    trainings: Mapped[list["ProjectTraining"]] = relationship(
        back_populates="project", order_by="ProjectTraining.code"
    )


class ProjectTraining(Model):
    """A training a project delivers: its code in the enrolment files, a title, a planned mode."""

    __tablename__ = "project_trainings"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "code", name="uq_project_trainings_project_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("funded_projects.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(50))
    title: Mapped[str] = mapped_column(sa.String(250))
    planned_mode: Mapped[Mode] = mapped_column(str_enum(Mode))

    project: Mapped[FundedProject] = relationship(back_populates="trainings")


class ImportStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    refused = "refused"  # the file had errors: nothing changed
    failed = "failed"  # an unexpected fault: nothing changed


class EnrolmentImport(Model):
    """One uploaded enrolment file and what became of it (also the progress of its job)."""

    __tablename__ = "enrolment_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("funded_projects.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    imported_on: Mapped[date]  # the default status_on of the file's rows
    status: Mapped[ImportStatus] = mapped_column(
        str_enum(ImportStatus), default=ImportStatus.queued
    )
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    unchanged_count: Mapped[int] = mapped_column(default=0)
    late_count: Mapped[int] = mapped_column(default=0)
    # [{"line": 3, "column": "mode", "code": "choice", "value": "..."}]; rendered translated.
    errors: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    # every error is counted; ``errors`` keeps the first MAX_STORED_ERRORS of them
    error_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    project: Mapped[FundedProject] = relationship()


class Enrolment(Model):
    """One learner's enrolment in one training of a project (the newest values reported).

    ``started_year``/``started_month`` and ``age_at_start`` are derived on import so reports
    group on indexed integers the same way on SQLite and PostgreSQL.
    """

    __tablename__ = "enrolments"
    __table_args__ = (
        sa.UniqueConstraint(
            "project_id", "enrolment_id", name="uq_enrolments_project_enrolment_id"
        ),
        sa.Index("ix_enrolments_started", "started_year", "started_month", "mode"),
        sa.Index("ix_enrolments_project_started", "project_id", "started_on"),
        sa.Index("ix_enrolments_started_on", "started_on"),
        # covering indexes of the monitoring reports (year over year; modes and channels)
        sa.Index(
            "ix_enrolments_yoy", "started_year", "started_month", "mode", "late", "project_id"
        ),
        sa.Index("ix_enrolments_period_mode", "started_on", "mode", "channel", "project_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("funded_projects.id"))
    enrolment_id: Mapped[str] = mapped_column(sa.String(64))
    training_code: Mapped[str] = mapped_column(sa.String(50))
    started_on: Mapped[date]
    started_year: Mapped[int]
    started_month: Mapped[int]
    mode: Mapped[Mode] = mapped_column(str_enum(Mode))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    education: Mapped[Education] = mapped_column(str_enum(Education))
    birth_year: Mapped[int | None]
    age_at_start: Mapped[int | None]  # started_year - birth_year (birth year only is known)
    gender: Mapped[Gender] = mapped_column(str_enum(Gender))
    disability: Mapped[Answer] = mapped_column(str_enum(Answer))
    migration_background: Mapped[Answer] = mapped_column(str_enum(Answer))
    labour_status: Mapped[LabourStatus] = mapped_column(str_enum(LabourStatus))
    status: Mapped[EnrolmentStatus] = mapped_column(str_enum(EnrolmentStatus))  # newest
    status_on: Mapped[date]  # newest status took effect on
    late: Mapped[bool] = mapped_column(default=False)  # arrived after its month was reported
    first_import_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolment_imports.id"))
    first_reported_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class EnrolmentStatusChange(Model):
    """The status history: each row holds from ``status_on`` until the next row's day.

    ``until_on`` is the day the next status took effect (exclusive), NULL while current, so a
    report "as of day D" reads ``status_on <= D AND (until_on IS NULL OR until_on > D)``.
    """

    __tablename__ = "enrolment_status_changes"
    __table_args__ = (
        sa.UniqueConstraint(
            "enrolment_pk", "status_on", name="uq_enrolment_status_changes_enrolment_day"
        ),
        sa.Index("ix_enrolment_status_changes_period", "status_on", "until_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_pk: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id"))
    status: Mapped[EnrolmentStatus] = mapped_column(str_enum(EnrolmentStatus))
    status_on: Mapped[date]
    until_on: Mapped[date | None]
    import_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolment_imports.id"))


class ReportedMonth(Model):
    """The first import that reported enrolments started in a month, per project; a new
    enrolment of that month in a later import is a late registration."""

    __tablename__ = "reported_months"

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("funded_projects.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[int] = mapped_column(primary_key=True)
    first_import_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolment_imports.id"))
    first_reported_at: Mapped[datetime]
