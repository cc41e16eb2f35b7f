"""Charts drawn on the server as SVG with matplotlib: the same file on the page and in the PDF.

Only matplotlib's object-oriented API is used (no pyplot, no global figure state). The rc
settings that make the output deterministic (a fixed hash salt for element ids, text as
paths, no creation date) are applied per drawing under a lock, because ``rc_context``
changes matplotlib's global settings for its duration.
"""

import io
import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _

from app.core import formatting
from app.core.time import to_brussels
from app.reporting.comparisons import Comparison
from app.reporting.labels import technology_label
from app.reporting.statistics import CallStatistics

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

# GOV.UK colours; every series also differs by pattern or line style, never by colour alone.
BLUE = "#1d70b8"
GREEN = "#00703c"
BLACK = "#0b0c0c"
GREY = "#505a5f"
LIGHT = "#b1b4b6"

RC: "dict[RcKeyType, Any]" = {
    "svg.hashsalt": "esf-eleren-statistics",
    "svg.fonttype": "path",  # glyphs as paths: looks the same in every browser and the PDF
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.edgecolor": GREY,
    "axes.labelcolor": BLACK,
    "xtick.color": BLACK,
    "ytick.color": BLACK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.8,
}
_LOCK = threading.Lock()


def drawing():
    """matplotlib's settings for one drawing (use under ``_LOCK``). matplotlib is imported
    on the first chart, not with the app: it keeps about 60 MB resident, which web workers
    that never draw a chart (most requests) then do not hold."""
    import matplotlib

    return matplotlib.rc_context(RC)


CHARTS = ("technologies", "submissions", "comparison")


def _save(figure: "Figure") -> bytes:
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    FigureCanvasSVG(figure)
    out = io.BytesIO()
    figure.savefig(
        out,
        format="svg",
        bbox_inches="tight",
        metadata={"Date": None, "Creator": "ESF e-learning portal"},
    )
    return out.getvalue()


