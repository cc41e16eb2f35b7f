"""Monitoring reports for officials: aggregates of the enrolment records, read in SQL.

Every report runs a fixed number of ``GROUP BY`` queries whatever the number of enrolments
and returns frozen dataclasses that carry the moment they were computed (``as_of``) and a
``source`` sentence naming the table and the filters, so each figure can be quoted with its
origin. Nothing here loads enrolment rows into Python: only grouped counts come back.

Arithmetic: a change in percent is ``(new - old) / old * 100`` against the earlier figure,
rounded half up to one decimal, ``None`` ("n/a") when the earlier figure is 0. A share is
``part / whole * 100`` with the same rounding, ``None`` when the whole is 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from app.calls.models import Call
from app.core.db import db
from app.core.errors import NotFound
from app.core.permissions import Role, has_role, require
from app.core.time import to_brussels, utcnow
from app.monitoring.models import (
    Enrolment,
    EnrolmentStatusChange,
    FundedProject,
    ProjectTraining,
)

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


# ---------------------------------------------------------------------------- rules


def can_view_reports(user) -> bool:
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


# ---------------------------------------------------------------------------- scope


@dataclass(frozen=True)
class Scope:
    """Which projects a report covers: all, one call's or one project."""

    call: Call | None = None
    project: FundedProject | None = None

    def conditions(self) -> list:
        found = []
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
    actor, *, call_code: str | None = None, project_reference: str | None = None
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


def report_choices(actor) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
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


def _source(table: str, *parts: str) -> str:
    """Which table and which filters: table and column names as in the database."""
    return _("table %(table)s", table=table) + "; " + "; ".join(part for part in parts if part)


def _period_text(start: date, end: date) -> str:
    return _("started_on %(start)s to %(end)s", start=start.isoformat(), end=end.isoformat())


# ---------------------------------------------------------------------------- (a) year over year


@dataclass(frozen=True)
class YoyCell:
    month: int  # 1-12; 0 in the totals over the months
    mode: str  # online, blended, physical or total
    base_count: int
    count: int

    @property
    def change_pct(self) -> Decimal | None:
        return change_pct(self.base_count, self.count)


@dataclass(frozen=True)
class YearOverYear:
    year: int
    base: int
    months: tuple[int, ...]
    cells: tuple[YoyCell, ...]  # per month and mode (with "total"), then month 0
    late_count: int  # late registrations among the counted enrolments (both years)
    recent_from: tuple[int, int] | None  # (year, month) from which figures may still change
    as_of: datetime
    source: str
    scope: Scope = field(default_factory=Scope)

    def cell(self, month: int, mode: str) -> YoyCell:
        return self._index[(month, mode)]

    @property
    def _index(self) -> dict[tuple[int, str], YoyCell]:
        return {(c.month, c.mode): c for c in self.cells}

    @property
    def may_change(self) -> bool:
        return self.recent_from is not None or self.late_count > 0


def _check_year(name: str, value: int, errors: dict[str, str]) -> None:
    if not 2000 <= value <= 2100:
        errors[name] = "year_range"


