"""Attachments: downloads are never cached, names lose invisible direction characters."""

import io

import pytest

from app.proposals import services
from tests.factories import make_call, make_proposal, make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_download_is_never_stored_in_a_cache(client, login):
    user = login(make_user("applicant"))
    proposal = make_proposal(make_call(), user, complete=False)
    attachment = services.add_attachment(user, proposal.id, "plan.pdf", io.BytesIO(PDF))

    response = client.get(f"/proposals/{proposal.id}/files/{attachment.sha256}")

    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("factuur\u202efdp.exe", "factuurfdp.exe.pdf"),  # right-to-left override
        ("\u2066plan\u2069.pdf", "plan.pdf"),  # isolates
        ("plan\u200f\u200e\u061c.pdf", "plan.pdf"),  # marks
        ("begroting\u202a\u202b\u202c\u202d.pdf", "begroting.pdf"),  # embeddings
        ("plan\ufeff\u200b.pdf", "plan.pdf"),  # zero-width
    ],
)
def test_attachment_names_lose_invisible_direction_characters(typed, stored):
    user = make_user("applicant")
    proposal = make_proposal(make_call(), user, complete=False)
    attachment = services.add_attachment(user, proposal.id, typed, io.BytesIO(PDF))
    assert attachment.filename == stored
