"""Time helpers: everything is stored in UTC and shown in Europe/Brussels."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

BRUSSELS = ZoneInfo("Europe/Brussels")


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_brussels(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("refusing a naive datetime")
    return moment.astimezone(BRUSSELS)


def brussels(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """An aware UTC instant from a Brussels wall-clock time."""
    return datetime(year, month, day, hour, minute, second, tzinfo=BRUSSELS).astimezone(UTC)


def before_deadline(moment: datetime, deadline: datetime) -> bool:
    """True while ``moment`` is still within the deadline's stated second.

    A deadline of 23:59:59 includes that whole second: 23:59:59.999999 is on time,
    00:00:00 is too late. Deadlines are stored to the second.
    """
    return moment < deadline.replace(microsecond=0) + timedelta(seconds=1)


def format_brussels(
    moment: datetime | None, seconds: bool = True, language: str | None = None
) -> str:
    """The instant as Brussels wall-clock time in the reader's language (app.core.formatting)."""
    from app.core.formatting import moment as format_moment

    return format_moment(moment, seconds, language)


class InvalidLocalTime(ValueError):
    """The text is not a date and time, or that wall-clock time does not exist there."""


class NonexistentLocalTime(InvalidLocalTime):
    """A wall-clock time skipped when the clocks go forward."""


_LOCAL_PATTERNS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M")


def parse_local(
    text: str, timezone: str | ZoneInfo = BRUSSELS, *, offsets: bool = False
) -> datetime:
    """'2027-03-31 23:59:59' in ``timezone`` (Brussels unless told) -> the aware UTC instant.

    Accepts 'YYYY-MM-DD HH:MM' and 'YYYY-MM-DD HH:MM:SS' (or with a 'T'); with ``offsets``
    any ISO 8601 date and time, where an offset or 'Z' in the text wins over ``timezone``.
    A time skipped by the change to summer time (02:30 on the last Sunday of March) does
    not exist and is refused (``NonexistentLocalTime``); a time that occurs twice in autumn
    means its first occurrence. Within a day of the year 1 or 9999 the instant is the
    earliest or latest one there is.
    """
    try:
        zone = timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidLocalTime(f"unknown time zone {timezone!r}") from exc
    moment = _read(text.strip(), offsets)
    if moment is None:
        raise InvalidLocalTime(f"{text!r} is not a date and time like 2027-03-31 23:59:59")
    try:
        if moment.tzinfo is not None:
            return moment.astimezone(UTC)
        instant = moment.replace(tzinfo=zone, fold=0).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) != moment:
            raise NonexistentLocalTime(f"{text} does not exist in {zone.key} (clocks go forward)")
    except OverflowError:
        return (datetime.min if moment.year < 9999 else datetime.max).replace(tzinfo=UTC)
    return instant


def _read(text: str, offsets: bool) -> datetime | None:
    if offsets:
        try:
            return datetime.fromisoformat(text.upper())
        except ValueError:
            return None
    for pattern in _LOCAL_PATTERNS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


RECEIVED_AT_KEY = "portal.received_at"


class RecordArrival:
    """WSGI middleware: note the instant a request reached the application.

    The deadline rule counts from when the server received the request, not from when a
    slow handler or a busy database got round to it. Behind a proxy that stamps requests
    (nginx: ``proxy_set_header X-Request-Start "t=${msec}";``, which also replaces any such
    header a client sent), that earlier moment counts instead, so time spent queueing in
    front of the workers does not count against the applicant. The stamp is trusted only
    from ``trusted_proxies`` (the addresses the proxy connects from; the address seen
    before any ProxyFix rewrite), or from anyone with ``trust_request_start`` (only when
    nothing but the proxy can reach the application). A stamp in the future or more than
    ``max_queue`` seconds old is ignored.
    """

    def __init__(
        self,
        wsgi_app: WSGIApplication,
        *,
        trust_request_start: bool = False,
        trusted_proxies: Iterable[str] | str = (),
        max_queue: float = 60.0,
    ) -> None:
        self.wsgi_app = wsgi_app
        self.trust_request_start = trust_request_start
        if isinstance(trusted_proxies, str):
            trusted_proxies = trusted_proxies.replace(",", " ").split()
        self.trusted_proxies = frozenset(trusted_proxies)
        self.max_queue = timedelta(seconds=max_queue)

    def _trusted(self, environ: WSGIEnvironment) -> bool:
        if self.trust_request_start:
            return True
        original = environ.get("werkzeug.proxy_fix.orig") or {}
        peer = original.get("REMOTE_ADDR") or environ.get("REMOTE_ADDR")
        return peer is not None and peer in self.trusted_proxies

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        now = utcnow()
        if "HTTP_X_REQUEST_START" in environ and self._trusted(environ):
            stamped = parse_request_start(environ.get("HTTP_X_REQUEST_START", ""))
            if stamped is not None and now - self.max_queue <= stamped <= now:
                now = stamped
        environ.setdefault(RECEIVED_AT_KEY, now)
        return self.wsgi_app(environ, start_response)


def parse_request_start(value: str) -> datetime | None:
    """'t=1711922399.123' (seconds), or whole milli- or microseconds since the epoch."""
    text = value.strip().removeprefix("t=")
    try:
        number = float(text)
    except ValueError:
        return None
    if "." not in text:
        number /= 1_000_000 if number > 1e14 else 1_000 if number > 1e11 else 1
    try:
        return datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def request_received_at() -> datetime:
    """When the current request arrived (now, outside a request)."""
    from flask import has_request_context, request

    if has_request_context() and RECEIVED_AT_KEY in request.environ:
        received: datetime = request.environ[RECEIVED_AT_KEY]
        return received
    return utcnow()