def year_over_year(
    actor,
    year: int,
    base: int,
    *,
    months: tuple[int, ...] | None = None,
    scope: Scope | None = None,
    as_of: datetime | None = None,
) -> YearOverYear:
    """Started enrolments per month and mode for ``year`` against ``base``: one query."""
    require(can_view_reports(actor))
    errors: dict[str, str] = {}
    _check_year("year", year, errors)
    _check_year("base", base, errors)
    months = tuple(sorted(set(months))) if months else tuple(range(1, 13))
    if any(not 1 <= m <= 12 for m in months):
        errors["months"] = "month_range"
    if errors:
        raise InvalidReportArgs(errors)
    scope = scope or Scope()
    as_of = as_of or utcnow()
    conditions = [
        Enrolment.started_year.in_((year, base)),
        Enrolment.started_month.in_(months),
        *scope.conditions(),
    ]
    rows = db.session.execute(
        sa.select(
            Enrolment.started_year,
            Enrolment.started_month,
            Enrolment.mode,
            sa.func.count(),
            sa.func.sum(sa.case((Enrolment.late, 1), else_=0)),
        )
        .where(*conditions)
        .group_by(Enrolment.started_year, Enrolment.started_month, Enrolment.mode)
    ).all()
    counts: dict[tuple[int, int, str], int] = {}
    late = 0
    for y, m, mode, n, n_late in rows:
        counts[(y, m, str(mode))] = n
        late += int(n_late or 0)

    def get(y: int, m: int, mode: str) -> int:
        if mode == "total":
            return sum(counts.get((y, m, each), 0) for each in MODES)
        return counts.get((y, m, mode), 0)

    cells = []
    for m in months:
        for mode in (*MODES, "total"):
            cells.append(YoyCell(m, mode, get(base, m, mode), get(year, m, mode)))
    for mode in (*MODES, "total"):
        cells.append(
            YoyCell(
                0,
                mode,
                sum(get(base, m, mode) for m in months),
                sum(get(year, m, mode) for m in months),
            )
        )
    today = to_brussels(as_of).date()
    first_recent = _months_back(today.year, today.month, RECENT_MONTHS - 1)
    recent = [
        (y, m)
        for y in (base, year)
        for m in months
        if (y, m) >= first_recent and (y, m) <= (today.year, today.month)
    ]
    month_text = (
        ""
        if len(months) == 12
        else _("started_month %(months)s", months=", ".join(map(str, months)))
    )
    return YearOverYear(
        year=year,
        base=base,
        months=months,
        cells=tuple(cells),
        late_count=late,
        recent_from=min(recent) if recent else None,
        as_of=as_of,
        scope=scope,
        source=_source(
            "enrolments",
            _("started_year %(base)s and %(year)s", base=base, year=year),
            month_text,
            scope.describe(),
            _("counted per started_month and mode"),
        ),
    )


def _months_back(year: int, month: int, back: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) - back
    return index // 12, index % 12 + 1


# ---------------------------------------------------------------------------- (b) status shares


@dataclass(frozen=True)
class Share:
    key: str
    count: int
    total: int

    @property
    def pct(self) -> Decimal | None:
        return share_pct(self.count, self.total)


@dataclass(frozen=True)
class StatusShares:
    day: date
    start: date
    end: date
    shares: tuple[Share, ...]  # STATUSES, then not_reported
    total: int
    as_of: datetime
    source: str

    def get(self, key: str) -> Share:
        return next(s for s in self.shares if s.key == key)


def _check_period(start: date, end: date, errors: dict[str, str]) -> None:
    if end < start:
        errors["end"] = "period_order"


def status_shares(
    actor,
    start: date,
    end: date,
    day: date,
    *,
    scope: Scope | None = None,
    as_of: datetime | None = None,
) -> StatusShares:
    """Enrolments started in [start, end] and by ``day``, by their status on ``day`` (the
    status interval holding that day): one query."""
    require(can_view_reports(actor))
    errors: dict[str, str] = {}
    _check_period(start, end, errors)
    if errors:
        raise InvalidReportArgs(errors)
    scope = scope or Scope()
    change = EnrolmentStatusChange
    holding = sa.and_(
        change.enrolment_pk == Enrolment.id,
        change.status_on <= day,
        sa.or_(change.until_on.is_(None), change.until_on > day),
    )
    rows = db.session.execute(
        sa.select(change.status, sa.func.count(Enrolment.id))
        .select_from(Enrolment)
        .outerjoin(change, holding)
        .where(
            Enrolment.started_on >= start,
            Enrolment.started_on <= min(end, day),
            *scope.conditions(),
        )
        .group_by(change.status)
    ).all()
    counts = {(str(status) if status is not None else NOT_REPORTED): n for status, n in rows}
    total = sum(counts.values())
    shares = tuple(Share(key, counts.get(key, 0), total) for key in (*STATUSES, NOT_REPORTED))
    return StatusShares(
        day=day,
        start=start,
        end=end,
        shares=shares,
        total=total,
        as_of=as_of or utcnow(),
        source=_source(
            "enrolments, enrolment_status_changes",
            _period_text(start, min(end, day)),
            _("the status in force on %(day)s (status_on <= day < until_on)", day=day.isoformat()),
            scope.describe(),
        ),
    )


