"""The monitoring reports as tables: one structure for the page, the PDF, CSV and XLSX.

Tables reuse ``app.reporting.tables`` (typed columns, rows, notes). ``suppress=True`` gives
the version that leaves the officials' role: small counts as ``"< 5"`` with secondary
suppression (app.monitoring.suppression), and shares or changes of a hidden count hidden.
Column kinds: ``count``, ``pct`` (a change, signed), ``share`` (a part of a whole), ``text``.
"""

from babel.dates import get_month_names
from flask_babel import gettext as _
from flask_babel import ngettext

from app.core import formatting
from app.core.time import format_brussels
from app.monitoring import report_definitions, report_profiles, reports
from app.monitoring.suppression import (
    is_hidden,
    is_small,
    shown,
    suppress_grid,
    suppress_list,
)
from app.reporting.tables import Column, Row, Table, format_cell, language

MODE_TOTAL = (*report_definitions.MODES, "total")


# ---------------------------------------------------------------------------- labels


def month_label(month: int) -> str:
    if month == 0:
        return _("Total")
    return get_month_names("wide", locale=language())[month].capitalize()


def mode_label(mode: str) -> str:
    return {
        "online": _("Online"),
        "blended": _("Blended"),
        "physical": _("Physical"),
        "total": _("Total"),
    }[mode]


def status_label(status: str) -> str:
    return {
        "enrolled": _("Enrolled"),
        "active": _("Active"),
        "completed": _("Completed"),
        "dropped": _("Dropped out"),
        report_definitions.NOT_REPORTED: _("No status reported yet"),
    }[status]


def channel_label(channel: str) -> str:
    return {"own": _("Provider's own platform"), "partner": _("Partner platform")}[channel]


def dimension_title(dimension: str) -> str:
    return {
        "education": _("Education level"),
        "age_flemish": _("Age (Flemish bands)"),
        "age_esf": _("Age (ESF+ bands)"),
        "gender": _("Gender"),
        "disability": _("With a disability"),
        "migration_background": _("With a migration background"),
        "labour_status": _("Labour-market status"),
    }[dimension]


def value_label(dimension: str, value: str) -> str:
    if value == report_definitions.UNKNOWN:
        return _("Did not answer")
    labels = {
        "education": {
            "low": _("Low (ISCED 0-2)"),
            "middle": _("Middle (ISCED 3-4)"),
            "high": _("High (ISCED 5-8)"),
        },
        "age_flemish": {
            "under_25": _("Under 25"),
            "25_58": _("25-58 (25 to 57)"),
            "58_plus": _("58 and older"),
        },
        "age_esf": {
            "under_18": _("Under 18"),
            "18_29": "18-29",
            "30_54": "30-54",
            "55_plus": _("55 and older"),
        },
        "gender": {"f": _("Women"), "m": _("Men"), "x": _("Non-binary")},
        "disability": {"yes": _("Yes"), "no": _("No")},
        "migration_background": {"yes": _("Yes"), "no": _("No")},
        "labour_status": {
            "jobseeker_activation": _("Jobseeker in an activation path"),
            "temporarily_unemployed": _("Temporarily unemployed"),
            "inactive": _("Inactive"),
            "employed": _("Employed"),
        },
    }
    return labels[dimension][value]


def indicator_label(code: str) -> str:
    return {
        "women": _("Women"),
        "men": _("Men"),
        "non_binary": _("Non-binary"),
        "unemployed": _("Unemployed, including long-term unemployed"),
        "inactive": _("Inactive"),
        "employed": _("Employed, including self-employed"),
        "below_18": _("Below 18 years"),
        "age_18_29": _("18-29 years"),
        "age_55_plus": _("55 years and above"),
        "isced_0_2": _("Lower secondary education or less (ISCED 0-2)"),
        "isced_3_4": _("Upper secondary or post-secondary education (ISCED 3-4)"),
        "isced_5_8": _("Tertiary education (ISCED 5-8)"),
        "disabilities": _("Participants with disabilities"),
        "foreign_background": _("Participants with a foreign background"),
    }[code]


def mode_mapping_note() -> str:
    return _(
        "Type of hours: online = home-learning hours only; blended = contact training "
        "hours and home-learning hours; physical = contact training hours only."
    )


def source_note(report) -> str:
    return _(
        "As of %(moment)s (Brussels time). Source: %(source)s.",
        moment=format_brussels(report.as_of, seconds=False),
        source=report.source,
    )


# ---------------------------------------------------------------------------- formatting


def format_share(value) -> str:
    if value is None:
        return _("n/a")
    return formatting.percent(value)


