"""The proposals list: paginated, filtered and sorted in SQL, with the organisation's own
deadline (an extension shown as such), the same number of queries at any size."""

from datetime import timedelta

import sqlalchemy as sa

from app.calls import services as calls
from app.core.db import db
from app.core.pagination import PER_PAGE
from app.core.time import utcnow
from app.proposals import listing
from tests.factories import make_call, make_organisation, make_proposal, make_user


def _page(client, url="/proposals/"):
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _queries(client, url):
    statements = []

    def _before(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", _before)
    try:
        _page(client, url)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", _before)
    return len(statements)


def test_an_official_pages_through_every_proposal_with_the_same_queries(client, login):
    call = make_call(code="LIST")
    applicant = make_user("applicant")
    for _ in range(3):
        make_proposal(call, applicant, complete=False)
    login(make_user("official"))
    small = _queries(client, "/proposals/")
    for _ in range(PER_PAGE):
        make_proposal(call, applicant, complete=False)
    assert _queries(client, "/proposals/") == small
    page, _filters = listing.proposal_page(make_user("official"), {})
    assert page.total == PER_PAGE + 3 and len(page.items) == PER_PAGE
    body = _page(client, "/proposals/?page=2")
    assert body.count('<tr class="govuk-table__row">') == 3 + 1  # the header row and 3 rows


def test_filters_by_call_status_and_text_live_in_the_url(client, login):
    first, second = make_call(code="AAA"), make_call(code="BBB")
    user = login(make_user("applicant"))
    vr = make_proposal(first, user, complete=False, title="Lassen in VR", acronym="LASVR")
    make_proposal(first, user, submit=True, title="Heftruck")
    other = make_proposal(second, user, complete=False, title="Zorgkundige")
    body = _page(client, "/proposals/?call=aaa&status=draft")
    assert vr.reference in body and other.reference not in body and "Heftruck" not in body
    body = _page(client, "/proposals/?q=lasvr")
    assert vr.reference in body and other.reference not in body
    body = _page(client, "/proposals/?q=100%25_")  # LIKE wildcards are taken literally
    assert "Lassen" not in body
    body = _page(client, "/proposals/?status=nonsense&sort=evil&page=-1")
    assert vr.reference in body and other.reference in body


def test_an_applicant_sees_only_their_organisations_proposals(client, login):
    call = make_call()
    mine = make_proposal(call, login(make_user("applicant")), complete=False)
    theirs = make_proposal(call, make_user("applicant"), complete=False)
    body = _page(client)
    assert mine.reference in body and theirs.reference not in body
    assert "?call=" not in body or call.code in body


def test_an_extension_shows_as_the_organisations_own_deadline(client, login):
    call = make_call(deadline=utcnow() + timedelta(days=5))
    organisation = make_organisation()
    user = login(make_user("applicant", organisation=organisation))
    make_proposal(call, user, complete=False)
    calls.grant_extension(
        make_user("official"),
        call.id,
        organisation.id,
        call.deadline + timedelta(days=3),
        "Overmacht: brand",
    )
    rows = listing.proposal_page(user, {})[0].items
    assert rows[0].extended and rows[0].deadline == call.deadline + timedelta(days=3)
    assert "Verlengd" in _page(client) or "Extended" in _page(client)


def test_sorting_by_reference_and_deadline():
    early, late = (
        make_call(code="E", deadline=utcnow() + timedelta(days=2)),
        make_call(code="L", deadline=utcnow() + timedelta(days=9)),
    )
    user = make_user("applicant")
    b = make_proposal(late, user, complete=False)
    a = make_proposal(early, user, complete=False)
    by_deadline = [
        r.proposal.id for r in listing.proposal_page(user, {"sort": "deadline"})[0].items
    ]
    assert by_deadline == [a.id, b.id]
    by_reference = [
        r.proposal.reference for r in listing.proposal_page(user, {"sort": "reference"})[0].items
    ]
    assert by_reference == sorted(by_reference)
