"""Time helpers: everything is stored in UTC and shown in Europe/Brussels."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_brussels(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("refusing a naive datetime")
    return moment.astimezone(BRUSSELS)


def brussels(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
             second: int = 0) -> datetime:
    """An aware UTC instant from a Brussels wall-clock time."""
    return datetime(year, month, day, hour, minute, second, tzinfo=BRUSSELS).astimezone(UTC)


def format_brussels(moment: datetime | None, seconds: bool = True) -> str:
    if moment is None:
        return ""
    pattern = "%d-%m-%Y %H:%M:%S" if seconds else "%d-%m-%Y %H:%M"
    return to_brussels(moment).strftime(pattern)