def cell_text(table: Table, row: Row, index: int) -> str:
    """A cell for reading: exact or ``< 5``, counts and percentages in the reader's way."""
    value = row.values[index]
    if is_hidden(value):
        return value
    if value is None and table.columns[index + 1].kind == "count":
        return ""
    if table.columns[index + 1].kind == "share":
        return format_share(value)
    return format_cell(table, row, index)


def _hide(value, hidden: bool, suppress: bool):
    return shown(value, hidden) if suppress else value


def _list_mask(values: list[int], total: int, suppress: bool) -> tuple[list[bool], bool]:
    if not suppress:
        return [False] * len(values), False
    return suppress_list(values, total)


def _shares_table(
    key: str,
    title: str,
    first: str,
    items: list[tuple[str, str, int]],
    total: int,
    *,
    suppress: bool,
    note: str = "",
) -> Table:
    """Rows (key, label, count) with their share of ``total``, and a total row."""
    mask, total_hidden = _list_mask([n for _k, _l, n in items], total, suppress)
    rows = [
        Row(
            k,
            label,
            (
                _hide(n, hidden, suppress),
                _hide(report_definitions.share_pct(n, total), hidden, suppress),
            ),
        )
        for (k, label, n), hidden in zip(items, mask, strict=True)
    ]
    rows.append(
        Row(
            "total",
            _("Total"),
            (
                _hide(total, total_hidden, suppress),
                _hide(report_definitions.share_pct(total, total), total_hidden, suppress),
            ),
            total=True,
        )
    )
    return Table(
        key,
        title,
        [
            Column(key, first, "text"),
            Column("count", _("Number")),
            Column("share", _("Share"), "share"),
        ],
        rows,
        note=note,
    )


# ---------------------------------------------------------------------------- (a) year over year


def _yoy_masks(yoy: reports.YearOverYear, suppress: bool) -> dict[tuple[str, int, str], bool]:
    """Hidden cells per (which year, month, mode): the grid months x modes with totals."""
    masks: dict[tuple[str, int, str], bool] = {}
    months = [*yoy.months, 0]
    for which in ("base", "year"):
        grid = [
            [
                getattr(yoy.cell(m, mode), "base_count" if which == "base" else "count")
                for mode in MODE_TOTAL
            ]
            for m in months
        ]
        mask = suppress_grid(grid) if suppress else [[False] * 4 for _m in months]
        for r, m in enumerate(months):
            for c, mode in enumerate(MODE_TOTAL):
                masks[(which, m, mode)] = mask[r][c]
    return masks


def _yoy_columns(yoy: reports.YearOverYear, first: str) -> list[Column]:
    return [
        Column("month", first, "text"),
        Column("base_count", str(yoy.base)),
        Column("count", str(yoy.year)),
        Column("change_pct", _("Change against %(base)s", base=yoy.base), "pct"),
    ]


def _yoy_values(yoy, masks, month: int, mode: str, suppress: bool) -> tuple:
    cell = yoy.cell(month, mode)
    base_hidden, hidden = masks[("base", month, mode)], masks[("year", month, mode)]
    return (
        _hide(cell.base_count, base_hidden, suppress),
        _hide(cell.count, hidden, suppress),
        _hide(cell.change_pct, base_hidden or hidden, suppress),
    )


def yoy_note(yoy: reports.YearOverYear) -> str:
    parts = [
        _(
            "Change in percent against the same month of %(base)s: (new - old) / old x "
            "100, one decimal; n/a where %(base)s had none.",
            base=yoy.base,
        ),
        mode_mapping_note(),
    ]
    if yoy.may_change:
        parts.append(
            _(
                "Late registrations may still change recent months (%(count)s late "
                "registrations among these enrolments so far).",
                count=yoy.late_count,
            )
        )
    return " ".join(parts)


def yoy_totals_table(yoy: reports.YearOverYear, *, suppress: bool = False) -> Table:
    masks = _yoy_masks(yoy, suppress)
    rows = [
        Row(str(m), month_label(m), _yoy_values(yoy, masks, m, "total", suppress), total=m == 0)
        for m in (*yoy.months, 0)
    ]
    return Table(
        "yoy_totals",
        _("Started enrolments per month, %(year)s against %(base)s", year=yoy.year, base=yoy.base),
        _yoy_columns(yoy, _("Month")),
        rows,
        note=yoy_note(yoy),
    )


def yoy_table(yoy: reports.YearOverYear, *, suppress: bool = False) -> Table:
    masks = _yoy_masks(yoy, suppress)
    rows = [
        Row(
            f"{m}.{mode}",
            f"{month_label(m)} · {mode_label(mode)}",
            _yoy_values(yoy, masks, m, mode, suppress),
            total=mode == "total",
        )
        for m in (*yoy.months, 0)
        for mode in MODE_TOTAL
    ]
    return Table(
        "yoy",
        _(
            "Started enrolments per month and type of hours, %(year)s against %(base)s",
            year=yoy.year,
            base=yoy.base,
        ),
        _yoy_columns(yoy, _("Month and type of hours")),
        rows,
        note=yoy_note(yoy),
    )


