"""CSV and XLSX exports of the figures and of the proposal list.

Every text cell that a spreadsheet would run as a formula (it starts with = + - @, a tab or
a carriage return) is neutralised by a leading single quote (app.core.exports): proposal
titles and organisation names are typed by applicants.
"""

import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _

from app.core.exports import (  # noqa: F401  (the media types: reporting.views reads them here)
    CSV_MIMETYPE,
    EURO_FORMAT,
    XLSX_MIMETYPE,
    neutralise,
    write_csv,
)
from app.core.time import format_brussels, to_brussels
from app.reporting.proposal_rows import ProposalRow
from app.reporting.statistics import CallStatistics
from app.reporting.tables import Table, cell_kind, plain

if TYPE_CHECKING:
    from openpyxl import Workbook


def _iso(moment: datetime | None) -> str:
    return to_brussels(moment).isoformat() if moment else ""


def about_rows(stats: CallStatistics) -> list[tuple[str, str]]:
    return [
        ("call", stats.call.code),
        ("call_title", stats.call.title),
        ("as_of", _iso(stats.as_of)),
        (
            "note",
            _(
                "Counts are of submitted proposals unless stated otherwise; withdrawn "
                "proposals are excluded. Times are Brussels time."
            ),
        ),
    ]


# ---------------------------------------------------------------------------- CSV


def _csv(rows: Iterable[Sequence[Any]]) -> bytes:
    """In the variant the download link asked for (app.core.exports.write_csv)."""
    return write_csv(rows)


def figures_csv(stats: CallStatistics, tables: list[Table]) -> bytes:
    """Long format, one figure a line: table, row, row label, column, column label, value."""
    rows: list[Sequence[Any]] = [("table", "row", "row_label", "column", "column_label", "value")]
    rows += [("about", key, "", "", "", value) for key, value in about_rows(stats)]
    for table in tables:
        for row in table.rows:
            for index, value in enumerate(row.values):
                column = table.columns[index + 1]
                rows.append(
                    (
                        table.key,
                        row.key,
                        row.label,
                        column.key,
                        column.label,
                        plain(value, cell_kind(table, row, index)),
                    )
                )
    return _csv(rows)


PROPOSAL_COLUMNS = (
    "reference",
    "title",
    "organisation",
    "enterprise_number",
    "provider_type",
    "project_type",
    "practice_oriented",
    "requested_eur",
    "declared_technologies",
    "verified_technologies",
    "verified_by",
    "verified_at",
    "verified_version",
    "version",
    "first_submitted_at",
    "submitted_at",
    "training_name",
    "training_reference",
    "expected_participants",
    "partners",
    "own_contribution_eur",
)


def proposal_record(row: ProposalRow) -> dict[str, Any]:
    """One submitted proposal as plain values (codes, ISO times, exact amounts)."""
    return {
        "reference": row.reference,
        "title": row.title,
        "organisation": row.organisation,
        "enterprise_number": row.enterprise_number,
        "provider_type": row.provider_type,
        "project_type": row.project_type or "",
        "practice_oriented": row.practice_oriented,
        "requested_eur": row.requested_eur,
        "declared_technologies": list(row.technologies),
        "verified_technologies": list(row.verified) if row.verified is not None else None,
        "verified_by": row.verified_by or None,
        "verified_at": row.verified_at,
        "verified_version": row.verified_version,
        "version": row.version_number,
        "first_submitted_at": row.first_submitted_at,
        "submitted_at": row.submitted_at,
        "training_name": row.training_name,
        "training_reference": row.training_reference,
        "expected_participants": row.expected_participants,
        "partners": "; ".join(row.partners),
        "own_contribution_eur": row.own_contribution_eur,
    }


def _flat(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(value)
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))  # CSV writes it with the variant's mark
    return value


def proposals_csv(rows: list[ProposalRow]) -> bytes:
    records = [proposal_record(row) for row in rows]
    return _csv(
        [
            PROPOSAL_COLUMNS,
            *[[_flat(record[key]) for key in PROPOSAL_COLUMNS] for record in records],
        ]
    )


# ---------------------------------------------------------------------------- XLSX

PCT_FORMAT = "0.0"


def _text(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _sheet_title(text: str, used: set[str]) -> str:
    title = "".join(c for c in text if c not in "[]:*?/\\")[:31] or "Sheet"
    base, n = title, 2
    while title in used:
        title = f"{base[:28]} {n}"
        n += 1
    used.add(title)
    return title


def _widths(sheet, minimum: int = 8, maximum: int = 60) -> None:
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is not None:
                widths[cell.column] = max(widths.get(cell.column, 0), len(str(cell.value)))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = max(
            minimum, min(maximum, width + 2)
        )


def _save(workbook: "Workbook") -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def figures_xlsx(stats: CallStatistics, tables: list[Table]) -> bytes:
    """An "About" sheet, then one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    about = workbook.active
    used: set[str] = set()
    about.title = _sheet_title(_("About"), used)
    about.append([_text(_("Statistics of call %(code)s", code=stats.call.code))])
    about["A1"].font = Font(bold=True, size=13)
    for key, text in about_rows(stats):
        about.append([key, _text(text)])
    _widths(about)
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, used))
        sheet.append([_text(table.title)])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(
            [_text(_("As of %(moment)s (Brussels time)", moment=format_brussels(stats.as_of)))]
        )
        sheet.append([_text(column.label) for column in table.columns])
        for cell in sheet[3]:
            cell.font = bold
        for row in table.rows:
            values: list[Any] = [_text(row.label)]
            for index, value in enumerate(row.values):
                kind = cell_kind(table, row, index)
                if value is None and kind == "pct":
                    value = "n/a"
                elif isinstance(value, Decimal) and kind == "pct":
                    value = float(value)  # a display figure, already rounded
                values.append(value)
            sheet.append(values)
            for index, cell in enumerate(sheet[sheet.max_row][1:]):
                kind = cell_kind(table, row, index)
                if kind == "eur":
                    cell.number_format = EURO_FORMAT
                elif kind == "pct" and cell.data_type == "n":
                    cell.number_format = PCT_FORMAT
                if row.total:
                    cell.font = bold
            if row.total:
                sheet.cell(sheet.max_row, 1).font = bold
        if table.note:
            sheet.append([])
            sheet.append([_text(table.note)])
        sheet.freeze_panes = "B4"
        _widths(sheet)
    return _save(workbook)


def proposals_xlsx(stats_as_of: datetime, rows: list[ProposalRow]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(_("Proposals"), set())
    sheet.append(list(PROPOSAL_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        record = proposal_record(row)
        values = []
        for key in PROPOSAL_COLUMNS:
            value = record[key]
            if isinstance(value, datetime):
                value = to_brussels(value).replace(tzinfo=None)  # Brussels wall-clock time
            elif not isinstance(value, Decimal | int) or isinstance(value, bool):
                value = _flat(value)
            values.append(_text(value))
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal | float):
                cell.number_format = EURO_FORMAT
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
    sheet.append([])
    sheet.append(
        [
            _text(
                _(
                    "Submitted proposals as of %(moment)s (Brussels time); times in Brussels time.",
                    moment=format_brussels(stats_as_of),
                )
            )
        ]
    )
    sheet.freeze_panes = "B2"
    _widths(sheet)
    return _save(workbook)
