"""CSV and XLSX exports of the monitoring tables: always the suppressed version, since a
file leaves the officials' role. The writing (formula neutralising, the BOM, sheet names,
column widths) is app.reporting.exports'."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from app.core.time import format_brussels, to_brussels
from app.reporting.exports import (
    CSV_MIMETYPE,
    PCT_FORMAT,
    XLSX_MIMETYPE,
    _csv,
    _save,
    _sheet_title,
    _text,
    _widths,
)
from app.reporting.tables import Table, plain

__all__ = ["CSV_MIMETYPE", "XLSX_MIMETYPE", "tables_csv", "tables_xlsx"]


def _about(as_of: datetime, source: str) -> list[tuple[str, str]]:
    return [
        ("as_of", to_brussels(as_of).isoformat()),
        ("source", source),
        (
            "suppression",
            _(
                "Counts below 5 are shown as “< 5”; where a total would reveal "
                "one, a further count is shown as “x”."
            ),
        ),
    ]


def tables_csv(tables: list[Table], as_of: datetime, source: str) -> bytes:
    """Long format, one figure a line: table, row, row label, column, column label, value."""
    rows: list[Any] = [("table", "row", "row_label", "column", "column_label", "value")]
    rows += [("about", key, "", "", "", value) for key, value in _about(as_of, source)]
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
                        plain(value, column.kind if column.kind != "share" else "pct"),
                    )
                )
    return _csv(rows)


def tables_xlsx(tables: list[Table], as_of: datetime, source: str, title: str) -> bytes:
    """An "About" sheet, then one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    about = workbook.active
    used: set[str] = set()
    about.title = _sheet_title(_("About"), used)
    about.append([_text(title)])
    about["A1"].font = Font(bold=True, size=13)
    for key, text in _about(as_of, source):
        about.append([key, _text(text)])
    _widths(about)
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, used))
        sheet.append([_text(table.title)])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([_text(_("As of %(moment)s (Brussels time)", moment=format_brussels(as_of)))])
        sheet.append([_text(column.label) for column in table.columns])
        for cell in sheet[3]:
            cell.font = bold
        for row in table.rows:
            values: list[Any] = [_text(row.label)]
            for index, value in enumerate(row.values):
                kind = table.columns[index + 1].kind
                if value is None and kind in ("pct", "share"):
                    value = "n/a"
                elif isinstance(value, Decimal):
                    value = float(value)  # a display figure, already rounded
                values.append(value)
            sheet.append(values)
            for index, cell in enumerate(sheet[sheet.max_row][1:]):
                if table.columns[index + 1].kind in ("pct", "share") and cell.data_type == "n":
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
