"""What the monitoring reports count and for whom: the vocabulary of the enrolment records,
the arithmetic of changes and shares, who may read the reports, and their scope (all funded
projects, one call's or one project). The reports themselves are computed in
``app.monitoring.reports`` (the enrolment counts) and ``app.monitoring.report_profiles``
(the participants' profiles and the ESF+ indicators).

Every report runs a fixed number of ``GROUP BY`` queries whatever the number of enrolments
and returns frozen dataclasses that carry the moment they were computed (``as_of``) and a
``source`` sentence naming the table and the filters (``source_text``), so each figure can be
quoted with its origin. Nothing loads enrolment rows into Python: only grouped counts come back.

Arithmetic: a change in percent is ``(new - old) / old * 100`` against the earlier figure,
rounded half up to one decimal, ``None`` ("n/a") when the earlier figure is 0. A share is
``part / whole * 100`` with the same rounding, ``None`` when the whole is 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from app.auth.models import User
from app.calls.models import Call
from app.core.db import db
from app.core.errors import NotFound
from app.core.permissions import Role, has_role, require
from app.monitoring.models import Enrolment, FundedProject

MODES = ("online", "blended", "physical")
STATUSES = ("enrolled", "active", "completed", "dropped")
CHANNELS = ("own", "partner")
NOT_REPORTED = "not_reported"  # no status had taken effect yet on the day
UNKNOWN = "unknown"  # "did not answer"

EDUCATION = ("low", "middle", "high")
GENDERS = ("f", "m", "x")
ANSWERS = ("yes", "no")
LABOUR = ("jobseeker_activation", "temporarily_unemployed", "inactive", "employed")
# Flemish bands as parliament asks them ("under 25, 25-58, 58+"): 58 itself is in 58+,
# so "25-58" holds ages 25 to 57. ESF+ bands of Annex I: under 18, 18-29, 30-54, 55+.
FLEMISH_BANDS = (("under_25", None, 24), ("25_58", 25, 57), ("58_plus", 58, None))
ESF_BANDS = (("under_18", None, 17), ("18_29", 18, 29), ("30_54", 30, 54), ("55_plus", 55, None))
# How many months before the report day may still change through late registrations.
RECENT_MONTHS = 3
TRAININGS_PER_PAGE = 50

DIMENSIONS = {
    "education": EDUCATION,
    "age_flemish": tuple(code for code, _lo, _hi in FLEMISH_BANDS),
    "age_esf": tuple(code for code, _lo, _hi in ESF_BANDS),
    "gender": GENDERS,
    "disability": ANSWERS,
    "migration_background": ANSWERS,
    "labour_status": LABOUR,
}

_ONE_DECIMAL = Decimal("0.1")


def can_view_reports(user: object) -> bool:
    """Monitoring reports are for officials only (members, evaluators, admins: no)."""
    return has_role(user, Role.official)


def change_pct(old: int, new: int) -> Decimal | None:
    """(new - old) / old * 100, one decimal, half up; None on a zero base."""
    if not old:
        return None
    return (Decimal(new - old) * 100 / Decimal(old)).quantize(_ONE_DECIMAL, ROUND_HALF_UP)


def share_pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_ONE_DECIMAL, ROUND_HALF_UP)


class InvalidReportArgs(Exception):
    """A report argument out of range; ``errors`` maps the field to a message code."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors

    def messages(self) -> dict[str, str]:
        """Each field's message in the reader's language (for the page's form and the API)."""
        texts = {
            "year_range": _("Enter a year from 2000 to 2100, like 2026."),
            "same_year": _("Choose a base year other than the year."),
            "month_range": _("Choose months from 1 to 12."),
            "period_order": _("The end must be on or after the start."),
        }
        return {field: texts.get(code, code) for field, code in self.errors.items()}


@dataclass(frozen=True)
class Scope:
    """Which projects a report covers: all, one call's or one project."""

    call: Call | None = None
    project: FundedProject | None = None

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        found: list[sa.ColumnElement[bool]] = []
        if self.project is not None:
            found.append(Enrolment.project_id == self.project.id)
        elif self.call is not None:
            found.append(
                Enrolment.project_id.in_(
                    sa.select(FundedProject.id)
                    .where(FundedProject.call_id == self.call.id)
                    .scalar_subquery()
                )
            )
        return found

    def describe(self) -> str:
        if self.project is not None:
            return _("project %(reference)s", reference=self.project.reference)
        if self.call is not None:
            return _("call %(code)s", code=self.call.code)
        return _("all funded projects")


def scope_for(
    actor: User, *, call_code: str | None = None, project_reference: str | None = None
) -> Scope:
    """The scope named by a call code and/or a project reference (NotFound if unknown)."""
    require(can_view_reports(actor))
    call = project = None
    if call_code:
        call = db.session.scalar(sa.select(Call).where(Call.code == call_code.strip().upper()))
        if call is None:
            raise NotFound()
    if project_reference:
        project = db.session.scalar(
            sa.select(FundedProject).where(FundedProject.reference == project_reference.strip())
        )
        if project is None or (call is not None and project.call_id != call.id):
            raise NotFound()
    return Scope(call=call, project=project)


def report_choices(actor: User) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """Calls with funded projects, and the funded projects (reference, title, call code),
    for the form's selectors: two queries."""
    require(can_view_reports(actor))
    calls = db.session.execute(
        sa.select(Call.code, Call.title)
        .where(Call.id.in_(sa.select(FundedProject.call_id).scalar_subquery()))
        .order_by(Call.code)
    ).all()
    projects = db.session.execute(
        sa.select(FundedProject.reference, FundedProject.title, Call.code)
        .join(Call, Call.id == FundedProject.call_id)
        .order_by(FundedProject.reference)
    ).all()
    return [tuple(row) for row in calls], [tuple(row) for row in projects]


def source_text(table: str, *parts: str) -> str:
    """Which table and which filters: table and column names as in the database."""
    return _("table %(table)s", table=table) + "; " + "; ".join(part for part in parts if part)


def period_text(start: date, end: date) -> str:
    return _("started_on %(start)s to %(end)s", start=start.isoformat(), end=end.isoformat())


@dataclass(frozen=True)
class Share:
    key: str
    count: int
    total: int

    @property
    def pct(self) -> Decimal | None:
        return share_pct(self.count, self.total)


def check_period(start: date, end: date, errors: dict[str, str]) -> None:
    if end < start:
        errors["end"] = "period_order"