# ---------------------------------------------------------------------------- (b)-(d)


def status_table(found: reports.StatusShares, *, suppress: bool = False) -> Table:
    items = [(s.key, status_label(s.key), s.count) for s in found.shares]
    return _shares_table(
        "status",
        _("Status on %(day)s", day=formatting.day(found.day)),
        _("Status"),
        items,
        found.total,
        suppress=suppress,
        note=_(
            "Enrolments started from %(start)s to %(end)s, by the status in force on %(day)s.",
            start=formatting.day(found.start),
            end=formatting.day(min(found.end, found.day)),
            day=formatting.day(found.day),
        ),
    )


def mode_table(found: reports.ModeChannel, *, suppress: bool = False) -> Table:
    period = _(
        "%(start)s to %(end)s", start=formatting.day(found.start), end=formatting.day(found.end)
    )
    counts = [found.mode(m) for m in report_definitions.MODES]
    mask, total_hidden = _list_mask(counts, found.total, suppress)
    columns = [
        Column("mode", _("Type of hours"), "text"),
        Column("count", period),
        Column("share", _("Share"), "share"),
    ]
    has_base = found.base_start is not None
    base_mask, base_total_hidden = [False] * 3, False
    if has_base:
        base_mask, base_total_hidden = _list_mask(
            [found.mode(m, base=True) for m in report_definitions.MODES], found.base_total, suppress
        )
        columns += [
            Column(
                "base_count",
                _(
                    "%(start)s to %(end)s",
                    start=formatting.day(found.base_start),
                    end=formatting.day(found.base_end),
                ),
            ),
            Column("change_pct", _("Change"), "pct"),
        ]
    rows = []
    for index, key in enumerate((*report_definitions.MODES, "total")):
        count = found.total if key == "total" else counts[index]
        hidden = total_hidden if key == "total" else mask[index]
        values = [
            _hide(count, hidden, suppress),
            _hide(report_definitions.share_pct(count, found.total), hidden, suppress),
        ]
        if has_base:
            base = found.base_total if key == "total" else found.mode(key, base=True)
            base_hidden = base_total_hidden if key == "total" else base_mask[index]
            values += [
                _hide(base, base_hidden, suppress),
                _hide(report_definitions.change_pct(base, count), hidden or base_hidden, suppress),
            ]
        rows.append(Row(key, mode_label(key), tuple(values), total=key == "total"))
    note = mode_mapping_note()
    if has_base:
        note += " " + _("Change in percent against the base period; n/a where it had none.")
    return Table("modes", _("Enrolments by type of hours"), columns, rows, note=note)


def channel_table(found: reports.ModeChannel, *, suppress: bool = False) -> Table:
    items = [(c, channel_label(c), found.channel(c)) for c in report_definitions.CHANNELS]
    return _shares_table(
        "channels",
        _("Enrolments by learning platform"),
        _("Platform"),
        items,
        found.total,
        suppress=suppress,
    )


def digital_table(found: reports.ModeChannel, *, suppress: bool = False) -> Table:
    """Enrolments in digital trainings (online or blended) by platform (question 1)."""
    digital = {
        c: sum(found.counts.get((m, c), 0) for m in ("online", "blended"))
        for c in report_definitions.CHANNELS
    }
    items = [(c, channel_label(c), digital[c]) for c in report_definitions.CHANNELS]
    return _shares_table(
        "digital",
        _("Enrolments in digital trainings by learning platform"),
        _("Platform"),
        items,
        sum(digital.values()),
        suppress=suppress,
        note=_("Digital trainings: online or blended (with home-learning hours)."),
    )


def trainings_table(found: reports.Trainings, *, suppress: bool = False) -> Table:
    counts = [row.participants for row in found.rows]
    if found.total_trainings == len(found.rows):
        mask, total_hidden = _list_mask(counts, found.total_participants, suppress)
    else:  # a part of the list: the rest stays unknown, so no sum reaches a hidden row
        mask, total_hidden = [suppress and is_small(n) for n in counts], False
    rows = [
        Row(
            f"{r.project}/{r.code}",
            f"{r.project} · {r.code}" + (f" · {r.title}" if r.title else ""),
            (_hide(r.participants, hidden, suppress),),
        )
        for r, hidden in zip(found.rows, mask, strict=True)
    ]
    rows.append(
        Row(
            "total",
            _("Total (all trainings)"),
            (_hide(found.total_participants, total_hidden, suppress),),
            total=True,
        )
    )
    return Table(
        "trainings",
        _("Trainings and their participants"),
        [
            Column("training", _("Project · training"), "text"),
            Column("participants", _("Participants")),
        ],
        rows,
        note=ngettext(
            "%(count)s training followed by enrolments started from "
            "%(start)s to %(end)s; most followed first.",
            "%(count)s trainings followed by enrolments started from "
            "%(start)s to %(end)s; most followed first.",
            found.total_trainings,
            count=formatting.number(found.total_trainings),
            start=formatting.day(found.start),
            end=formatting.day(found.end),
        ),
    )


