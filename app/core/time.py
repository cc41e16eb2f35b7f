"""Time helpers: everything is stored in UTC and shown in Europe/Brussels."""

from datetime import UTC, datetime, timedelta
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


def before_deadline(moment: datetime, deadline: datetime) -> bool:
    """True while ``moment`` is still within the deadline's stated second.

    A deadline of 23:59:59 includes that whole second: 23:59:59.999999 is on time,
    00:00:00 is too late. Deadlines are stored to the second.
    """
    return moment < deadline.replace(microsecond=0) + timedelta(seconds=1)


def format_brussels(moment: datetime | None, seconds: bool = True) -> str:
    if moment is None:
        return ""
    pattern = "%d-%m-%Y %H:%M:%S" if seconds else "%d-%m-%Y %H:%M"
    return to_brussels(moment).strftime(pattern)


RECEIVED_AT_KEY = "portal.received_at"


class RecordArrival:
    """WSGI middleware: note the instant a request reached the application.

    The deadline rule counts from when the server received the request, not from when a
    slow handler or a busy database got round to it.
    """

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        environ.setdefault(RECEIVED_AT_KEY, utcnow())
        return self.wsgi_app(environ, start_response)


def request_received_at() -> datetime:
    """When the current request arrived (now, outside a request)."""
    from flask import has_request_context, request

    if has_request_context() and RECEIVED_AT_KEY in request.environ:
        return request.environ[RECEIVED_AT_KEY]
    return utcnow()

