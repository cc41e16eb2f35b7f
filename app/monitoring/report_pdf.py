"""The monitoring reports and the answer sheet as PDF documents (WeasyPrint, through
app.core.pdf). Both leave the officials' role: their tables are the suppressed ones."""

from app.core.pdf import render_pdf
from app.monitoring import report_charts
from app.reporting.pdf import _data_uri


def reports_pdf(found, tables: dict) -> bytes:
    """The reports page's tables, with the same SVG chart as the page."""
    return render_pdf(
        "monitoring/report_pdf.html",
        found=found,
        tables=tables,
        chart=_data_uri(report_charts.yoy_chart(found.yoy)),
    )


def answer_sheet_pdf(sheet, tables: dict) -> bytes:
    return render_pdf("monitoring/answer_sheet_pdf.html", sheet=sheet, tables=tables)
