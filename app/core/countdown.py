"""The live countdown to a deadline: server-rendered text that portal.js keeps ticking."""

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import gettext as _

from app.core.time import utcnow


def countdown_texts() -> dict[str, str]:
    """The countdown's words in the page's language, shared with portal.js (data-*)."""
    return {
        "day": _("day"),
        "days": _("days"),
        "hour": _("hour"),
        "hours": _("hours"),
        "minute": _("minute"),
        "minutes": _("minutes"),
        "second": _("second"),
        "seconds": _("seconds"),
        "many": _("%(parts)s and %(last)s left", parts="{parts}", last="{last}"),
        "one": _("%(last)s left", last="{last}"),
        "closed": _("The call is closed."),
    }


def remaining_text(seconds: int, texts: dict[str, str] | None = None) -> str:
    """'3 days, 4 hours, 5 minutes and 6 seconds left'; portal.js writes the same."""
    texts = texts or countdown_texts()
    if seconds <= 0:
        return texts["closed"]
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)

    def unit(n: int, name: str) -> str:
        return f"{n} {texts[name] if n == 1 else texts[name + 's']}"

    parts = []
    if days:
        parts.append(unit(days, "day"))
    if days or hours:
        parts.append(unit(hours, "hour"))
    if days or hours or minutes:
        parts.append(unit(minutes, "minute"))
    parts.append(unit(secs, "second"))
    if len(parts) == 1:
        return texts["one"].replace("{last}", parts[0])
    return texts["many"].replace("{parts}", ", ".join(parts[:-1])).replace("{last}", parts[-1])


def seconds_left(deadline: datetime, now: datetime) -> int:
    """Whole seconds until submissions stop, rounded up; 0 once they have.

    The deadline's stated second is included (app.core.time.before_deadline): a deadline
    of 23:59:59 stops submissions at 00:00:00.
    """
    end = deadline.replace(microsecond=0) + timedelta(seconds=1)
    return max(0, math.ceil((end - now).total_seconds()))


def iso_utc(moment: datetime, milliseconds: bool = False) -> str:
    """2027-03-31T21:59:59Z"""
    moment = moment.astimezone(UTC)
    if milliseconds:
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def countdown(deadline: datetime, now: datetime | None = None) -> dict[str, Any]:
    """Everything the countdown macro (_macros/countdown.html) needs."""
    now = now or utcnow()
    texts = countdown_texts()
    seconds = seconds_left(deadline, now)
    return {
        "deadline_utc": iso_utc(deadline),
        "now_utc": iso_utc(now, milliseconds=True),
        "texts": texts,
        "seconds": seconds,
        "text": remaining_text(seconds, texts),
    }
