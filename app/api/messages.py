"""The API's refused parameters explained in the reader's language.

webargs reports each refused parameter with marshmallow's English message
(``{"query": {"year": ["Not a valid integer."]}}``); the error handler passes them through
``translated`` so that ``errors`` speaks the language ``message`` does (``?lang=``, Dutch
by default). The English wordings are read from marshmallow's own classes, so a message is
recognised as marshmallow writes it, its values (a range's bounds, the choices) kept; a
message it does not know is passed on as it is.
"""

import re
from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask_babel import gettext as _


def _wordings() -> list[tuple[str, Callable[..., str]]]:
    """(marshmallow's English, with its ``{placeholders}``; our message), the more
    specific first."""
    fields, validate = ma.fields, ma.validate

    def field(key: str, kind: type[ma.fields.Field] = fields.Field) -> str:
        return str(kind.default_error_messages[key])

    between = validate.Range.message_all.format(
        min_op=validate.Range.message_gte, max_op=validate.Range.message_lte
    )
    at_least = validate.Range.message_min.format(min_op=validate.Range.message_gte)
    at_most = validate.Range.message_max.format(max_op=validate.Range.message_lte)
    return [
        (field("required"), lambda: _("This parameter is required.")),
        (field("null"), lambda: _("This parameter may not be empty.")),
        (field("validator_failed"), lambda: _("This value is not valid.")),
        (field("invalid", fields.Integer), lambda: _("Not a whole number.")),
        (field("invalid", fields.Number), lambda: _("Not a number.")),
        (field("too_large", fields.Number), lambda: _("The number is too large.")),
        (
            field("invalid", fields.Date),
            lambda: _("Not a date: write it as YYYY-MM-DD, e.g. 2027-03-31."),
        ),
        (field("invalid", fields.String), lambda: _("Not a text.")),
        (field("invalid_utf8", fields.String), lambda: _("Not valid UTF-8 text.")),
        (field("invalid", fields.Boolean), lambda: _("Must be true or false.")),
        (
            between,
            lambda min, max: _("Must be from %(min)s to %(max)s.", min=min, max=max),
        ),
        (at_least, lambda min: _("Must be at least %(min)s.", min=min)),
        (at_most, lambda max: _("Must be at most %(max)s.", max=max)),
        (
            validate.Regexp.default_message,
            lambda: _("Not in the form the API's description gives for this parameter."),
        ),
        (
            validate.OneOf.default_message,
            lambda choices: _("Must be one of: %(choices)s.", choices=choices),
        ),
    ]


def _pattern(wording: str) -> re.Pattern[str]:
    """``Must be {min_op} {min}.`` as a pattern whose named groups take the values."""
    parts = re.split(r"\{(\w+)\}", wording)
    source = "".join(
        re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
        for index, part in enumerate(parts)
    )
    return re.compile(source)


_MESSAGES = [(_pattern(wording), message) for wording, message in _wordings()]


def translated(messages: Any) -> Any:
    """webargs' messages (nested by location and parameter) in the reader's language."""
    if isinstance(messages, dict):
        return {key: translated(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [translated(value) for value in messages]
    if isinstance(messages, str):
        for pattern, message in _MESSAGES:
            found = pattern.fullmatch(messages)
            if found:
                return message(**found.groupdict())
    return messages
