"""The participants' profiles (each profile question, with "did not answer") and the ESF+
common output indicators, per project and for the whole scope, read in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from app.auth.models import User
from app.core.db import db
from app.core.permissions import require
from app.core.time import utcnow
from app.monitoring.models import Enrolment, FundedProject
from app.monitoring.report_definitions import (
    DIMENSIONS,
    ESF_BANDS,
    FLEMISH_BANDS,
    UNKNOWN,
    InvalidReportArgs,
    Scope,
    Share,
    can_view_reports,
    check_period,
    period_text,
    source_text,
)

# ---------------------------------------------------------------------------- (e) profiles


def _band(bands: Sequence[Any]) -> sa.ColumnElement[Any]:
    whens = []
    for code, low, high in bands:
        if low is None:
            whens.append((Enrolment.age_at_start <= high, code))
        elif high is None:
            whens.append((Enrolment.age_at_start >= low, code))
        else:
            whens.append((Enrolment.age_at_start.between(low, high), code))
    return sa.case(*whens, else_=UNKNOWN)


def _dimension_columns() -> dict[str, Any]:
    return {
        "education": Enrolment.education,
        "age_flemish": _band(FLEMISH_BANDS),
        "age_esf": _band(ESF_BANDS),
        "gender": Enrolment.gender,
        "disability": Enrolment.disability,
        "migration_background": Enrolment.migration_background,
        "labour_status": Enrolment.labour_status,
    }


def _breakdown_rows(where: list[Any], *, by_project: bool) -> Sequence[sa.Row[Any]]:
    """One statement: a UNION ALL of one GROUP BY per dimension (bounded rows)."""
    selects = []
    for name, column in _dimension_columns().items():
        value = sa.cast(column, sa.String(40)).label("value")
        columns: list[Any] = [
            sa.literal(name, sa.String(40)).label("dimension"),
            value,
            sa.func.count().label("n"),
        ]
        group: list[Any] = [column]
        if by_project:
            columns.insert(0, Enrolment.project_id.label("project_id"))
            group.insert(0, Enrolment.project_id)
        selects.append(sa.select(*columns).where(*where).group_by(*group))
    return db.session.execute(sa.union_all(*selects)).all()


@dataclass(frozen=True)
class Breakdown:
    dimension: str
    counts: dict[str, int]  # every value of DIMENSIONS[dimension] plus "unknown"
    total: int

    def shares(self) -> tuple[Share, ...]:
        return tuple(
            Share(key, self.counts[key], self.total)
            for key in (*DIMENSIONS[self.dimension], UNKNOWN)
        )


@dataclass(frozen=True)
class Profile:
    start: date
    end: date
    day: date
    total: int
    breakdowns: dict[str, Breakdown]
    as_of: datetime
    source: str


def _fill(dimension: str, found: dict[str, int]) -> Breakdown:
    counts = {key: found.get(key, 0) for key in DIMENSIONS[dimension]}
    counts[UNKNOWN] = sum(n for key, n in found.items() if key not in counts)  # unknown, ''
    return Breakdown(dimension, counts, sum(counts.values()))


def _participants_where(start: date, end: date, day: date, scope: Scope) -> list[Any]:
    return [
        Enrolment.started_on >= start,
        Enrolment.started_on <= min(end, day),
        *scope.conditions(),
    ]


def profile(
    actor: User,
    start: date,
    end: date,
    day: date | None = None,
    *,
    scope: Scope | None = None,
    as_of: datetime | None = None,
) -> Profile:
    """Participants (enrolments started in [start, end] by ``day``) by each profile
    question, with "did not answer": one query. An end before the start is an empty
    period (every count 0)."""
    require(can_view_reports(actor))
    scope = scope or Scope()
    day = day or end
    found: dict[str, dict[str, int]] = {name: {} for name in DIMENSIONS}
    for dimension, value, n in _breakdown_rows(
        _participants_where(start, end, day, scope), by_project=False
    ):
        key = value or UNKNOWN
        found[dimension][key] = found[dimension].get(key, 0) + n
    breakdowns = {name: _fill(name, found[name]) for name in DIMENSIONS}
    return Profile(
        start=start,
        end=end,
        day=day,
        total=breakdowns["education"].total,
        breakdowns=breakdowns,
        as_of=as_of or utcnow(),
        source=source_text(
            "enrolments",
            period_text(start, min(end, day)),
            scope.describe(),
            _("the newest reported answers; age = started_year - birth_year"),
        ),
    )


# (indicator code, dimension, our values counted); "did not answer" is the dimension's unknown.
ESF_INDICATORS = (
    ("women", "gender", ("f",)),
    ("men", "gender", ("m",)),
    ("non_binary", "gender", ("x",)),
    ("unemployed", "labour_status", ("jobseeker_activation",)),
    ("inactive", "labour_status", ("inactive",)),
    ("employed", "labour_status", ("employed", "temporarily_unemployed")),
    ("below_18", "age_esf", ("under_18",)),
    ("age_18_29", "age_esf", ("18_29",)),
    ("age_55_plus", "age_esf", ("55_plus",)),
    ("isced_0_2", "education", ("low",)),
    ("isced_3_4", "education", ("middle",)),
    ("isced_5_8", "education", ("high",)),
    ("disabilities", "disability", ("yes",)),
    ("foreign_background", "migration_background", ("yes",)),
)


@dataclass(frozen=True)
class IndicatorValue:
    code: str
    count: int
    not_answered: int  # participants who did not answer the question behind it


@dataclass(frozen=True)
class EsfIndicators:
    key: str  # a project reference, or "" for the whole scope
    title: str
    total: int
    values: tuple[IndicatorValue, ...]
    answers: dict[str, dict[str, int]]  # every answer to each question, with "unknown"


@dataclass(frozen=True)
class EsfReport:
    start: date
    end: date
    day: date
    overall: EsfIndicators
    projects: tuple[EsfIndicators, ...]
    as_of: datetime
    source: str


def _indicators(key: str, title: str, found: dict[str, dict[str, int]]) -> EsfIndicators:
    breakdowns = {name: _fill(name, found.get(name, {})) for name in DIMENSIONS}
    values = tuple(
        IndicatorValue(
            code, sum(breakdowns[dim].counts[v] for v in ours), breakdowns[dim].counts[UNKNOWN]
        )
        for code, dim, ours in ESF_INDICATORS
    )
    return EsfIndicators(
        key,
        title,
        breakdowns["education"].total,
        values,
        {name: dict(b.counts) for name, b in breakdowns.items()},
    )


def esf_indicators(
    actor: User,
    start: date,
    end: date,
    day: date | None = None,
    *,
    scope: Scope | None = None,
    as_of: datetime | None = None,
) -> EsfReport:
    """The ESF+ common output indicators per project and for the whole scope: two queries
    (the grouped counts per project, and the projects' references)."""
    require(can_view_reports(actor))
    errors: dict[str, str] = {}
    check_period(start, end, errors)
    if errors:
        raise InvalidReportArgs(errors)
    scope = scope or Scope()
    day = day or end
    per_project: dict[int, dict[str, dict[str, int]]] = {}
    overall: dict[str, dict[str, int]] = {}
    for project_id, dimension, value, n in _breakdown_rows(
        _participants_where(start, end, day, scope), by_project=True
    ):
        key = value or UNKNOWN
        bucket = per_project.setdefault(project_id, {}).setdefault(dimension, {})
        bucket[key] = bucket.get(key, 0) + n
        total = overall.setdefault(dimension, {})
        total[key] = total.get(key, 0) + n
    names = (
        dict(
            db.session.execute(
                sa.select(FundedProject.id, FundedProject.reference).where(
                    FundedProject.id.in_(list(per_project))
                )
            )
            .tuples()
            .all()
        )
        if per_project
        else {}
    )
    projects = sorted(
        (_indicators(names[pid], names[pid], found) for pid, found in per_project.items()),
        key=lambda item: item.key,
    )
    return EsfReport(
        start=start,
        end=end,
        day=day,
        overall=_indicators("", scope.describe(), overall),
        projects=tuple(projects),
        as_of=as_of or utcnow(),
        source=source_text(
            "enrolments",
            period_text(start, min(end, day)),
            scope.describe(),
            _("counted per project and answer; the mapping under the table"),
        ),
    )
