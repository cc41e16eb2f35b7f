"""The demo's calendar: deadlines on 31 March, call windows, months."""

from datetime import date, datetime, timedelta

from app.core.time import brussels, to_brussels


def deadline_of_year(year: int) -> datetime:
    """31 March ``year``, 23:59:59 Brussels time (21:59:59 UTC: summer time has begun)."""
    return brussels(year, 3, 31, 23, 59, 59)


def open_call_year(now: datetime) -> int:
    """The year of the first 31 March 23:59:59 (Brussels) deadline still ahead of ``now``."""
    year = to_brussels(now).year
    while deadline_of_year(year) <= now:
        year += 1
    return year


def start_of_day(moment: datetime) -> datetime:
    local = to_brussels(moment)
    return brussels(local.year, local.month, local.day)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def end_of_month(day: date) -> date:
    return add_months(day, 1) - timedelta(days=1)


def call_code(year: int) -> str:
    return f"ESF-ELEREN-{year}"


def historic_window(year: int) -> tuple[datetime, datetime]:
    """Opening and deadline of a past call: 1 October 09:00 to 31 March 23:59:59."""
    return brussels(year - 1, 10, 1, 9, 0, 0), deadline_of_year(year)


def open_call_opening(year: int, now: datetime) -> datetime:
    """1 October before the deadline, 09:00; but never later than today (00:00 Brussels)."""
    return min(brussels(year - 1, 10, 1, 9, 0, 0), start_of_day(now))
