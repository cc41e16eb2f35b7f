"""The API's fields for moments and money, one format each for every endpoint.

Moments: aware instants written as ISO 8601 with the Europe/Brussels offset
(``2027-03-31T23:59:59+02:00``), or in UTC with ``Z`` where a field says so. Amounts: exact
euro as decimal strings with two decimals (``1234567.89``), never floats.
"""

from datetime import UTC, datetime
from typing import Any

import marshmallow as ma

from app.core.countdown import iso_utc
from app.core.time import to_brussels

MOMENT = {"format": "date-time", "description": "ISO 8601 with the Europe/Brussels offset"}
AMOUNT = {
    "type": "string",
    "pattern": r"^\d+\.\d{2}$",
    "example": "1234567.89",
    "description": "Euro, exact, two decimals",
}


class BrusselsDateTime(ma.fields.AwareDateTime):
    """An aware instant as ISO 8601 with the Europe/Brussels offset of that moment."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", MOMENT)
        super().__init__(format="iso", default_timezone=UTC, **kwargs)

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return super()._serialize(to_brussels(value), attr, obj, **kwargs)


class UtcDateTime(ma.fields.AwareDateTime):
    """An aware instant in UTC, whole seconds, with ``Z`` (``2027-03-31T21:59:59Z``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", default_timezone=UTC, **kwargs)

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else iso_utc(value)


class TwoPlaces(ma.fields.Decimal):
    """An exact decimal as a string with two decimals (``72.50``)."""

    def __init__(self, **kwargs: Any) -> None:
        # documented as what it is on the wire: a string, not a JSON number
        kwargs["metadata"] = {"type": "string", **kwargs.get("metadata", {})}
        super().__init__(places=2, as_string=True, **kwargs)


class Amount(TwoPlaces):
    """Exact euro as a decimal string with two decimals."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", AMOUNT)
        super().__init__(**kwargs)
