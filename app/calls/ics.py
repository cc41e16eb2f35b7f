"""An iCalendar (RFC 5545) file with a call's deadline, written by hand (no dependency).

One VEVENT at the deadline instant (in UTC, ``...Z``) with a VALARM one day before.
Lines end in CRLF and are folded at 75 octets without splitting a UTF-8 character.
"""

from datetime import UTC, datetime

from app.calls.models import Call

PRODID = "-//ESF Vlaanderen//ESF e-leren portal//NL"
MAX_OCTETS = 75


def format_utc(moment: datetime) -> str:
    """An aware datetime as an RFC 5545 UTC date-time: 20270331T215959Z."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma, newline."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets (RFC 5545 3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= MAX_OCTETS:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
            limit = MAX_OCTETS - 1  # continuation lines start with one space
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def uid_for(call: Call, domain: str) -> str:
    """Stable per call: the id never changes, even when the call number is edited."""
    return f"call-{call.id}-deadline@{domain}"


def deadline_calendar(
    call: Call,
    *,
    summary: str,
    description: str,
    alarm_text: str,
    url: str,
    domain: str,
    now: datetime,
) -> str:
    """The .ics text for ``call``'s deadline; texts arrive translated from the view."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid_for(call, domain)}",
        f"DTSTAMP:{format_utc(now)}",
        f"DTSTART:{format_utc(call.deadline)}",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"URL:{url}",
        "TRANSP:TRANSPARENT",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{escape_text(alarm_text)}",
        "TRIGGER;RELATED=START:-P1D",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)
