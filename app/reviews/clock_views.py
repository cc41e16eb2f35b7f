"""The 12-week decision clock on the officials' pages (a template global)."""

from app.reviews import clock
from app.reviews.blueprint import bp


@bp.app_template_global("decision_clock")
def decision_clock(call, latest=None) -> clock.DecisionClock:
    """The clock of ``call``; ``latest`` is its newest decision record, if any."""
    decided_on = clock.first_decision_day(call.id, latest) if latest is not None else None
    return clock.clock_of(call, decided_on)