def technologies_chart(stats: CallStatistics) -> bytes:
    """Horizontal bars per technology: submitted proposals declaring it, and verified (once
    an official verified any)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    codes = list(reversed(stats.technologies))  # the first technology on top
    labels = [technology_label(code) for code in codes]
    declared = [stats.by_technology[code] for code in codes]
    verified = [stats.verified_by_technology[code] for code in codes]
    show_verified = stats.verified_count > 0
    with _LOCK, drawing():
        figure = Figure(figsize=(7.5, (0.45 if show_verified else 0.32) * len(codes) + 1.2))
        axes = figure.add_subplot()
        positions = range(len(codes))
        height = 0.38 if show_verified else 0.6
        offset = height / 2 if show_verified else 0
        bars = axes.barh(
            [p + offset for p in positions], declared, height, color=BLUE, label=_("Declared")
        )
        axes.bar_label(bars, padding=3, fontsize=9)
        if show_verified:
            bars = axes.barh(
                [p - offset for p in positions],
                verified,
                height,
                color="white",
                edgecolor=GREEN,
                hatch="////",
                label=_("Verified by an official"),
            )
            axes.bar_label(bars, padding=3, fontsize=9)
        axes.set_yticks(list(positions), labels)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlim(0, max([*declared, *verified, 1]) * 1.15)
        axes.set_xlabel(_("Submitted proposals"))
        if show_verified:
            axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
        return _save(figure)


def submissions_chart(stats: CallStatistics) -> bytes:
    """Submissions per day (bars) and the number of submitted proposals (line), from the
    opening up to the deadline; each day is the Brussels day."""
    from matplotlib.dates import AutoDateLocator, DateFormatter
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    call = stats.call
    start = to_brussels(call.opens_at).date()
    end = max(to_brussels(call.deadline).date(), stats.days[-1].day if stats.days else start)

    def midnight(day):
        return datetime.combine(day, datetime.min.time())

    noons = [midnight(row.day) + timedelta(hours=12) for row in stats.days]
    with _LOCK, drawing():
        figure = Figure(figsize=(7.5, 3.4))
        axes = figure.add_subplot()
        total_axes = axes.twinx()
        total_axes.spines["right"].set_visible(True)
        new = [(noon, row) for noon, row in zip(noons, stats.days, strict=True) if row.new]
        again = [
            (noon, row) for noon, row in zip(noons, stats.days, strict=True) if row.resubmitted
        ]  # only days with bars: no empty outlines at zero
        axes.bar(
            [n for n, _row in new],
            [row.new for _n, row in new],
            width=0.8,
            color=BLUE,
            label=_("First submissions per day"),
        )
        axes.bar(
            [n for n, _row in again],
            [row.resubmitted for _n, row in again],
            width=0.8,
            bottom=[row.new for _n, row in again],
            color="white",
            edgecolor=BLUE,
            hatch="////",
            label=_("Resubmissions per day"),
        )
        if stats.days:  # the total at the end of each day, held through that day
            steps = [midnight(row.day) for row in stats.days]
            steps.append(steps[-1] + timedelta(days=1))
            totals = [row.cumulative for row in stats.days]
            total_axes.step(
                steps,
                [*totals, totals[-1]],
                where="post",
                color=BLACK,
                linewidth=2,
                label=_("Submitted proposals (total)"),
            )
        deadline = midnight(to_brussels(call.deadline).date()) + timedelta(days=1)
        axes.axvline(deadline, color=GREY, linestyle="--", linewidth=1)
        axes.annotate(
            _("Deadline %(date)s", date=formatting.day(to_brussels(call.deadline).date())),
            xy=(deadline, 1),
            xycoords=("data", "axes fraction"),
            xytext=(-4, -2),
            textcoords="offset points",
            ha="right",
            va="top",
            fontsize=9,
            color=GREY,
        )
        axes.set_xlim(midnight(start) - timedelta(days=1), midnight(end) + timedelta(days=2))
        axes.set_ylim(0, max([row.new + row.resubmitted for row in stats.days] + [1]) * 1.15)
        total_axes.set_ylim(0, max([row.cumulative for row in stats.days] + [1]) * 1.15)
        for each in (axes, total_axes):  # a few whole numbers, not a tick per proposal
            each.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        axes.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=6))
        axes.xaxis.set_major_formatter(DateFormatter("%d-%m"))
        axes.set_xlabel(_("Day of submission (Brussels time)"))
        axes.set_ylabel(_("Submissions per day (bars)"))
        total_axes.set_ylabel(_("Submitted in total (line)"))
        handles = [
            Patch(facecolor=BLUE, label=_("First submissions per day")),
            Patch(
                facecolor="white", edgecolor=BLUE, hatch="////", label=_("Resubmissions per day")
            ),
            Line2D([], [], color=BLACK, linewidth=2, label=_("Submitted proposals (total)")),
        ]
        axes.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.2),
            ncol=3,
            frameon=False,
            fontsize=9,
        )
        return _save(figure)


def comparison_chart(comparison: Comparison) -> bytes:
    """Per technology, the earlier and the later call side by side."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    rows = [row for row in comparison.rows if row.key.startswith("technology.")]
    rows.reverse()
    earlier_label = comparison.earlier.call.code
    later_label = comparison.later.call.code
    with _LOCK, drawing():
        figure = Figure(figsize=(7.5, 0.45 * len(rows) + 1.2))
        axes = figure.add_subplot()
        positions = range(len(rows))
        height = 0.38
        earlier = axes.barh(
            [p - height / 2 for p in positions],
            [r.earlier for r in rows],  # type: ignore[arg-type]  # counts (int)
            height,
            color="white",
            edgecolor=GREY,
            hatch="\\\\\\\\",
            label=earlier_label,
        )
        later = axes.barh(
            [p + height / 2 for p in positions],
            [r.later for r in rows],  # type: ignore[arg-type]
            height,
            color=BLUE,
            label=later_label,
        )
        axes.bar_label(earlier, padding=3, fontsize=9)
        axes.bar_label(later, padding=3, fontsize=9)
        axes.set_yticks(list(positions), [r.label for r in rows])
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlim(
            0, float(max([r.earlier for r in rows] + [r.later for r in rows] + [1])) * 1.15
        )
        axes.set_xlabel(_("Submitted proposals"))
        handles, labels = axes.get_legend_handles_labels()
        axes.legend(
            handles[::-1],
            labels[::-1],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.14),
            ncol=2,
            frameon=False,
        )
        return _save(figure)
