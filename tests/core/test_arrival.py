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


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("t=1617227999.900", datetime(2021, 3, 31, 21, 59, 59, 900000, tzinfo=UTC)),
        ("1617227999900", datetime(2021, 3, 31, 21, 59, 59, 900000, tzinfo=UTC)),
        ("1617227999900000", datetime(2021, 3, 31, 21, 59, 59, 900000, tzinfo=UTC)),
        ("t=nonsense", None),
        ("", None),
    ],
)
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


def _arrival_from(address: str | None, trusted="127.0.0.1 ::1", proxied_from=None) -> datetime:
    seen = {}

    def app(environ, start_response):
        seen["at"] = environ[RECEIVED_AT_KEY]
        return []

    environ = {"HTTP_X_REQUEST_START": "t=1617227999.900"}
    if address is not None:
        environ["REMOTE_ADDR"] = address
    if proxied_from is not None:  # what werkzeug's ProxyFix leaves: the client, and the peer
        environ["werkzeug.proxy_fix.orig"] = {"REMOTE_ADDR": proxied_from}
    with time_machine.travel(NOW, tick=False):
        RecordArrival(app, trusted_proxies=trusted)(environ, lambda *a: None)
    return seen["at"]


STAMP = datetime(2021, 3, 31, 21, 59, 59, 900000, tzinfo=UTC)


def test_the_stamp_is_trusted_from_the_configured_proxy_only():
    assert _arrival_from("127.0.0.1") == STAMP
    assert _arrival_from("::1") == STAMP
    assert _arrival_from("203.0.113.9") == NOW  # a client reaching the app directly
    assert _arrival_from(None) == NOW
    assert _arrival_from("10.0.0.5", trusted="10.0.0.5, 10.0.0.6") == STAMP
    assert _arrival_from("127.0.0.1", trusted="") == NOW


def test_behind_proxy_fix_the_peer_not_the_forwarded_client_decides():
    # ProxyFix put the client's (forwarded) address in REMOTE_ADDR; the peer was the proxy.
    assert _arrival_from("203.0.113.9", proxied_from="127.0.0.1") == STAMP
    # A client forging X-Forwarded-For: 127.0.0.1 while connecting from elsewhere.
    assert _arrival_from("127.0.0.1", proxied_from="203.0.113.9") == NOW


def test_the_default_configuration_trusts_the_local_proxy(app):
    """The app as create_app builds it: the stamp counts from 127.0.0.1 and ::1 only."""
    assert app.config["REQUEST_START_TRUSTED_PROXIES"] == "127.0.0.1 ::1"
    layer = app.wsgi_app
    while not isinstance(layer, RecordArrival):
        layer = layer.app
    assert layer.trusted_proxies == {"127.0.0.1", "::1"}
    assert layer.trust_request_start is False
