"""One error template for every status: the heading names the kind, the status is kept."""

import pytest

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
