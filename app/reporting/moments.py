"""The moment figures are "as of": parsed from what an official typed, and the same point
in another call's submission period."""

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.calls.models import Call
from app.core.errors import DomainError
from app.core.time import InvalidLocalTime, NonexistentLocalTime, parse_local, utcnow


class InvalidMoment(DomainError):
    default_message = _l("Enter a date and time like 2027-03-31 23:59:59.")


class NonexistentMoment(InvalidMoment):
    """A Brussels wall-clock time skipped when the clocks go forward."""


def parse_moment(text: str | None, *, now: datetime | None = None) -> datetime:
    """An "as of" moment from ISO 8601 text; naive times are Brussels time.

    Empty text means now. A moment in the future means now too (nothing later is known):
    the figures always say which moment they are as of.
    """
    now = now or utcnow()
    text = (text or "").strip()
    if not text:
        return now
    try:
        moment = parse_local(text, offsets=True)
    except NonexistentLocalTime:
        raise NonexistentMoment(
            _(
                "%(text)s does not exist in Brussels time: the clocks go "
                "forward an hour that night.",
                text=text[:40],
            )
        ) from None
    except InvalidLocalTime:
        raise InvalidMoment(
            _(
                "“%(text)s” is not a date and time. Use ISO 8601, for example "
                "2027-03-31T23:59:59+02:00, or 2027-03-31 23:59:59 in Brussels "
                "time.",
                text=text[:40],
            )
        ) from None
    return min(moment, now)


def comparison_moment(
    main: Call, other: Call, as_of: datetime, now: datetime | None = None
) -> datetime:
    """The same point in ``other``'s submission period as ``as_of`` is in ``main``'s:
    as long before (or after) its own deadline, and never later than now."""
    now = now or utcnow()
    moment = other.deadline + (as_of - main.deadline)
    return min(moment, now)
