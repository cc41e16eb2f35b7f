"""Texts that come from the design system's components are in the reader's language."""

import re

from tests.factories import make_call, make_proposal, make_user


def _title(body: str) -> str:
    return re.search(r"<title>(.*?)</title>", body, re.S).group(1).strip()


def test_a_page_with_errors_says_so_in_its_title_and_before_each_error_in_dutch(client):
    body = client.post("/auth/register", data={}).get_data(as_text=True)
    assert _title(body).startswith("Fout: ")
    assert '<span class="govuk-visually-hidden">Fout:</span>' in body
    assert "Error:" not in body


def test_the_same_in_english(client):
    client.post("/language", data={"language": "en", "next": "/auth/register"})
    body = client.post("/auth/register", data={}).get_data(as_text=True)
    assert _title(body).startswith("Error: ")
    assert '<span class="govuk-visually-hidden">Error:</span>' in body


def test_a_page_without_errors_has_a_plain_title(client):
    assert not _title(client.get("/auth/register").get_data(as_text=True)).startswith("Fout")


def test_the_character_count_speaks_dutch(client, login):
    user = login(make_user("applicant"))
    proposal = make_proposal(make_call(), user)
    body = client.get(f"/proposals/{proposal.id}/edit/design").get_data(as_text=True)
    assert "govuk-character-count" in body
    assert "U kunt maximaal" in body
    assert 'data-i18n.characters-under-limit.other="U hebt nog %{count} tekens over"' in body
    assert "You can enter" not in body and "remaining" not in body
