"""The moment a request arrives: stamped by the middleware, optionally by the proxy."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.core.time import RECEIVED_AT_KEY, RecordArrival, parse_request_start

NOW = datetime(2021, 3, 31, 22, 0, 0, 200000, tzinfo=UTC)


def _arrival(headers: dict, trust: bool) -> datetime:
    seen = {}

    def app(environ, start_response):
        seen["at"] = environ[RECEIVED_AT_KEY]
        return []

    with time_machine.travel(NOW, tick=False):
        RecordArrival(app, trust_request_start=trust)(dict(headers), lambda *a: None)
    return seen["at"]


@pytest.mark.parametrize(("value", "expected"), [
    ("t=1617227999.900", datetime(2021, 3, 31, 21, 59, 59, 900000, tzinfo=UTC)),
    ("1617227999900", datetime(2021, 3, 31, 21, 59, 59, 900000, tzinfo=UTC)),
    ("1617227999900000", datetime(2021, 3, 31, 21, 59, 59, 900000, tzinfo=UTC)),
    ("t=nonsense", None), ("", None),
])
def test_parse_request_start(value, expected):
    assert parse_request_start(value) == expected


def test_the_proxy_stamp_counts_only_when_trusted():
    header = {"HTTP_X_REQUEST_START": "t=1617227999.900"}  # 21:59:59.9, queued 300 ms
    assert _arrival(header, trust=False) == NOW
    assert _arrival(header, trust=True) == datetime(2021, 3, 31, 21, 59, 59, 900000, tzinfo=UTC)


def test_a_stamp_in_the_future_or_far_in_the_past_is_ignored():
    future = (NOW + timedelta(seconds=5)).timestamp()
    old = (NOW - timedelta(minutes=5)).timestamp()
    assert _arrival({"HTTP_X_REQUEST_START": f"t={future:.3f}"}, trust=True) == NOW
    assert _arrival({"HTTP_X_REQUEST_START": f"t={old:.3f}"}, trust=True) == NOW
