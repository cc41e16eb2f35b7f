"""The "Stand van zaken" report: the dashboard's tables and charts as a PDF (WeasyPrint)."""

import base64

from app.core.pdf import render_pdf
from app.reporting import charts
from app.reporting.comparisons import Comparison
from app.reporting.statistics import CallStatistics
from app.reporting.tables import active_days_table, figure_tables, format_cell


def _data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def report_pdf(stats: CallStatistics, comparison: Comparison | None) -> bytes:
    """The same SVG charts as the page, embedded as images; every figure also as a table."""
    tables = {table.key: table for table in figure_tables(stats, comparison, with_days=False)}
    days = active_days_table(stats)
    images = {
        "technologies": _data_uri(charts.technologies_chart(stats)),
        "submissions": _data_uri(charts.submissions_chart(stats)),
    }
    if comparison is not None:
        images["comparison"] = _data_uri(charts.comparison_chart(comparison))
    return render_pdf(
        "reporting/report.html",
        stats=stats,
        comparison=comparison,
        tables=tables,
        days=days,
        images=images,
        format_cell=format_cell,
    )
