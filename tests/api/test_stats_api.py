"""The statistics API: exact shapes and known answers, who may use it, and its documentation."""

import pytest
import sqlalchemy as sa

from app.auth import tokens as auth_tokens
from app.core.db import db
from app.reporting import services
from tests import snapshots
from tests.factories import make_user
from tests.reporting.fixtures import World, at, build_world, submit, write

STATS = "/api/v1/calls/ESF-2021/stats"
PROPOSALS = "/api/v1/calls/ESF-2021/proposals"


@pytest.fixture(scope="module")
def world_snapshot(app):
    """The reporting world built once per module (and worker)."""
    return snapshots.build_once(app, build_world)


@pytest.fixture
def world(world_snapshot) -> World:
    return snapshots.put_back(world_snapshot)


def _bearer(user) -> dict[str, str]:
    _token, plain = auth_tokens.create_token(user, user, "stats test")
    return {"Authorization": f"Bearer {plain}"}


@pytest.fixture
def headers(world):
    return _bearer(world.official)


def _error(response, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert body["error"]["status"] == status
    assert body["error"]["message"]
    return body["error"]["message"]


def test_stats_have_exactly_the_documented_shape(client, world, headers):
    response = client.get(STATS, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {
        "call",
        "as_of",
        "proposals",
        "by_technology",
        "verified_by_technology",
        "vr_or_ai",
        "vr_and_ai",
        "by_project_type",
        "by_provider_type",
        "requested_budget_eur",
        "verified_vr_or_ai",
    }
    assert body["verified_vr_or_ai"] == 0  # nothing verified yet
    assert body["call"] == "ESF-2021"
    assert body["proposals"] == {"draft": 1, "submitted": 3, "withdrawn": 1}
    assert set(body["by_technology"]) == set(world.call.technologies)
    assert set(body["verified_by_technology"]) == set(world.call.technologies)
    assert body["by_technology"]["vr"] == 1 and body["by_technology"]["ai"] == 2
    assert body["vr_or_ai"] == 2
    assert body["vr_and_ai"] == 1
    assert body["by_project_type"] == {"convert": 2, "adapt": 1, "new": 0}
    assert body["by_provider_type"] == {"public": 2, "private": 1}
    assert body["requested_budget_eur"] == "152346.17"
    assert body["as_of"].endswith(("+01:00", "+02:00"))  # Brussels offset


def test_stats_as_of_a_moment(client, world, headers):
    body = client.get(
        STATS, query_string={"as_of": "2021-03-15T12:00:00+01:00"}, headers=headers
    ).get_json()
    assert body["as_of"] == "2021-03-15T12:00:00+01:00"
    assert body["proposals"]["submitted"] == 3
    assert body["vr_or_ai"] == 3
    assert body["requested_budget_eur"] == "160000.00"
    # UTC and naive Brussels time name the same instant
    for text in ("2021-03-15T11:00:00Z", "2021-03-15T12:00:00"):
        assert client.get(STATS, query_string={"as_of": text}, headers=headers).get_json() == body
    before = client.get(
        STATS, query_string={"as_of": "2021-03-01T00:00:00Z"}, headers=headers
    ).get_json()
    assert before["proposals"]["submitted"] == 0 and before["vr_or_ai"] == 0
    assert before["requested_budget_eur"] == "0.00"


def test_stats_count_verified_technologies(client, world, headers):
    services.verify_technologies(world.official, world.p1.id, ["vr"], version_number=1)
    body = client.get(STATS, headers=headers).get_json()
    assert body["verified_by_technology"]["vr"] == 1
    assert body["verified_by_technology"]["ai"] == 0
    assert body["verified_vr_or_ai"] == 1
    assert body["by_technology"]["ai"] == 2


def test_bad_as_of_is_400_with_a_clear_message(client, world, headers):
    message = _error(client.get(STATS, query_string={"as_of": "gisteren"}, headers=headers), 400)
    assert "ISO 8601" in message or "8601" in message
    _error(client.get(PROPOSALS, query_string={"as_of": "2021-02-30"}, headers=headers), 400)


def test_future_as_of_means_now(client, world, headers):
    body = client.get(
        STATS, query_string={"as_of": "2999-01-01T00:00:00Z"}, headers=headers
    ).get_json()
    assert body["as_of"] < "2999"
    assert body["proposals"]["submitted"] == 3


def test_who_may_not(client, world):
    _error(client.get(STATS), 401)
    _error(client.get(PROPOSALS), 401)
    _error(client.get(STATS, headers={"Authorization": "Bearer esf_nonsense"}), 401)
    for user in (world.public_user, make_user("evaluator"), make_user("admin")):
        _error(client.get(STATS, headers=_bearer(user)), 403)
        _error(client.get(PROPOSALS, headers=_bearer(user)), 403)


def test_unknown_call_is_404(client, world, headers):
    _error(client.get("/api/v1/calls/NOPE/stats", headers=headers), 404)
    _error(client.get("/api/v1/calls/NOPE/proposals", headers=headers), 404)


def test_session_cookie_does_not_open_the_api(client, world, login):
    login(world.official)
    _error(client.get(STATS), 401)


def test_proposals_with_declared_and_verified_technologies(client, world, headers):
    services.verify_technologies(world.official, world.p1.id, ["vr"], version_number=1)
    response = client.get(PROPOSALS, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert {k: body[k] for k in ("call", "page", "per_page", "pages", "total")} == {
        "call": "ESF-2021",
        "page": 1,
        "per_page": 100,
        "pages": 1,
        "total": 3,
    }
    by_reference = {p["reference"]: p for p in body["proposals"]}
    assert list(by_reference) == sorted(by_reference)
    p1 = by_reference[world.p1.reference]
    assert p1["declared_technologies"] == ["vr", "ai"]
    assert p1["verified_technologies"] == ["vr"]
    assert p1["verified_by"] == "Olivia Official"
    assert p1["project_type"] == "convert"
    assert p1["provider_type"] == "public"
    assert p1["requested_eur"] == "90000.00"
    assert p1["practice_oriented"] is True
    p2 = by_reference[world.p2.reference]
    assert p2["version"] == 2
    assert p2["verified_technologies"] is None
    assert p2["first_submitted_at"].startswith("2021-03-05T12:00:00")
    assert p2["submitted_at"].startswith("2021-03-20T12:00:00")
    assert world.p3.reference not in by_reference  # withdrawn
    assert world.p4.reference not in by_reference  # draft


def test_proposals_paginate_and_go_back_in_time(client, world, headers):
    first = client.get(PROPOSALS, query_string={"per_page": 2}, headers=headers).get_json()
    second = client.get(
        PROPOSALS, query_string={"per_page": 2, "page": 2}, headers=headers
    ).get_json()
    assert (first["pages"], first["total"]) == (2, 3)
    assert len(first["proposals"]) == 2 and len(second["proposals"]) == 1
    references = [p["reference"] for p in first["proposals"] + second["proposals"]]
    assert len(set(references)) == 3
    past = client.get(
        PROPOSALS, query_string={"as_of": "2021-03-15T12:00:00+01:00"}, headers=headers
    ).get_json()
    rows = {p["reference"]: p for p in past["proposals"]}
    assert world.p3.reference in rows  # not yet withdrawn then
    assert rows[world.p2.reference]["declared_technologies"] == ["vr", "lms"]
    assert rows[world.p2.reference]["version"] == 1
    response = client.get(PROPOSALS, query_string={"per_page": 0}, headers=headers)
    assert response.status_code == 422


def test_openapi_documents_both_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/calls/{code}/stats", "/api/v1/calls/{code}/proposals"):
        operation = spec["paths"][path]["get"]
        assert operation["security"] == [{"bearerAuth": []}]
        assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])
        names = {
            p["name"] for p in operation["parameters"] + spec["paths"][path].get("parameters", [])
        }
        assert {"as_of", "code"} <= names
    proposals = spec["paths"]["/api/v1/calls/{code}/proposals"]["get"]
    assert {"page", "per_page"} <= {p["name"] for p in proposals["parameters"]}
    schema = spec["components"]["schemas"]["CallStats"]
    assert set(schema["required"]) == {
        "call",
        "as_of",
        "proposals",
        "by_technology",
        "verified_by_technology",
        "vr_or_ai",
        "vr_and_ai",
        "by_project_type",
        "by_provider_type",
        "requested_budget_eur",
        "verified_vr_or_ai",
    }


def _count(client, url, headers):
    statements = []

    def _before(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.expire_all()  # each request starts from a clean session, as in production
    sa.event.listen(db.engine, "before_cursor_execute", _before)
    try:
        assert client.get(url, headers=headers).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", _before)
    return len(statements)


def test_api_runs_a_fixed_number_of_queries(client, world, headers):
    def add(n):
        for i in range(n):
            proposal = write(
                world.private_user, world.call, at(2), title=f"Extra {i}", technologies=["vr", "ai"]
            )
            submit(world.private_user, proposal, at(3))
            submit(world.private_user, proposal, at(6), technologies=["ai"])
            services.verify_technologies(world.official, proposal.id, ["ai"], version_number=2)

    # The first use of a token records it (a write, at most once a minute): not measured.
    client.get("/api/v1/me", headers=headers)
    add(2)
    small = (_count(client, STATS, headers), _count(client, PROPOSALS, headers))
    assert small == (9, 6)  # the token's user read with the token
    add(8)
    assert (_count(client, STATS, headers), _count(client, PROPOSALS, headers)) == small
    assert client.get(STATS, headers=headers).get_json()["proposals"]["submitted"] == 13
