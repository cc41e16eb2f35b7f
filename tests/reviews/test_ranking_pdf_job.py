"""The ranking PDF prepared as a background job (jobs run inline in tests): the official
who asked follows it and downloads it; nobody else gets it."""

import pytest

from tests.factories import make_user
from tests.reviews.factories import reviewed_world


def test_the_official_prepares_and_downloads_the_ranking_pdf(client, login):
    world = reviewed_world(count=3)
    login(world.official)
    response = client.post(f"/evaluation/calls/{world.call.code}/ranking.pdf/prepare")
    assert response.status_code == 302
    location = response.headers["Location"]
    document_id = location.split("?")[0].rsplit("/", 1)[1]
    page = client.get(location).get_data(as_text=True)
    assert f"/documents/{document_id}/file" in page
    assert f"/evaluation/calls/{world.call.code}/ranking" in page  # the way back
    download = client.get(f"/documents/{document_id}/file")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert f"rangschikking-{world.call.code}-" in download.headers["Content-Disposition"]
    client.post("/auth/logout")
    login(make_user("official"))
    assert client.get(f"/documents/{document_id}/file").status_code == 404
    assert client.get(f"/documents/{document_id}").status_code == 404


@pytest.mark.parametrize("role", ["applicant", "evaluator", "admin"])
def test_only_officials_may_prepare_the_ranking_pdf(client, login, role):
    world = reviewed_world(count=1, reviews=False, consensus=False)
    login(make_user(role))
    assert (
        client.post(f"/evaluation/calls/{world.call.code}/ranking.pdf/prepare").status_code == 403
    )
