"""The monitoring API: exact shapes and known answers, who may use it, its documentation."""

import pytest

from app.auth import tokens as auth_tokens
from tests.factories import make_user
from tests.monitoring.factories import make_funded_project, report_world

YOY = "/api/v1/monitoring/yoy"
PROFILE = "/api/v1/monitoring/profile"


def _bearer(user) -> dict[str, str]:
    _token, plain = auth_tokens.create_token(user, user, "monitoring test")
    return {"Authorization": f"Bearer {plain}"}


@pytest.fixture
def headers():
    return _bearer(make_user("official"))


def test_yoy_has_exactly_the_documented_shape_and_known_answers(client, headers):
    report_world()
    response = client.get(f"{YOY}?year=2026&base=2025&months=1,2", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"year", "base", "as_of", "rows"}
    assert (body["year"], body["base"]) == (2026, 2025)
    assert "+01:00" in body["as_of"] or "+02:00" in body["as_of"]
    assert len(body["rows"]) == 8
    rows = {(r["month"], r["mode"]): r for r in body["rows"]}
    assert set(rows[(1, "online")]) == {"month", "mode", "base_count", "count", "change_pct"}
    assert rows[(1, "online")] == {
        "month": 1,
        "mode": "online",
        "base_count": 4,
        "count": 6,
        "change_pct": 50.0,
    }
    assert rows[(1, "physical")]["change_pct"] == -10.0  # a drop
    assert rows[(1, "blended")]["change_pct"] is None  # a zero base
    assert rows[(2, "online")]["change_pct"] is None
    assert rows[(1, "total")]["change_pct"] == 21.4
    assert rows[(2, "total")]["change_pct"] == 166.7


@pytest.mark.parametrize("months", ["", "&months="])
def test_yoy_all_months_by_default(client, headers, months):
    body = client.get(f"{YOY}?year=2026&base=2025{months}", headers=headers).get_json()
    assert [r["month"] for r in body["rows"]][::4] == list(range(1, 13))


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?year=2026",
        "?year=x&base=2025",
        "?year=1&base=2025",
        "?year=2026&base=2025&months=13",
        "?year=2026&base=2025&months=a,b",
    ],
)
def test_yoy_invalid_parameters_are_422(client, headers, query):
    assert client.get(YOY + query, headers=headers).status_code == 422


def test_profile_known_answers(client, headers):
    project, _member = make_funded_project()
    from tests.monitoring.factories import add_enrolments

    add_enrolments(
        project,
        [
            {"started_on": "2026-03-01", "birth_year": 2000, "education": "low", "gender": "f"},
            {"started_on": "2026-03-02", "birth_year": 1968, "labour_status": "employed"},
            {"started_on": "2025-03-01"},
        ],
    )
    response = client.get(
        f"{PROFILE}?from=2026-01-01&to=2026-12-31&project={project.reference}", headers=headers
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"from", "to", "project", "as_of", "total", "breakdowns"}
    assert body["total"] == 2 and body["project"] == project.reference
    assert body["breakdowns"]["education"] == {"low": 1, "middle": 0, "high": 0, "unknown": 1}
    assert body["breakdowns"]["age_flemish"] == {
        "under_25": 0,
        "25_58": 1,
        "58_plus": 1,
        "unknown": 0,
    }
    assert body["breakdowns"]["age_esf"]["55_plus"] == 1
    assert body["breakdowns"]["labour_status"]["employed"] == 1


def test_profile_parameters(client, headers):
    empty = client.get(f"{PROFILE}?from=2026-05-01&to=2026-01-01", headers=headers)
    assert empty.status_code == 200 and empty.get_json()["total"] == 0
    assert client.get(f"{PROFILE}?from=x&to=2026-01-01", headers=headers).status_code == 422
    assert (
        client.get(
            f"{PROFILE}?from=2026-01-01&to=2026-12-31&project=NOPE", headers=headers
        ).status_code
        == 404
    )


@pytest.mark.parametrize("role", ["applicant", "evaluator", "admin"])
def test_only_officials_tokens(client, role):
    headers = _bearer(make_user(role))
    assert client.get(f"{YOY}?year=2026&base=2025", headers=headers).status_code == 403
    assert (
        client.get(f"{PROFILE}?from=2026-01-01&to=2026-12-31", headers=headers).status_code == 403
    )


def test_no_token_is_401(client):
    assert client.get(f"{YOY}?year=2026&base=2025").status_code == 401
    assert client.get(f"{PROFILE}?from=2026-01-01&to=2026-12-31").status_code == 401


def test_both_endpoints_are_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/monitoring/yoy", "/api/v1/monitoring/profile"):
        operation = spec["paths"][path]["get"]
        assert operation["security"] == [{"bearerAuth": []}]
        assert {"200", "400", "401", "403"} <= set(operation["responses"])
    names = [p["name"] for p in spec["paths"]["/api/v1/monitoring/profile"]["get"]["parameters"]]
    assert {"from", "to", "project"} <= set(names)
