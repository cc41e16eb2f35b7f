"""Who may open what: every route of ``tests/access_matrix.py``'s table, for every audience."""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from flask import url_for
from werkzeug.security import generate_password_hash

from app.auth import services as auth_services
from app.auth import tokens as auth_tokens
from app.auth.models import User
from app.core.db import db
from tests import access_matrix, snapshots
from tests.access_matrix import (
    ACCESS,
    ALSO_ON_THE_EVALUATED_CALL,
    AUDIENCES,
    EVALUATED,
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


@dataclass(frozen=True)
class Built:
    """The matrix's world as each test needs it: its rows to put back, each case's URL and
    the redirect paths (the ids are the same after every put-back), each audience's user id
    and its session after logging in through the login form."""

    snapshot: snapshots.Snapshot
    urls: dict[tuple[str, str, bool], str]
    places: dict[str, int]
    user_ids: dict[str, int]
    sessions: dict[str, dict]


@pytest.fixture(scope="module")
def built(app) -> Built:
    """The world built once per module (and worker), each audience logged in once."""
    with app.app_context():
        world = build_world()
        db.session.commit()
        users = {a: u for a in AUDIENCES if (u := audience_user(a, world)) is not None}
        sessions = {audience: _logged_in_session(app, user) for audience, user in users.items()}
        routes = {(rule.endpoint, method): rule for rule, method in rules(app)}
        urls = {}
        with app.test_request_context():
            for case in CASES:
                endpoint, method, _audience, evaluated = case.values
                if (rule := routes.get((endpoint, method))) is not None:
                    args = url_args(rule, world, evaluated=evaluated)
                    urls[(endpoint, method, evaluated)] = url_for(endpoint, **args)
        result = Built(
            snapshots.take(),
            urls,
            locations(world),
            {audience: user.id for audience, user in users.items()},
            sessions,
        )
        db.session.remove()
        snapshots.wipe()
    return result


def _logged_in_session(app, user) -> dict:
    client = app.test_client()
    response = client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    with client.session_transaction() as session:
        return dict(session)


@pytest.fixture
def world(built) -> Built:
    """The world's rows put back (with the stored files they name)."""
    snapshots.restore(built.snapshot)
    return built


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
def test_access(client, world, endpoint, method, audience, evaluated):
    url = world.urls.get((endpoint, method, evaluated))
    if url is None:
        pytest.fail(f"{endpoint} {method} is in ACCESS but not a route")
    headers = {}
    if audience in world.user_ids:
        if url.startswith("/api/"):
            user = db.session.get(User, world.user_ids[audience])
            _token, plain = auth_tokens.create_token(user, user, "matrix audience")
            headers["Authorization"] = f"Bearer {plain}"
        else:
            with client.session_transaction() as session:
                session.update(world.sessions[audience])

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
        location = location.format(**world.places)
        assert urlsplit(response.headers["Location"]).path == location


def test_session_cookie_does_not_authenticate_the_api(client, login):
    login(make_user("official"))
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