# ---------------------------------------------------------------------------- (c) modes, channels


@dataclass(frozen=True)
class ModeChannel:
    start: date
    end: date
    counts: dict[tuple[str, str], int]  # (mode, channel) -> enrolments
    base_start: date | None
    base_end: date | None
    base_counts: dict[tuple[str, str], int]
    as_of: datetime
    source: str

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def base_total(self) -> int:
        return sum(self.base_counts.values())

    def mode(self, mode: str, base: bool = False) -> int:
        counts = self.base_counts if base else self.counts
        return sum(n for (m, _c), n in counts.items() if m == mode)

    def channel(self, channel: str, base: bool = False) -> int:
        counts = self.base_counts if base else self.counts
        return sum(n for (_m, c), n in counts.items() if c == channel)

    def mode_shares(self) -> tuple[Share, ...]:
        return tuple(Share(m, self.mode(m), self.total) for m in MODES)

    def channel_shares(self) -> tuple[Share, ...]:
        return tuple(Share(c, self.channel(c), self.total) for c in CHANNELS)


def mode_channel(
    actor,
    start: date,
    end: date,
    *,
    base_start: date | None = None,
    base_end: date | None = None,
    scope: Scope | None = None,
    as_of: datetime | None = None,
) -> ModeChannel:
    """Enrolments started in the period (and the base period) by mode and channel: one
    query."""
    require(can_view_reports(actor))
    errors: dict[str, str] = {}
    _check_period(start, end, errors)
    if base_start is not None and base_end is not None and base_end < base_start:
        errors["base_end"] = "period_order"
    if errors:
        raise InvalidReportArgs(errors)
    scope = scope or Scope()
    in_period = sa.and_(Enrolment.started_on >= start, Enrolment.started_on <= end)
    has_base = base_start is not None and base_end is not None
    in_base = (
        sa.and_(Enrolment.started_on >= base_start, Enrolment.started_on <= base_end)
        if has_base
        else sa.false()
    )
    which = sa.case((in_period, 1), else_=0).label("which")
    rows = db.session.execute(
        sa.select(which, Enrolment.mode, Enrolment.channel, sa.func.count())
        .where(sa.or_(in_period, in_base), *scope.conditions())
        .group_by(which, Enrolment.mode, Enrolment.channel)
    ).all()
    counts: dict[tuple[str, str], int] = {}
    base_counts: dict[tuple[str, str], int] = {}
    for flag, mode, channel, n in rows:
        (counts if flag else base_counts)[(str(mode), str(channel))] = n
    if has_base and base_start <= end and start <= base_end:
        # overlapping periods: the CASE gives shared rows to the period; count the base apart
        base_counts = {}
        for mode, channel, n in db.session.execute(
            sa.select(Enrolment.mode, Enrolment.channel, sa.func.count())
            .where(in_base, *scope.conditions())
            .group_by(Enrolment.mode, Enrolment.channel)
        ).all():
            base_counts[(str(mode), str(channel))] = n
    base_text = _period_text(base_start, base_end) if has_base else ""
    return ModeChannel(
        start=start,
        end=end,
        counts=counts,
        base_start=base_start if has_base else None,
        base_end=base_end if has_base else None,
        base_counts=base_counts,
        as_of=as_of or utcnow(),
        source=_source(
            "enrolments",
            _period_text(start, end),
            _("base period: %(period)s", period=base_text) if base_text else "",
            scope.describe(),
            _("counted per mode and channel"),
        ),
    )


# ---------------------------------------------------------------------------- (d) trainings


@dataclass(frozen=True)
class TrainingRow:
    project: str
    code: str
    title: str  # empty when the project did not list the training
    participants: int


