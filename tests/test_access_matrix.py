"""Who may open what: every route of ``tests/access_matrix.py``'s table, for every audience."""

import re
from urllib.parse import urlsplit

import pytest
from flask import url_for
from werkzeug.security import generate_password_hash

from app.auth import services as auth_services
from app.auth import tokens as auth_tokens
from app.core.db import db
from tests import access_matrix, snapshots
from tests.access_matrix import (
    ACCESS,
    ALSO_ON_THE_EVALUATED_CALL,
    AUDIENCES,
    EVALUATED,
    World,
    audience_user,
    build_world,
    locations,
    rules,
    url_args,
)
from tests.factories import DEFAULT_PASSWORD, make_user


def test_every_route_is_in_the_table(app):
    routes = {(rule.endpoint, method) for rule, method in rules(app)}
    missing = sorted(routes - ACCESS.keys())
    stale = sorted(ACCESS.keys() - routes)
    assert not missing, f"add these routes to ACCESS in {access_matrix.__file__}: {missing}"
    assert not stale, f"these ACCESS entries match no route any more: {stale}"


def test_every_entry_names_every_audience():
    for key, expected in ACCESS.items():
        assert set(expected) == set(AUDIENCES), key


def test_the_evaluated_call_lists_name_get_routes():
    for endpoint in EVALUATED | ALSO_ON_THE_EVALUATED_CALL:
        assert any(e == endpoint for e, _method in ACCESS), endpoint
    for endpoint in ALSO_ON_THE_EVALUATED_CALL:
        assert (endpoint, "GET") in ACCESS, endpoint
    assert not EVALUATED & ALSO_ON_THE_EVALUATED_CALL


@pytest.fixture(scope="module")
def world_snapshot(app):
    """The world built once per module (and worker), each audience logged in once through
    the login form; each test starts from its rows (the server-side sessions included) and
    puts the audience's session into its client."""
    with app.app_context():
        world = build_world()
        db.session.commit()
        sessions = {}
        for audience in AUDIENCES:
            user = audience_user(audience, world)
            if user is not None:
                sessions[audience] = _logged_in_session(app, user)
        built = snapshots.keys_of(world), snapshots.take(), sessions
        db.session.remove()
        snapshots.wipe()
    return built


def _logged_in_session(app, user) -> dict:
    client = app.test_client()
    response = client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    with client.session_transaction() as session:
        return dict(session)


@pytest.fixture
def world(world_snapshot) -> World:
    keys, snapshot, _sessions = world_snapshot
    snapshots.restore(snapshot)
    return snapshots.load(World, keys)


@pytest.fixture
def sessions(world_snapshot) -> dict[str, dict]:
    """Each audience's session after its login, as its browser's cookie would carry it."""
    return world_snapshot[2]


# Known app bugs: the table holds the status after the fix; strict xfail flags the fix.
KNOWN_BUGS: dict = {}

CASES = [
    pytest.param(
        endpoint,
        method,
        audience,
        False,
        id=f"{endpoint}-{method}-{audience}",
        marks=[pytest.mark.xfail(strict=True, raises=KNOWN_BUGS[key][0], reason=KNOWN_BUGS[key][1])]
        if (key := (endpoint, method, audience)) in KNOWN_BUGS
        else [],
    )
    for (endpoint, method) in ACCESS
    for audience in AUDIENCES
] + [  # the same rows on the evaluated call's objects
    pytest.param(endpoint, "GET", audience, True, id=f"{endpoint}-GET-{audience}-evaluated")
    for endpoint in sorted(ALSO_ON_THE_EVALUATED_CALL)
    for audience in AUDIENCES
]


@pytest.fixture(autouse=True)
def _fast_hashes(monkeypatch):
    """Cheap password hashes: this module tests access, not hashing (scrypt made it slow)."""
    monkeypatch.setattr(
        auth_services,
        "hash_password",
        lambda password: generate_password_hash(password, "pbkdf2:sha256:1"),
    )


@pytest.mark.parametrize(("endpoint", "method", "audience", "evaluated"), CASES)
def test_access(app, client, world, sessions, endpoint, method, audience, evaluated):
    rule = next((r for r, m in rules(app) if r.endpoint == endpoint and m == method), None)
    if rule is None:
        pytest.fail(f"{endpoint} {method} is in ACCESS but not a route")
    user = audience_user(audience, world)
    headers = {}
    is_api = rule.rule.startswith("/api/")
    if user is not None:
        if is_api:
            _token, plain = auth_tokens.create_token(user, user, "matrix audience")
            headers["Authorization"] = f"Bearer {plain}"
        else:
            with client.session_transaction() as session:
                session.update(sessions[audience])
    with app.test_request_context():
        url = url_for(endpoint, **url_args(rule, world, evaluated=evaluated))

    response = client.open(
        url, method=method, data={} if method == "POST" else None, headers=headers
    )

    expected = ACCESS[(endpoint, method)][audience]
    status, location = expected if isinstance(expected, tuple) else (expected, None)
    assert response.status_code == status, (
        f"{audience} {method} {url}: expected {status}, got {response.status_code} "
        f"(Location: {response.headers.get('Location')})"
    )
    if isinstance(location, re.Pattern):
        assert location.fullmatch(urlsplit(response.headers["Location"]).path)
    elif location is not None:
        location = location.format(**locations(world))
        assert urlsplit(response.headers["Location"]).path == location


def test_session_cookie_does_not_authenticate_the_api(client, login):
    login(make_user("official"))
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
