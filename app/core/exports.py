"""What every CSV and XLSX download shares: the media types, the euro cell format, and
neutralising text a spreadsheet would run as a formula.

A text cell starting with = + - @, a tab or a carriage return gets a leading single quote:
proposal titles and organisation names are typed by applicants.
"""

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EURO_FORMAT = "#,##0.00"  # XLSX number format of euro amounts


def neutralise(value: Any) -> Any:
    """'=1+1' -> "'=1+1"; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
