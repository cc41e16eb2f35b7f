"""Monitoring charts as SVG with matplotlib, drawn the way app.reporting.charts draws the
statistics: the same bytes on the page (through their own route) and in the PDF.

Charts are drawn from the exact counts: they are for officials' pages and the officials'
report PDF. Suppressed outputs (exports, the answer sheet) carry tables, not charts.
"""

from flask_babel import gettext as _

from app.monitoring.report_tables import month_label
from app.monitoring.reports import YearOverYear
from app.reporting.charts import _LOCK, BLUE, GREY, _save, drawing


def yoy_chart(yoy: YearOverYear) -> bytes:
    """Started enrolments per month: the base year (hatched) beside the year (solid)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    months = list(yoy.months)
    base = [yoy.cell(m, "total").base_count for m in months]
    year = [yoy.cell(m, "total").count for m in months]
    labels = [month_label(m)[:3] for m in months]
    with _LOCK, drawing():
        figure = Figure(figsize=(7.5, 3.4))
        axes = figure.add_subplot()
        width = 0.4
        positions = range(len(months))
        earlier = axes.bar(
            [p - width / 2 for p in positions],
            base,
            width,
            color="white",
            edgecolor=GREY,
            hatch="\\\\\\\\",
            label=str(yoy.base),
        )
        later = axes.bar(
            [p + width / 2 for p in positions], year, width, color=BLUE, label=str(yoy.year)
        )
        if len(months) <= 6:
            axes.bar_label(earlier, padding=2, fontsize=8)
            axes.bar_label(later, padding=2, fontsize=8)
        axes.set_xticks(list(positions), labels)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylim(0, max([*base, *year, 1]) * 1.15)
        axes.set_ylabel(_("Started enrolments"))
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
        return _save(figure)
