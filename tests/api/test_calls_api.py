"""GET /api/v1/calls: public, published calls only, deadlines as instants."""

import re
from datetime import datetime, timedelta

from app.calls.services import parse_local
from app.core.time import utcnow
from tests.factories import make_call


def _calls(client) -> dict[str, dict]:
    response = client.get("/api/v1/calls")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"calls"}
    return {call["code"]: call for call in body["calls"]}


def test_the_list_is_public_and_has_the_documented_shape(client):
    make_call(
        code="ESF-2027",
        title="ESF e-leren 2027",
        opens_at=parse_local("2026-01-15 09:00"),
        deadline=parse_local("2027-03-31 23:59:59"),
    )
    calls = _calls(client)  # no Authorization header
    call = calls["ESF-2027"]
    assert set(call) == {
        "code",
        "title",
        "status",
        "opens_at",
        "deadline",
        "deadline_utc",
        "seconds_until_deadline",
    }
    assert call["title"] == "ESF e-leren 2027"
    assert call["opens_at"] == "2026-01-15T09:00:00+01:00"  # winter: UTC+1
    assert call["deadline"] == "2027-03-31T23:59:59+02:00"  # summer: UTC+2
    assert call["deadline_utc"] == "2027-03-31T21:59:59Z"
    assert isinstance(call["seconds_until_deadline"], int)


def test_the_times_are_the_same_instant(client):
    deadline = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    make_call(code="ESF-OPEN", deadline=deadline)
    call = _calls(client)["ESF-OPEN"]
    assert call["status"] == "open"
    assert call["deadline_utc"].endswith("Z")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", call["deadline"])
    as_utc = datetime.fromisoformat(call["deadline_utc"].replace("Z", "+00:00"))
    assert datetime.fromisoformat(call["deadline"]) == as_utc == deadline
    # three days, give or take the time the request took (the stated second is included)
    assert 3 * 86400 - 5 <= call["seconds_until_deadline"] <= 3 * 86400 + 1


def test_seconds_until_deadline_is_zero_once_passed(client):
    now = utcnow()
    make_call(
        code="ESF-2021",
        opens_at=parse_local("2021-01-15 09:00"),
        deadline=parse_local("2021-03-31 23:59:59"),
    )
    make_call(code="ESF-NET", opens_at=now - timedelta(days=3), deadline=now - timedelta(seconds=2))
    calls = _calls(client)
    assert calls["ESF-2021"]["seconds_until_deadline"] == 0
    assert calls["ESF-2021"]["status"] == "closed"
    assert calls["ESF-2021"]["deadline_utc"] == "2021-03-31T21:59:59Z"
    assert calls["ESF-NET"]["seconds_until_deadline"] == 0


def test_drafts_are_not_listed(client):
    make_call(code="ESF-CONCEPT", publish=False)
    make_call(code="ESF-OPEN")
    assert set(_calls(client)) == {"ESF-OPEN"}


def test_an_empty_list(client):
    assert _calls(client) == {}


def test_the_path_is_in_the_openapi_document_without_security(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/calls"]["get"]
    assert operation["security"] == []  # public: no token
    assert "200" in operation["responses"]
    schemas = spec["components"]["schemas"]
    summary = schemas["CallSummary"]
    assert set(summary["required"]) == {
        "code",
        "title",
        "status",
        "opens_at",
        "deadline",
        "deadline_utc",
        "seconds_until_deadline",
    }
    assert summary["properties"]["deadline_utc"]["format"] == "date-time"
    assert summary["properties"]["seconds_until_deadline"]["type"] == "integer"
