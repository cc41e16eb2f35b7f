"""The home page after login: each role's start panel, counted in SQL, the same number of
queries at any size; and nobody sees another role's panel."""

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import force_locale, gettext
from markupsafe import escape

from app.core.db import db
from app.core.time import utcnow
from app.main import dashboards
from app.reviews.models import Assignment, AssignmentStatus, DecisionRecord, Outcome
from tests.factories import make_call, make_proposal, make_user


def _nl(message: str, **variables) -> str:
    with force_locale("nl"):
        return str(escape(gettext(message, **variables)))


def _home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _statements(client) -> list[str]:
    statements: list[str] = []

    def _before(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", _before)
    try:
        _home(client)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", _before)
    return statements


def _queries(client) -> int:
    return len(_statements(client))


def _decide(call, outcomes: dict, number: int = 1) -> DecisionRecord:
    record = DecisionRecord(
        call_id=call.id,
        number=number,
        published_at=utcnow(),
        reason="",
        data={
            "rows": [
                {"proposal_id": pid, "outcome": outcome.value} for pid, outcome in outcomes.items()
            ]
        },
        fingerprint="0" * 64,
        notified_on=date.today(),
        objection_until=date.today() + timedelta(days=15),
    )
    db.session.add(record)
    db.session.commit()
    return record


def test_an_applicant_sees_their_proposals_with_deadline_and_outcome(client, login):
    call = make_call()
    user = login(make_user("applicant"))
    funded = make_proposal(call, user, submit=True, title="Lassen in VR")
    draft = make_proposal(call, user, complete=False)
    stranger = make_proposal(call, make_user("applicant"), submit=True)
    _decide(call, {funded.id: Outcome.funded, stranger.id: Outcome.reserve})
    page = _home(client)
    assert _nl("Your organisation's proposals") in page
    assert funded.reference in page and draft.reference in page
    assert stranger.reference not in page
    assert _nl("Approved") in page and _nl("Not decided yet") in page
    assert _nl("Calls in progress") not in page and _nl("Your evaluation work") not in page


def test_an_evaluator_sees_open_work_first(client, login):
    call = make_call()
    evaluator = login(make_user("evaluator"))
    for _ in range(2):
        proposal = make_proposal(call, make_user("applicant"), submit=True)
        db.session.add(
            Assignment(
                proposal_id=proposal.id,
                evaluator_id=evaluator.id,
                status=AssignmentStatus.awaiting_declaration,
            )
        )
    db.session.commit()
    work = dashboards.evaluator(evaluator)
    assert (work.to_declare, work.to_score, work.submitted) == (2, 0, 0)
    page = _home(client)
    assert _nl("Your evaluation work") in page
    assert "2" in page and _nl("Go to your assignments") in page
    assert _nl("Your organisation's proposals") not in page


def test_an_officials_pipeline_counts_each_call_in_sql(client, login):
    first = make_call(code="PIPE-1")
    make_call(code="PIPE-2")
    applicant = make_user("applicant")
    make_proposal(first, applicant, complete=False)
    submitted = [make_proposal(first, make_user("applicant"), submit=True) for _ in range(3)]
    _decide(first, {submitted[1].id: Outcome.funded, submitted[2].id: Outcome.reserve})
    official = login(make_user("official"))
    page_obj = dashboards.official({})
    lines = {line.call.code: line for line in page_obj.items}
    assert (lines["PIPE-1"].drafts, lines["PIPE-1"].submitted) == (1, 3)
    assert lines["PIPE-1"].admissibility_open == 3 and lines["PIPE-1"].decisions == 1
    assert lines["PIPE-1"].outcomes == {"funded": 1, "reserve": 1}
    assert (lines["PIPE-2"].drafts, lines["PIPE-2"].submitted) == (0, 0)
    page = _home(client)
    assert _nl("Calls in progress") in page and "PIPE-1" in page
    assert official.is_official


def test_the_officials_home_costs_the_same_queries_at_two_sizes(client, login):
    call = make_call(code="SIZE-1")
    make_proposal(call, make_user("applicant"), submit=True)
    login(make_user("official"))
    small = _queries(client)
    for n in range(6):
        proposal = make_proposal(
            make_call(code=f"SIZE-{n + 2}"), make_user("applicant"), submit=True
        )
        make_proposal(proposal.call, make_user("applicant"), complete=False)
    assert _queries(client) == small


def test_the_applicants_home_costs_the_same_queries_at_two_sizes(client, login):
    user = login(make_user("applicant"))
    call = make_call()
    make_proposal(call, user, submit=True)
    small = _queries(client)
    for _ in range(12):
        make_proposal(make_call(), user, complete=False)
    assert _queries(client) == small


def test_an_admin_sees_the_accounts_per_role(client, login):
    make_user("applicant")
    make_user("evaluator")
    login(make_user("admin"))
    page = _home(client)
    assert _nl("Manage the accounts") in page
    assert _nl("Calls in progress") not in page


def test_a_visitor_sees_no_dashboard(client):
    page = _home(client)
    for heading in (
        "Calls in progress",
        "Your evaluation work",
        "Your organisation's proposals",
        "Manage the accounts",
    ):
        assert _nl(heading) not in page


def test_the_home_pages_never_load_a_decision_records_json(client, login):
    """The outcomes are read from the newest record in SQL: the same queries whether the
    ranking holds two rows or two hundred, and no query selects the record's data."""
    call = make_call(code="BIG-1")
    user = make_user("applicant")
    mine = make_proposal(call, user, submit=True)
    other = make_proposal(call, make_user("applicant"), submit=True)
    _decide(call, {mine.id: Outcome.funded, other.id: Outcome.reserve})
    official = make_user("official")
    login(official)
    small = _statements(client)
    # a newer record with a large ranking (ids of proposals that are not shown)
    big = {mine.id: Outcome.rejected} | {10_000 + n: Outcome.funded for n in range(200)}
    _decide(call, big, number=2)
    large = _statements(client)
    assert len(large) == len(small)
    assert not any("decision_records.data" in s for s in large)
    line = next(x for x in dashboards.official({}).items if x.call.code == "BIG-1")
    assert line.outcomes == {"funded": 200, "rejected": 1} and line.decisions == 2
    login(user)
    assert dashboards._outcomes([mine, other]) == {mine.id: Outcome.rejected}