@dataclass(frozen=True)
class Trainings:
    start: date
    end: date
    rows: tuple[TrainingRow, ...]
    page: int
    per_page: int
    total_trainings: int
    total_participants: int
    as_of: datetime
    source: str

    @property
    def pages(self) -> int:
        return max(1, -(-self.total_trainings // self.per_page))


def trainings(
    actor,
    start: date,
    end: date,
    *,
    scope: Scope | None = None,
    page: int = 1,
    per_page: int = TRAININGS_PER_PAGE,
    as_of: datetime | None = None,
) -> Trainings:
    """Trainings followed in the period with their participants, most followed first, a
    page at a time: two queries (the page, and the totals)."""
    require(can_view_reports(actor))
    errors: dict[str, str] = {}
    _check_period(start, end, errors)
    if errors:
        raise InvalidReportArgs(errors)
    scope = scope or Scope()
    page = max(1, page)
    where = [Enrolment.started_on >= start, Enrolment.started_on <= end, *scope.conditions()]
    grouped = (
        sa.select(Enrolment.project_id, Enrolment.training_code, sa.func.count().label("n"))
        .where(*where)
        .group_by(Enrolment.project_id, Enrolment.training_code)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            FundedProject.reference,
            grouped.c.training_code,
            sa.func.coalesce(ProjectTraining.title, ""),
            grouped.c.n,
        )
        .select_from(grouped)
        .join(FundedProject, FundedProject.id == grouped.c.project_id)
        .outerjoin(
            ProjectTraining,
            sa.and_(
                ProjectTraining.project_id == grouped.c.project_id,
                ProjectTraining.code == grouped.c.training_code,
            ),
        )
        .order_by(grouped.c.n.desc(), FundedProject.reference, grouped.c.training_code)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    total_trainings, total_participants = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(grouped.c.n), 0)).select_from(
            grouped
        )
    ).one()
    return Trainings(
        start=start,
        end=end,
        rows=tuple(TrainingRow(*row) for row in rows),
        page=page,
        per_page=per_page,
        total_trainings=total_trainings,
        total_participants=int(total_participants),
        as_of=as_of or utcnow(),
        source=_source(
            "enrolments, project_trainings",
            _period_text(start, end),
            scope.describe(),
            _("counted per project and training_code"),
        ),
    )


# ---------------------------------------------------------------------------- (e) profiles


def _band(bands) -> sa.ColumnElement:
    whens = []
    for code, low, high in bands:
        if low is None:
            whens.append((Enrolment.age_at_start <= high, code))
        elif high is None:
            whens.append((Enrolment.age_at_start >= low, code))
        else:
            whens.append((Enrolment.age_at_start.between(low, high), code))
    return sa.case(*whens, else_=UNKNOWN)


def _dimension_columns() -> dict[str, sa.ColumnElement]:
    return {
        "education": Enrolment.education,
        "age_flemish": _band(FLEMISH_BANDS),
        "age_esf": _band(ESF_BANDS),
        "gender": Enrolment.gender,
        "disability": Enrolment.disability,
        "migration_background": Enrolment.migration_background,
        "labour_status": Enrolment.labour_status,
    }


def _breakdown_rows(where: list, *, by_project: bool) -> list:
    """One statement: a UNION ALL of one GROUP BY per dimension (bounded rows)."""
    selects = []
    for name, column in _dimension_columns().items():
        value = sa.cast(column, sa.String(40)).label("value")
        columns = [
            sa.literal(name, sa.String(40)).label("dimension"),
            value,
            sa.func.count().label("n"),
        ]
        group = [column]
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


def _participants_where(start: date, end: date, day: date, scope: Scope) -> list:
    return [
        Enrolment.started_on >= start,
        Enrolment.started_on <= min(end, day),
        *scope.conditions(),
    ]


def profile(
    actor,
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
        source=_source(
            "enrolments",
            _period_text(start, min(end, day)),
            scope.describe(),
            _("the newest reported answers; age = started_year - birth_year"),
        ),
    )


# ---------------------------------------------------------------------------- (f) ESF+

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
    actor,
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
    _check_period(start, end, errors)
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
            ).all()
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
        source=_source(
            "enrolments",
            _period_text(start, min(end, day)),
            scope.describe(),
            _("counted per project and answer; the mapping under the table"),
        ),
    )
