"""Public API: the published calls with their deadlines (no token needed)."""

from datetime import datetime
from typing import Any

import marshmallow as ma

from app.api.core import bp
from app.api.fields import BrusselsDateTime, UtcDateTime
from app.calls import services
from app.calls.models import Call, CallStatus
from app.core.countdown import seconds_left
from app.core.time import utcnow


class CallSummarySchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "ESF-ELEREN-2027"})
    title = ma.fields.String(required=True)
    status = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf([s.value for s in CallStatus]),
        metadata={"description": "upcoming, open, closed, evaluation or decided"},
    )
    opens_at = BrusselsDateTime(
        required=True,
        metadata={
            "format": "date-time",
            "example": "2027-01-15T09:00:00+01:00",
            "description": "Opening moment, ISO 8601 with the Europe/Brussels offset",
        },
    )
    deadline = BrusselsDateTime(
        required=True,
        metadata={
            "format": "date-time",
            "example": "2027-03-31T23:59:59+02:00",
            "description": "Submission deadline, ISO 8601 with the Europe/Brussels offset",
        },
    )
    deadline_utc = UtcDateTime(
        required=True,
        metadata={
            "format": "date-time",
            "example": "2027-03-31T21:59:59Z",
            "description": "The same instant in UTC",
        },
    )
    seconds_until_deadline = ma.fields.Integer(
        required=True,
        validate=ma.validate.Range(min=0),
        metadata={
            "description": "Whole seconds until submissions close, rounded up; the "
            "deadline's stated second is included. 0 once passed, or "
            "once an official closed the call early."
        },
    )


class CallListSchema(ma.Schema):
    calls = ma.fields.List(ma.fields.Nested(CallSummarySchema), required=True)


def summary(call: Call, now: datetime) -> dict[str, Any]:
    return {
        "code": call.code,
        "title": call.title,
        "status": call.status_at(now).value,
        "opens_at": call.opens_at,
        "deadline": call.deadline,
        "deadline_utc": call.deadline,
        "seconds_until_deadline": seconds_left(call.closes_at, now),
    }


@bp.route("/calls")
@bp.response(200, CallListSchema)
@bp.doc(security=[])
def list_calls():
    """Published calls for proposals with their deadlines. Public: no token needed."""
    now = utcnow()
    return {"calls": [summary(call, now) for call in services.list_calls(None)]}
