"""The legal clock of a call's decision: within 12 weeks of the close.

The close is the call's deadline (or its earlier closing) as a Brussels date; the decision
is due at the latest on that date plus 12 weeks (84 calendar days). The date that counts
for the decision is the day of notification of its first decision record."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from app.calls.models import Call
from app.core.db import db
from app.core.time import BRUSSELS, utcnow
from app.reviews.models import DecisionRecord

DECISION_WEEKS = 12


def decision_due(call: Call) -> date:
    return call.closes_at.astimezone(BRUSSELS).date() + timedelta(weeks=DECISION_WEEKS)


@dataclass(frozen=True)
class DecisionClock:
    due: date
    today: date
    decided_on: date | None  # the day of notification of the first decision record

    @property
    def days_left(self) -> int:
        """Calendar days from today (or from the decision) to the due date; negative when
        overdue."""
        return (self.due - (self.decided_on or self.today)).days

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def decided(self) -> bool:
        return self.decided_on is not None


def clock_of(
    call: Call, decided_on: date | None = None, today: date | None = None
) -> DecisionClock:
    return DecisionClock(
        decision_due(call), today or utcnow().astimezone(BRUSSELS).date(), decided_on
    )


def record_fields(call: Call, decided_on: date) -> dict[str, Any]:
    """The clock as frozen in a decision record."""
    clock = clock_of(call, decided_on)
    return {
        "decision_due": clock.due.isoformat(),
        "decided_on": decided_on.isoformat(),
        "decision_weeks": DECISION_WEEKS,
        "decided_in_time": not clock.overdue,
        "days_before_due": clock.days_left,
    }


def first_decision_day(call_id: int, latest: DecisionRecord | None = None) -> date | None:
    """The day of notification of the call's first decision record (one query at most;
    none when ``latest`` is already the first)."""
    if latest is not None and latest.number == 1:
        return latest.notified_on
    return db.session.scalar(
        sa.select(DecisionRecord.notified_on).where(
            DecisionRecord.call_id == call_id, DecisionRecord.number == 1
        )
    )
