"""The OpenAPI document, and every API operation checked against it with Schemathesis."""

import schemathesis
from hypothesis import HealthCheck, given, settings

from app.auth import tokens as auth_tokens
from tests.factories import make_call, make_user


def test_openapi_document_lists_me_with_bearer_security(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    me = spec["paths"]["/api/v1/me"]["get"]
    assert me["security"] == [{"bearerAuth": []}]
    assert "200" in me["responses"]
    assert "401" in me["responses"]
    # ?lang= (the language of the messages) is documented on every path
    for path, item in spec["paths"].items():
        lang = [p for p in item.get("parameters", []) if p["name"] == "lang"]
        assert lang and lang[0]["schema"]["enum"] == ["nl", "en"], path


def test_every_api_operation_conforms_to_its_schema(app):
    """Schemathesis drives each operation on the WSGI app and validates the responses.

    The session ``app`` only exists at run time, so the schema is loaded inside the test
    (``schemathesis.pytest.from_fixture`` does not work with pytest 9) and each operation
    is driven with Hypothesis through ``operation.as_strategy()``.
    """
    official = make_user("official")
    make_call()  # a published call, so /api/v1/calls returns a non-empty list to validate
    _token, plain = auth_tokens.create_token(official, official, "schemathesis")
    headers = {"Authorization": f"Bearer {plain}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # A NUL anywhere in a query string is refused before any view, with a 400 in the
    # reader's language (app.core.security; tests/core/test_error_pages.py): not generated.
    schema.config.generation.update(allow_x00=False)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert any(op.path == "/api/v1/me" and op.method.upper() == "GET" for op in operations)
    assert any(op.path == "/api/v1/calls" and op.method.upper() == "GET" for op in operations)

    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=10, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case):
            response = case.call_and_validate(headers=headers)
            statuses.append(response.status_code)

        check()
    assert 200 in statuses, statuses  # the token really authenticated


def test_the_error_bodies_the_api_sends_are_the_ones_its_document_describes(app):
    """Refused parameters (422, flask-smorest's response on every operation with
    arguments), a bad moment (400), no token (401) and an unknown call (404), each sent by
    the app and validated by Schemathesis against the document."""
    official = make_user("official")
    call = make_call()
    _token, plain = auth_tokens.create_token(official, official, "errors")
    headers = {"Authorization": f"Bearer {plain}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    yoy = schema["/api/v1/monitoring/yoy"]["GET"]
    stats = schema["/api/v1/calls/{code}/stats"]["GET"]
    cases = [
        (yoy.Case(query={"year": "twee", "base": "1999"}, headers=headers), 422),
        (
            stats.Case(
                path_parameters={"code": call.code}, query={"as_of": "gisteren"}, headers=headers
            ),
            400,
        ),
        (stats.Case(path_parameters={"code": call.code}), 401),
        (stats.Case(path_parameters={"code": "GEEN"}, headers=headers), 404),
    ]
    for case, status in cases:
        response = case.call_and_validate()
        assert response.status_code == status, response.text
        assert set(response.json()["error"]) >= {"status", "message"}
    refused = cases[0][0].call().json()["error"]
    assert set(refused["errors"]["query"]) == {"year", "base"}
