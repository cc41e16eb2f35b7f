"""What every CSV and XLSX download shares: the media types, the euro cell format,
neutralising text a spreadsheet would run as a formula, and writing CSV in the variant the
reader asked for (comma and decimal point, or semicolon and decimal comma for Excel).

A text cell starting with = + - @, a tab or a carriage return gets a leading single quote:
proposal titles and organisation names are typed by applicants.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
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


# ---------------------------------------------------------------------------- CSV


@dataclass(frozen=True)
class CsvVariant:
    """How a CSV file is written: Excel set to Dutch (Belgium) opens a file by double-click
    only with semicolons, a decimal comma and a byte-order mark; scripts want commas and
    decimal points."""

    key: str
    delimiter: str
    decimal_comma: bool


PLAIN_CSV = CsvVariant("plain", ",", False)  # "CSV (comma, UTF-8)": the default
EXCEL_CSV = CsvVariant("excel", ";", True)  # "CSV (Excel)": semicolon, decimal comma
CSV_VARIANTS = {variant.key: variant for variant in (PLAIN_CSV, EXCEL_CSV)}
CSV_PARAMETER = "csv"  # ?csv=excel on any CSV download


def requested_csv_variant() -> CsvVariant:
    """The variant the download link asked for (``?csv=excel``), else the plain one."""
    from flask import has_request_context, request

    if has_request_context():
        return CSV_VARIANTS.get(request.args.get(CSV_PARAMETER, ""), PLAIN_CSV)
    return PLAIN_CSV


def csv_cell(value: Any, variant: CsvVariant) -> Any:
    """A cell as text: numbers with the variant's decimal mark, text neutralised."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal | float):
        text = f"{value:f}" if isinstance(value, Decimal) else repr(value)
        return text.replace(".", ",") if variant.decimal_comma else text
    return neutralise(value)


def write_csv(rows: Iterable[Sequence[Any]], variant: CsvVariant | None = None) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads it as UTF-8), CRLF line ends, every row
    through ``csv_cell``; the variant the request asked for unless given."""
    variant = variant or requested_csv_variant()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=variant.delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(value, variant) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
