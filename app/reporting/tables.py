"""The figures as tables: one structure for the page, the PDF, CSV and XLSX.

Each table has typed columns (count, euro, percent, date, text) so every output formats the
same number its own way: the page and the PDF in the reader's language, the exports plainly
(``1234.56``, ``12.5``, ``n/a``) for further analysis.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from app.calls.models import ALL_PROJECT_TYPES
from app.core import formatting
from app.core.time import format_brussels
from app.organisations.models import ProviderType
from app.reporting.comparisons import Comparison
from app.reporting.labels import (
    evaluation_state_label,
    practice_label,
    project_type_label,
    provider_type_label,
    status_label,
    technology_label,
)
from app.reporting.statistics import PRACTICE, STATUSES, CallStatistics


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "count"  # count, eur, pct, date, text


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    values: tuple[Any, ...]
    total: bool = False  # a totals row, shown in bold


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]  # the first column holds the row labels
    rows: list[Row] = field(default_factory=list)
    note: str = ""
    money_rows: frozenset[str] = frozenset()  # rows whose figures are euro amounts


def figure_tables(
    stats: CallStatistics, comparison: Comparison | None = None, *, with_days: bool = True
) -> list[Table]:
    codes = stats.technologies
    count = stats.submitted_count
    tables = [
        Table(
            "status",
            _("Proposals by status"),
            [Column("status", _("Status"), "text"), Column("proposals", _("Proposals"))],
            [Row(s, status_label(s), (stats.by_status[s],)) for s in STATUSES],
            note=_("Each proposal counts once, whatever its number of versions."),
        ),
    ]
    if stats.evaluation:
        tables.append(
            Table(
                "evaluation",
                _("Proposals in the evaluation"),
                [Column("state", _("Status"), "text"), Column("proposals", _("Proposals"))],
                [
                    Row(state, evaluation_state_label(state), (count_,))
                    for state, count_ in stats.evaluation.items()
                ],
                note=_(
                    "Admissibility as decided by the moment; outcomes of the newest decision "
                    "published by then."
                ),
            )
        )

    technologies = Table(
        "technologies",
        _("Technologies of submitted proposals"),
        [
            Column("technology", _("Technology or method"), "text"),
            Column("declared", _("Declared")),
            Column("verified", _("Verified by an official")),
        ],
        [
            Row(
                code,
                technology_label(code),
                (stats.by_technology[code], stats.verified_by_technology[code]),
            )
            for code in codes
        ],
        note=_(
            "%(verified)s of %(count)s submitted proposals verified so far. A proposal "
            "with several technologies counts under each of them.",
            verified=stats.verified_count,
            count=count,
        ),
    )
    technologies.rows += [
        Row(
            "vr_or_ai",
            _("VR or AI (distinct proposals)"),
            (stats.vr_or_ai, stats.verified_vr_or_ai),
            total=True,
        ),
        Row(
            "vr_and_ai",
            _("Both VR and AI"),
            (stats.vr_and_ai, stats.verified_vr_and_ai),
            total=True,
        ),
    ]
    tables.append(technologies)

    providers = [p.value for p in ProviderType]
    for key, title, columns, label, per_technology, totals in (
        (
            "technology_by_project_type",
            _("Technology by project type"),
            ALL_PROJECT_TYPES,
            project_type_label,
            stats.technology_by_project_type,
            stats.by_project_type,
        ),
        (
            "technology_by_provider_type",
            _("Technology by provider type"),
            providers,
            provider_type_label,
            stats.technology_by_provider_type,
            stats.by_provider_type,
        ),
        (
            "technology_by_practice",
            _("Technology by practice orientation"),
            PRACTICE,
            practice_label,
            stats.technology_by_practice,
            stats.by_practice,
        ),
    ):
        tables.append(_cross_table(key, title, codes, columns, label, per_technology, totals))

    tables.append(
        Table(
            "budget",
            _("Requested budget per technology"),
            [
                Column("technology", _("Technology or method"), "text"),
                Column("proposals", _("Proposals")),
                Column("requested_eur", _("Requested"), "eur"),
            ],
            [
                *[
                    Row(
                        code,
                        technology_label(code),
                        (stats.by_technology[code], stats.budget_by_technology[code]),
                    )
                    for code in codes
                ],
                Row(
                    "all", _("All submitted proposals"), (count, stats.requested_budget), total=True
                ),
            ],
            note=_(
                "A proposal with several technologies counts under each of them, so the "
                "rows add up to more than the total."
            ),
        )
    )

    if with_days:
        tables.append(days_table(stats))
    if comparison is not None:
        tables.append(comparison_table(comparison))
    return tables


def days_table(stats: CallStatistics) -> Table:
    return Table(
        "submissions_per_day",
        _("Submissions per day"),
        [
            Column("day", _("Day"), "date"),
            Column("new", _("First submissions")),
            Column("resubmitted", _("Resubmissions")),
            Column("withdrawn", _("Withdrawn")),
            Column("cumulative", _("Submitted proposals (total)")),
        ],
        [
            Row(
                row.day.isoformat(),
                formatting.day(row.day),
                (row.new, row.resubmitted, row.withdrawn, row.cumulative),
            )
            for row in stats.days
        ],
        note=_(
            "Days in Brussels time. The total counts submitted proposals at the end of each "
            "day, without those withdrawn by then."
        ),
    )


def active_days_table(stats: CallStatistics) -> Table:
    """Only the days with a submission or a withdrawal: for reading (exports have all)."""
    table = days_table(stats)
    table.rows = [row for row in table.rows if any(row.values[:3])]
    return table


def comparison_table(comparison: Comparison) -> Table:
    earlier, later = comparison.earlier, comparison.later
    rows = [
        Row(row.key, row.label, (row.earlier, row.later, row.change)) for row in comparison.rows
    ]
    return Table(
        "comparison",
        _("Comparison of two calls"),
        [
            Column("figure", _("Figure"), "text"),
            Column(
                "earlier",
                _(
                    "%(code)s (as of %(moment)s)",
                    code=earlier.call.code,
                    moment=format_brussels(earlier.as_of, seconds=False),
                ),
            ),
            Column(
                "later",
                _(
                    "%(code)s (as of %(moment)s)",
                    code=later.call.code,
                    moment=format_brussels(later.as_of, seconds=False),
                ),
            ),
            Column("change_pct", _("Change"), "pct"),
        ],
        rows,
        note=_(
            "Change in percent against the earlier call, %(code)s; n/a where that figure "
            "is zero. Each call is taken at the same point of its submission period.",
            code=earlier.call.code,
        ),
        money_rows=frozenset(row.key for row in comparison.rows if row.money),
    )


def cell_kind(table: Table, row: Row, index: int) -> str:
    """The kind of the value ``row.values[index]`` (index 0 is the second column)."""
    kind = table.columns[index + 1].kind
    if kind == "count" and row.key in table.money_rows:
        return "eur"
    return kind


def plain(value: Any, kind: str) -> str | Decimal:
    """The value for CSV: Decimal 1234.56 or 12.5 (written with the variant's decimal mark,
    app.core.exports), n/a, 2021-03-31."""
    if value is None:
        return "n/a" if kind == "pct" else ""
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01")) if kind == "eur" else value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------------------- display


def language() -> str:
    return formatting.language()


def format_count(value) -> str:
    """12.345 in Dutch, 12,345 in English."""
    return formatting.number(value)


def format_change(value) -> str:
    """+12,5 % / +12.5% in the reader's language; n/a (n.v.t.) on a zero base."""
    return formatting.percent(value, signed=True, none=_("n/a"))


def format_cell(table: Table, row, index: int) -> str:
    value = row.values[index]
    kind = cell_kind(table, row, index)
    if kind == "eur":
        return formatting.euro(value)
    if kind == "pct":
        return format_change(value)
    if kind == "count":
        return format_count(value)
    return "" if value is None else str(value)


def _cross_table(
    key: str,
    title: str,
    codes: Sequence[str],
    columns: Sequence[str],
    label: Callable[[str], str],
    per_technology: Mapping[str, Mapping[str, int]],
    totals: Mapping[str, int],
) -> Table:
    """Technologies (rows) by one property of the proposals (columns), then all proposals."""
    return Table(
        key,
        title,
        [
            Column("technology", _("Technology or method"), "text"),
            *[Column(column, label(column)) for column in columns],
        ],
        [
            *[
                Row(code, technology_label(code), tuple(per_technology[code][c] for c in columns))
                for code in codes
            ],
            Row(
                "all",
                _("All submitted proposals"),
                tuple(totals[c] for c in columns),
                total=True,
            ),
        ],
    )
