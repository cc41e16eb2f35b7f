"""One format for moments and money across the API (app.api.fields): moments as ISO 8601 with
the Europe/Brussels offset (or UTC with Z where a field says so), amounts as exact decimal
strings with two decimals."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import marshmallow as ma
import pytest

from app.api.fields import Amount, BrusselsDateTime, TwoPlaces, UtcDateTime
from app.auth import tokens as auth_tokens
from app.calls.services import parse_local
from tests.factories import make_call
from tests.reporting.fixtures import build_world

BRUSSELS_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+0[12]:00")
AMOUNT = re.compile(r"\d+\.\d\d")


class _Sample(ma.Schema):
    at = BrusselsDateTime(allow_none=True)
    at_utc = UtcDateTime(allow_none=True)
    eur = Amount(allow_none=True)
    score = TwoPlaces()


def test_moments_carry_the_brussels_offset_of_their_season():
    schema = _Sample()
    winter = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
    summer = datetime(2027, 3, 31, 21, 59, 59, tzinfo=UTC)
    assert schema.dump({"at": winter})["at"] == "2027-01-15T09:00:00+01:00"
    assert schema.dump({"at": summer})["at"] == "2027-03-31T23:59:59+02:00"
    assert schema.dump({"at_utc": summer})["at_utc"] == "2027-03-31T21:59:59Z"
    assert schema.dump({"at": None, "at_utc": None}) == {"at": None, "at_utc": None}


def test_amounts_are_exact_strings_with_two_decimals():
    schema = _Sample()
    assert schema.dump({"eur": Decimal("150000")})["eur"] == "150000.00"
    assert schema.dump({"eur": Decimal("1234567.8")})["eur"] == "1234567.80"
    assert schema.dump({"eur": Decimal("0.10")})["eur"] == "0.10"
    assert schema.dump({"eur": None})["eur"] is None
    assert schema.dump({"score": Decimal("72.5")})["score"] == "72.50"
    # the same rounding as the format string it replaces
    assert schema.dump({"score": Decimal("72.125")})["score"] == f"{Decimal('72.125'):.2f}"


def _check_formats(value, key: str = "") -> int:
    """Every moment (``as_of``, ``*_at``, ``deadline``) and amount (``*_eur``) in ``value``;
    returns how many were checked."""
    if isinstance(value, dict):
        return sum(_check_formats(item, name) for name, item in value.items())
    if isinstance(value, list):
        return sum(_check_formats(item, key) for item in value)
    if value is None:
        return 0
    if key in ("as_of", "deadline") or key.endswith("_at"):
        assert BRUSSELS_MOMENT.fullmatch(value), (key, value)
        return 1
    if key.endswith("_eur"):
        assert isinstance(value, str) and AMOUNT.fullmatch(value), (key, value)
        return 1
    return 0


def test_calls_give_brussels_and_utc_moments(client):
    make_call(
        code="ESF-2027",
        opens_at=parse_local("2026-01-15 09:00"),
        deadline=parse_local("2027-03-31 23:59:59"),
    )
    body = client.get("/api/v1/calls").get_json()
    (call,) = body["calls"]
    assert _check_formats(body) == 2  # opens_at, deadline
    assert call["deadline_utc"] == "2027-03-31T21:59:59Z"


@pytest.fixture
def official_headers():
    world = build_world()
    _token, plain = auth_tokens.create_token(world.official, world.official, "format test")
    return {"Authorization": f"Bearer {plain}"}


def test_statistics_and_proposals_use_one_format(client, official_headers):
    stats = client.get("/api/v1/calls/ESF-2021/stats", headers=official_headers)
    proposals = client.get("/api/v1/calls/ESF-2021/proposals", headers=official_headers)
    assert stats.status_code == proposals.status_code == 200
    assert _check_formats(stats.get_json()) == 2  # as_of, requested_budget_eur
    body = proposals.get_json()
    assert body["proposals"]
    # as_of, and per proposal at least submitted_at, first_submitted_at and requested_eur
    assert _check_formats(body) >= 1 + 3 * len(body["proposals"])
