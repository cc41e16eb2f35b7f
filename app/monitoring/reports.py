"""Monitoring reports of the enrolments for officials, read in SQL: started enrolments per
month against a base year, the status shares on a day, modes and channels, and the trainings
followed. What they count, the arithmetic and the scope are in
``app.monitoring.report_definitions``; the participants' profiles and the ESF+ indicators in
``app.monitoring.report_profiles``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from app.auth.models import User
from app.core.db import db
from app.core.permissions import require
from app.core.time import to_brussels, utcnow
from app.monitoring.models import Enrolment, EnrolmentStatusChange, FundedProject, ProjectTraining
from app.monitoring.report_definitions import (
    CHANNELS,
    MODES,
    NOT_REPORTED,
    RECENT_MONTHS,
    STATUSES,
    TRAININGS_PER_PAGE,
    InvalidReportArgs,
    Scope,
    Share,
    can_view_reports,
    change_pct,
    check_period,
    period_text,
    source_text,
)

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
    actor: User,
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
        source=source_text(
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


def status_shares(
    actor: User,
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
    check_period(start, end, errors)
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
        source=source_text(
            "enrolments, enrolment_status_changes",
            period_text(start, min(end, day)),
            _("the status in force on %(day)s (status_on <= day < until_on)", day=day.isoformat()),
            scope.describe(),
        ),
    )


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
    actor: User,
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
    check_period(start, end, errors)
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
    if base_start is not None and base_end is not None and base_start <= end and start <= base_end:
        # overlapping periods: the CASE gives shared rows to the period; count the base apart
        base_counts = {}
        for mode, channel, n in db.session.execute(
            sa.select(Enrolment.mode, Enrolment.channel, sa.func.count())
            .where(in_base, *scope.conditions())
            .group_by(Enrolment.mode, Enrolment.channel)
        ).all():
            base_counts[(str(mode), str(channel))] = n
    base_text = (
        period_text(base_start, base_end) if base_start is not None and base_end is not None else ""
    )
    return ModeChannel(
        start=start,
        end=end,
        counts=counts,
        base_start=base_start if has_base else None,
        base_end=base_end if has_base else None,
        base_counts=base_counts,
        as_of=as_of or utcnow(),
        source=source_text(
            "enrolments",
            period_text(start, end),
            _("base period: %(period)s", period=base_text) if base_text else "",
            scope.describe(),
            _("counted per mode and channel"),
        ),
    )


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
    actor: User,
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
    check_period(start, end, errors)
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
        source=source_text(
            "enrolments, project_trainings",
            period_text(start, end),
            scope.describe(),
            _("counted per project and training_code"),
        ),
    )
