"""The deadlines of a call, in one place.

A call closes for everyone at ``Call.closes_at``: its deadline, or earlier when an official
closed it early. An organisation with an individual extension may submit until the later of
that and its extension. The call's last deadline is the latest of them all: admissibility is
decided and the evaluation starts only after it. Each deadline includes its whole stated
second (``app.core.time.before_deadline``).
"""

from datetime import datetime

import sqlalchemy as sa

from app.calls.models import Call, CallPhase, CallStatus, DeadlineExtension
from app.core.db import db
from app.core.time import before_deadline


def for_everyone(call: Call) -> datetime:
    """The instant submissions stop for every organisation without an extension."""
    return call.closes_at


def for_organisation(call: Call, organisation_id: int) -> datetime:
    """The instant after which this organisation can no longer change its proposals."""
    extension = db.session.scalar(
        sa.select(DeadlineExtension).where(
            DeadlineExtension.call_id == call.id,
            DeadlineExtension.organisation_id == organisation_id,
        )
    )
    if extension is not None and extension.deadline > call.closes_at:
        return extension.deadline
    return call.closes_at


def by_organisation(call: Call) -> dict[int, datetime]:
    """Every organisation with an extension -> its deadline; the others have
    ``for_everyone(call)``. One query for all organisations."""
    return {e.organisation_id: max(e.deadline, call.closes_at) for e in call.extensions}


def last(call: Call) -> datetime:
    """The instant after which no organisation can submit any more (extensions included)."""
    return max([call.closes_at, *by_organisation(call).values()])


def all_passed(call: Call, moment: datetime) -> bool:
    """Whether every deadline of the call, extensions included, has passed at ``moment``:
    from then on admissibility may be decided."""
    return not before_deadline(moment, last(call))


def evaluation_may_start(call: Call, moment: datetime) -> bool:
    """A published call that has closed, after its last deadline."""
    return (
        call.phase is CallPhase.published
        and call.status_at(moment) is CallStatus.closed
        and all_passed(call, moment)
    )