# ---------------------------------------------------------------------------- (e) profiles


def age_note() -> str:
    return _(
        "Age at the start of the enrolment, taken as the start year minus the birth "
        "year (only the birth year is known). Flemish bands: under 25 is up to 24; "
        "25-58 is 25 to 57; 58 and older from 58. ESF+ bands: under 18, 18-29, 30-54, "
        "55 and older."
    )


def profile_tables(found: report_profiles.Profile, *, suppress: bool = False) -> list[Table]:
    tables = []
    for dimension, breakdown in found.breakdowns.items():
        items = [
            (key, value_label(dimension, key), breakdown.counts[key])
            for key in (*report_definitions.DIMENSIONS[dimension], report_definitions.UNKNOWN)
        ]
        note = age_note() if dimension.startswith("age") else ""
        tables.append(
            _shares_table(
                f"profile_{dimension}",
                dimension_title(dimension),
                dimension_title(dimension),
                items,
                breakdown.total,
                suppress=suppress,
                note=note,
            )
        )
    return tables


# ---------------------------------------------------------------------------- (f) ESF+


def esf_note() -> str:
    return (
        _(
            "Mapping: education low / middle / high = ISCED 0-2 / 3-4 / 5-8; jobseeker in "
            "an activation path = unemployed; temporarily unemployed = employed (the "
            "employment contract continues); gender f / m / x = women / men / non-binary. "
            "Unknown or empty answers are counted under 'did not answer', never guessed. "
            "Long-term unemployment is not collected."
        )
        + " "
        + age_note()
    )


def _esf_masks(item: report_profiles.EsfIndicators, suppress: bool):
    """Hidden indicator counts: an indicator hides when one of the answers it adds up is
    hidden in the full breakdown of its question (secondary suppression included)."""
    codes = [code for code, _d, _v in report_profiles.ESF_INDICATORS]
    if not suppress:
        return dict.fromkeys(codes, False), dict.fromkeys(codes, False), False
    hidden_values: dict[tuple[str, str], bool] = {}
    for dimension, values in item.answers.items():
        keys = list(values)
        mask, _total_hidden = suppress_list([values[k] for k in keys], item.total)
        for key, flag in zip(keys, mask, strict=True):
            hidden_values[(dimension, key)] = flag
    counts, unanswered = {}, {}
    for code, dimension, ours in report_profiles.ESF_INDICATORS:
        counts[code] = any(hidden_values[(dimension, v)] for v in ours)
        unanswered[code] = hidden_values[(dimension, report_definitions.UNKNOWN)]
    return counts, unanswered, is_small(item.total)


def esf_table(
    item: report_profiles.EsfIndicators,
    *,
    suppress: bool = False,
    key: str = "esf",
    title: str | None = None,
) -> Table:
    hidden, unanswered, total_hidden = _esf_masks(item, suppress)
    rows = [
        Row(
            "total",
            _("Total participants"),
            (_hide(item.total, total_hidden, suppress), None),
            total=True,
        )
    ]
    rows += [
        Row(
            v.code,
            indicator_label(v.code),
            (
                _hide(v.count, hidden[v.code], suppress),
                _hide(v.not_answered, unanswered[v.code], suppress),
            ),
        )
        for v in item.values
    ]
    return Table(
        key,
        title or _("ESF+ common output indicators"),
        [
            Column("indicator", _("Indicator"), "text"),
            Column("participants", _("Participants")),
            Column("not_answered", _("Did not answer the question")),
        ],
        rows,
        note=esf_note(),
    )


def esf_tables(found: report_profiles.EsfReport, *, suppress: bool = False) -> list[Table]:
    """The whole scope's indicators, then one table per project."""
    tables = [esf_table(found.overall, suppress=suppress)]
    for item in found.projects:
        tables.append(
            esf_table(
                item,
                suppress=suppress,
                key=f"esf_{item.key}",
                title=_("ESF+ indicators of project %(reference)s", reference=item.key),
            )
        )
    return tables
