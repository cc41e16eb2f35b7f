"""The ranking API: the documented shape, the same rows as the ranking page, who may use it,
and its place in the OpenAPI document."""

from decimal import Decimal

import pytest

from app.auth import tokens as auth_tokens
from app.reviews import facts
from app.reviews.models import Admissibility, Outcome
from app.reviews.rules import admissibility as admissibility_rules
from app.reviews.rules import ranking as ranking_rules
from tests import snapshots
from tests.factories import make_user
from tests.reviews.factories import CODE, ReviewedWorld, reviewed_world, submitted

RANKING = f"/api/v1/calls/{CODE}/ranking"


def _bearer(user) -> dict[str, str]:
    _token, plain = auth_tokens.create_token(user, user, "ranking test")
    return {"Authorization": f"Bearer {plain}"}


def _error(response, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert body["error"]["status"] == status
    return body["error"]["message"]


def _ranked() -> ReviewedWorld:
    world = reviewed_world(count=5)
    settings = facts.settings_of(world.call)
    settings.reserve_size = 1
    ranking_rules.override_outcome(
        world.official, world.proposals[3].id, Outcome.reserve, "Regionale spreiding"
    )
    return world


@pytest.fixture(scope="module")
def world_snapshot(app):
    """The ranked call built once per module (and worker)."""
    return snapshots.build_once(app, _ranked)


@pytest.fixture
def world(world_snapshot) -> ReviewedWorld:
    return snapshots.put_back(world_snapshot)


def test_ranking_has_exactly_the_documented_shape(client, world):
    response = client.get(RANKING, headers=_bearer(world.official))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"call", "budget_eur", "rows"}
    assert body["call"] == CODE
    assert body["budget_eur"] == "200000.00"
    for row in body["rows"]:
        assert set(row) == {
            "rank",
            "proposal",
            "organisation",
            "score",
            "requested_eur",
            "cumulative_eur",
            "outcome",
            "reviews_submitted",
            "reviews_required",
            "override_reason",
        }
        assert (row["reviews_submitted"], row["reviews_required"], row["override_reason"]) == (
            3,
            3,
            None,
        )
    p1, p2, p3, p4, p5 = world.proposals
    assert [
        (
            r["proposal"],
            r["rank"],
            r["score"],
            r["requested_eur"],
            r["cumulative_eur"],
            r["outcome"],
        )
        for r in body["rows"]
    ] == [
        (p3.reference, 1, "76.00", "50000.00", "50000.00", "funded"),
        (p1.reference, 2, "72.00", "90000.00", "140000.00", "funded"),  # earlier submission
        (p2.reference, 3, "72.00", "90000.00", None, "reserve"),
        (p4.reference, 4, "68.00", "10000.00", None, "reserve"),  # overridden from rejected
        (p5.reference, None, "58.00", "20000.00", None, "below_threshold"),
    ]
    assert body["rows"][0]["organisation"] == p3.organisation.legal_name


def test_ranking_matches_the_service_and_leaves_out_incomplete_consensus(client, world):
    late, _user = submitted(world.call, language="en", requested_eur=Decimal("10000.00"))
    admissibility_rules.decide_admissibility(world.official, late.id, Admissibility.admissible)
    body = client.get(RANKING, headers=_bearer(world.official)).get_json()
    assert late.reference not in {r["proposal"] for r in body["rows"]}
    rows = [r for r in ranking_rules.ranking(world.call.id) if r.outcome is not None]
    assert [r["proposal"] for r in body["rows"]] == [r.proposal.reference for r in rows]


def test_who_may_not(client, world):
    _error(client.get(RANKING), 401)
    _error(client.get(RANKING, headers={"Authorization": "Bearer esf_nonsense"}), 401)
    for user in (world.applicants[0], world.evaluators[0], make_user("admin")):
        _error(client.get(RANKING, headers=_bearer(user)), 403)


def test_unknown_call_is_404(client, world):
    _error(client.get("/api/v1/calls/NOPE/ranking", headers=_bearer(world.official)), 404)


def test_session_cookie_does_not_open_the_ranking(client, world, login):
    login(world.official)
    _error(client.get(RANKING), 401)


def test_ranking_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/calls/{code}/ranking"]["get"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert {"200", "401", "403", "404"} <= set(operation["responses"])
    schema = spec["components"]["schemas"]["RankingRow"]
    assert schema["properties"]["outcome"]["enum"] == [
        "funded",
        "reserve",
        "rejected",
        "below_threshold",
    ]
    assert schema["properties"]["score"]["type"] == "string"
    assert "two decimals" in schema["properties"]["score"]["description"]
