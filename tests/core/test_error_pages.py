"""One error template for every status: the heading names the kind, the status is kept."""

import pytest
from flask import request
from flask_babel import force_locale
from werkzeug.exceptions import BadRequestKeyError

from tests.factories import make_user


@pytest.mark.parametrize(
    ("language", "heading"), [("nl", "Pagina niet gevonden"), ("en", "Page not found")]
)
def test_not_found(client, language, heading):
    client.post("/language", data={"language": language})
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in page
    assert "404" in page.split("</title>")[0]


def test_forbidden_and_other_statuses_share_the_template(client, login):
    login(make_user("applicant"))
    forbidden = client.get("/audit/")
    assert forbidden.status_code == 403
    assert '<h1 class="govuk-heading-l">Niet toegestaan</h1>' in forbidden.get_data(as_text=True)
    not_allowed = client.delete("/")
    assert not_allowed.status_code == 405
    assert '<h1 class="govuk-heading-l">Dit is niet gelukt</h1>' in not_allowed.get_data(
        as_text=True
    )


def test_the_api_still_answers_in_json(client):
    response = client.get("/api/v1/bestaat-niet")
    assert response.status_code == 404
    assert response.json["error"]["status"] == 404
    # an API client asked for a record, not a page: the text does not speak of a page
    assert response.json["error"]["message"] == (
        "Er is niets gevonden op dit adres, of u hebt er geen toegang toe."
    )
    from app.auth import tokens as auth_tokens

    official = make_user("official")
    _token, plain = auth_tokens.create_token(official, official, "errors")
    unknown_call = client.get(
        "/api/v1/calls/GEEN/stats?lang=en", headers={"Authorization": f"Bearer {plain}"}
    )
    assert unknown_call.status_code == 404
    assert unknown_call.json["error"]["message"] == (
        "Nothing was found at this address, or it is not yours to see."
    )


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nl", "Het verzoek is niet begrepen: controleer het adres of wat u typte."),
        ("en", "The request could not be understood: check the address or what was typed."),
    ],
)
def test_a_bad_request_is_explained_in_the_readers_language(client, language, message):
    client.post("/language", data={"language": language})
    response = client.get("/calls/?q=a%00b")  # a NUL: refused before any view
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "The browser (or proxy)" not in page


def test_the_api_names_the_refused_parameters_and_refuses_a_nul(client):
    from app.auth import tokens as auth_tokens

    official = make_user("official")
    _token, plain = auth_tokens.create_token(official, official, "errors")
    headers = {"Authorization": f"Bearer {plain}"}

    missing = client.get("/api/v1/monitoring/profile?project=X&lang=en", headers=headers)
    assert missing.status_code == 422
    error = missing.json["error"]
    assert error["message"] == "Some of the request's parameters are missing or not valid."
    assert set(error["errors"]["query"]) == {"from", "to"}

    nul = client.get("/api/v1/monitoring/profile?project=a%00b&lang=en", headers=headers)
    assert nul.status_code == 400
    assert nul.json["error"]["message"].startswith("The request could not be understood")

    dutch = client.get("/api/v1/monitoring/profile?project=X", headers=headers)
    assert dutch.json["error"]["message"].startswith("Enkele parameters")


def test_werkzeugs_own_wording_never_reaches_the_reader(app):
    """A form field read as ``request.form[...]`` that is missing (BadRequestKeyError, a
    BadRequest of its own kind): Werkzeug's English text is replaced like any other."""
    with app.test_request_context("/", method="POST", data={}):
        try:
            request.form["missing"]
        except BadRequestKeyError as exc:
            response = app.make_response(app.handle_http_exception(exc))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The browser (or proxy)" not in page
    assert "Het verzoek is niet begrepen" in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            {
                "year": ["Not a whole number."],
                "base": ["Must be from 2000 to 2100."],
                "months": ["Not in the form the API's description gives for this parameter."],
            },
        ),
        (
            "nl",
            {
                "year": ["Geen geheel getal."],
                "base": ["Moet van 2000 tot en met 2100 zijn."],
                "months": ["Niet in de vorm die de API-beschrijving voor deze parameter geeft."],
            },
        ),
    ],
)
def test_the_api_says_why_each_parameter_was_refused_in_the_readers_language(
    client, language, expected
):
    from app.auth import tokens as auth_tokens

    official = make_user("official")
    _token, plain = auth_tokens.create_token(official, official, "errors")
    response = client.get(
        f"/api/v1/monitoring/yoy?year=twee&base=1999&months=13&lang={language}",
        headers={"Authorization": f"Bearer {plain}"},
    )
    assert response.status_code == 422
    assert response.json["error"]["errors"]["query"] == expected


def test_each_message_marshmallow_gives_is_translated_and_others_pass_unchanged(app):
    """The wordings are recognised as marshmallow writes them today (a schema refuses real
    values), their values kept; a message of our own passes as it is."""
    import marshmallow as ma

    from app.api.messages import translated

    schema = ma.Schema.from_dict(
        {
            "required": ma.fields.Integer(required=True),
            "page": ma.fields.Integer(validate=ma.validate.Range(min=1)),
            "limit": ma.fields.Integer(validate=ma.validate.Range(max=500)),
            "mode": ma.fields.String(validate=ma.validate.OneOf(["online", "physical"])),
            "day": ma.fields.Date(),
            "flag": ma.fields.Boolean(),
            "ratio": ma.fields.Float(),
            "name": ma.fields.String(allow_none=False),
        }
    )()
    refused = schema.validate(
        {
            "page": 0,
            "limit": 501,
            "mode": "post",
            "day": "31/03",
            "flag": "misschien",
            "ratio": "veel",
            "name": None,
        }
    )
    with app.test_request_context("/"), force_locale("nl"):
        dutch = translated(refused)
        assert translated({"as_of": ["Ons eigen bericht."]}) == {"as_of": ["Ons eigen bericht."]}
    assert dutch == {
        "required": ["Deze parameter is verplicht."],
        "page": ["Moet minstens 1 zijn."],
        "limit": ["Mag hoogstens 500 zijn."],
        "mode": ["Moet een van deze zijn: online, physical."],
        "day": ["Geen datum: schrijf ze als JJJJ-MM-DD, bv. 2027-03-31."],
        "flag": ["Moet true of false zijn."],
        "ratio": ["Geen getal."],
        "name": ["Deze parameter mag niet leeg zijn."],
    }
