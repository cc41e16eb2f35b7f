"""Officials' list pages at two data sizes: the same number of queries, at most 50 rows a
page (page, sort and filters in the URL), never a body over 300 KB; the evaluator's list
without a query per assignment."""

import re
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.core import pagination
from app.core.db import db
from app.core.time import brussels
from app.proposals import services as proposals
from app.proposals.models import Proposal, ProposalVersion
from app.reviews import facts
from app.reviews.models import (
    Admissibility,
    AdmissibilityCheck,
    Assignment,
    ConsensusScore,
    Review,
    Score,
)
from app.reviews.rules import admissibility as admissibility_rules
from app.reviews.rules import assignment as assignment_rules
from app.reviews.rules import conflicts as conflicts_rules
from app.reviews.rules import consensus as consensus_rules
from app.reviews.rules import criteria as criteria_rules
from app.reviews.rules import scoring as scoring_rules
from app.reviews.rules.criteria import CriterionInput
from tests import snapshots
from tests.factories import allow_fewer_reviews, complete_fields, make_call, make_user

CODE = "LIST-2021"
BASE = f"/evaluation/calls/{CODE}"
OPEN = datetime(2021, 3, 1, tzinfo=UTC)
MAX_BYTES = 300 * 1024
LIST_PAGES = (
    f"{BASE}/admissibility",
    f"{BASE}/assignments",
    f"{BASE}/overview",
    f"{BASE}/ranking",
    f"/reporting/calls/{CODE}/proposals",
)
# The statements of each page's first request (the caches empty), at any size: a new one
# is a decision, never an accident.
QUERIES = {
    f"{BASE}/admissibility": 12,
    f"{BASE}/assignments": 10,
    f"{BASE}/overview": 18,
    f"{BASE}/ranking": 14,
    f"/reporting/calls/{CODE}/proposals": 9,
}


_BUILT: dict = {}  # per count: the rows of the first build in this process


def _kept_world(count: int):
    """``_world(count)``, built once per process and count, then its rows written back."""
    return snapshots.kept(_BUILT, count, lambda: _world(count))


def _world(count: int = 2):
    """A closed call: ``count`` admissible proposals, three evaluators each with submitted
    reviews, the consensus recorded; one evaluator declared a conflict on the first."""
    call = make_call(
        code=CODE,
        opens_at=brussels(2021, 1, 1),
        deadline=brussels(2021, 3, 31, 23, 59, 59),
        budget_eur=Decimal("200000.00"),
    )
    criteria = criteria_rules.set_criteria(
        None,
        call.id,
        [
            CriterionInput("Criterium 1", "Criterion 1", Decimal("60"), threshold=Decimal("2")),
            CriterionInput("Criterium 2", "Criterion 2", Decimal("40")),
        ],
    )
    official = make_user("official", language="en")
    evaluators = [make_user("evaluator", name=f"Evaluator {n}") for n in range(4)]
    made = []
    for i in range(count):
        user = make_user("applicant")
        organisation_id = sorted(user.organisation_ids)[0]
        proposal = proposals.create_proposal(user, call.id, organisation_id, received_at=OPEN)
        proposals.update_proposal(
            user,
            proposal.id,
            complete_fields(title=f"Project {i}", requested_eur=Decimal("30000.00")),
            proposal.revision,
            received_at=OPEN,
        )
        proposals.submit_proposal(user, proposal.id, received_at=OPEN)
        admissibility_rules.decide_admissibility(official, proposal.id, Admissibility.admissible)
        made.append(proposal)
    assignment_rules.auto_assign(official, call.id)
    conflicted = False
    for evaluator in evaluators:
        for assignment in facts.my_assignments(evaluator):
            if not conflicted:
                conflicts_rules.declare(evaluator, assignment.id, True, "Mijn vroegere werkgever")
                conflicted = True
                continue
            conflicts_rules.declare(evaluator, assignment.id, False)
            scoring_rules.save_review(
                evaluator,
                assignment.id,
                {criteria[0].id: ("4", "Goed"), criteria[1].id: ("3", "Degelijk")},
            )
            scoring_rules.submit_review(evaluator, assignment.id)
    allow_fewer_reviews(official, *made)  # the conflicted one is a review short
    for proposal in made:
        for criterion in criteria:
            consensus_rules.record_consensus(official, proposal.id, criterion.id, "4", "Eens")
    return call, official, evaluators, made


def _clone(proposal_id: int, times: int) -> None:
    """``times`` copies of a proposal with its version, admissibility, assignments,
    reviews, scores and consensus: bulk rows, as a large call would have them."""

    def rows(model, **where):
        table = model.__table__
        query = sa.select(table)
        for column, value in where.items():
            query = query.where(
                table.c[column].in_(value) if isinstance(value, list) else table.c[column] == value
            )
        return [dict(row._mapping) for row in db.session.execute(query)]

    def next_id(model) -> int:
        return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1

    source = rows(Proposal, id=proposal_id)[0]
    versions = rows(ProposalVersion, proposal_id=proposal_id)
    check = rows(AdmissibilityCheck, proposal_id=proposal_id)[0]
    assignments = rows(Assignment, proposal_id=proposal_id)
    reviews = rows(Review, assignment_id=[a["id"] for a in assignments])
    scores = rows(Score, review_id=[r["id"] for r in reviews])
    consensus = rows(ConsensusScore, proposal_id=proposal_id)
    for n in range(times):
        pid = next_id(Proposal)
        db.session.execute(
            Proposal.__table__.insert(),
            [
                {
                    **source,
                    "id": pid,
                    "reference": f"{source['reference']}-{n:03d}",
                    "title": f"Copy {n:03d}",
                }
            ],
        )
        version_ids = {}
        for version in versions:
            version_ids[version["id"]] = vid = next_id(ProposalVersion)
            db.session.execute(
                ProposalVersion.__table__.insert(), [{**version, "id": vid, "proposal_id": pid}]
            )
        db.session.execute(
            AdmissibilityCheck.__table__.insert(),
            [
                {
                    **check,
                    "id": next_id(AdmissibilityCheck),
                    "proposal_id": pid,
                    "version_id": version_ids[check["version_id"]],
                }
            ],
        )
        for assignment in assignments:
            aid = next_id(Assignment)
            db.session.execute(
                Assignment.__table__.insert(), [{**assignment, "id": aid, "proposal_id": pid}]
            )
            for review in (r for r in reviews if r["assignment_id"] == assignment["id"]):
                rid = next_id(Review)
                db.session.execute(
                    Review.__table__.insert(), [{**review, "id": rid, "assignment_id": aid}]
                )
                for score in (s for s in scores if s["review_id"] == review["id"]):
                    db.session.execute(
                        Score.__table__.insert(),
                        [{**score, "id": next_id(Score), "review_id": rid}],
                    )
        for item in consensus:
            db.session.execute(
                ConsensusScore.__table__.insert(),
                [{**item, "id": next_id(ConsensusScore), "proposal_id": pid}],
            )
    db.session.commit()


def _get(client, url: str) -> tuple[int, str]:
    statements = []

    def _before(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.expire_all()
    sa.event.listen(db.engine, "before_cursor_execute", _before)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", _before)
    assert response.status_code == 200, (url, response.status_code)
    body = response.get_data(as_text=True)
    assert len(response.data) < MAX_BYTES, (url, len(response.data))
    return len(statements), body


def _rows(url: str, body: str) -> int:
    if "/reporting/" in url:
        return body.count("data-reference=")
    if url.endswith("/ranking"):
        return body.count('/consensus">')
    if url.endswith("/overview"):
        return body.count(">Consensus<span")
    return body.count('class="govuk-summary-card" id="proposal-')


@pytest.fixture
def as_official(client, login):
    def _as(user):
        login(user)
        with client.session_transaction() as session:
            session["language"] = "en"

    return _as


def test_list_pages_run_the_same_queries_and_show_fifty_rows_at_most(client, as_official):
    _call, official, _evaluators, made = _kept_world(2)
    as_official(official)
    small = {url: _get(client, url)[0] for url in LIST_PAGES}
    assert small == QUERIES
    _clone(made[1].id, 60)  # 62 proposals: two pages
    for url in LIST_PAGES:
        queries, body = _get(client, url)
        assert queries == small[url], url
        assert _rows(url, body) == pagination.PER_PAGE, url
        assert "Showing 1 to 50 of 62" in body, url
        queries, body = _get(client, f"{url}?page=2")
        assert _rows(url, body) == 12, url
        assert "Showing 51 to 62 of 62" in body, url
    # past the last page: the last page; nonsense: the first
    assert "Showing 51 to 62" in _get(client, f"{BASE}/admissibility?page=9")[1]
    assert "Showing 1 to 50" in _get(client, f"{BASE}/admissibility?page=x")[1]


def test_ranking_shows_the_budget_line_and_totals_from_every_row_on_every_page(
    client, as_official, monkeypatch
):
    _call, official, _evaluators, made = _kept_world(2)
    _clone(made[1].id, 8)  # ten proposals of 30 000 in a budget of 200 000: six funded
    monkeypatch.setattr(pagination, "PER_PAGE", 4)
    as_official(official)
    pages = [_get(client, f"{BASE}/ranking?page={n}")[1] for n in (1, 2, 3)]
    for body in pages:
        assert "€ 180.000,00" in body or "€180,000.00" in body  # funded total: all rows
        assert "After rank 6 of 10 ranked proposals (6 funded)." in body
    assert [body.count("Budget line</strong>") for body in pages] == [0, 1, 0]
    body = _get(client, f"{BASE}/ranking?outcome=funded")[1]
    assert "Showing 1 to 4 of 6" in body


def test_assignments_page_counts_short_proposals_and_loads_over_the_whole_call(client, as_official):
    _call, official, evaluators, made = _kept_world(2)
    _clone(made[1].id, 60)  # 62 proposals on two pages; the counts are over all of them
    as_official(official)
    assignments = db.session.scalars(sa.select(Assignment)).all()
    active = [a for a in assignments if a.is_active]
    per_proposal = Counter(a.proposal_id for a in active)
    short = sorted(pid for pid in {a.proposal_id for a in assignments} if per_proposal[pid] < 3)
    assert len(short) == 1  # the declared conflict
    body = _get(client, f"{BASE}/assignments")[1]
    assert "Short of evaluators: 1 of 62 admissible proposals." in body
    assert f'href="{BASE}/loads"' in body
    loads = Counter(a.evaluator_id for a in active)
    body = _get(client, f"{BASE}/loads")[1]
    for evaluator in evaluators:
        assert re.search(
            rf"{evaluator.name} <span[^>]*>\({re.escape(evaluator.email)}\)</span></td>\s*"
            rf"<td[^>]*>{loads[evaluator.id]}</td>",
            body,
        ), evaluator.name
    # the heaviest first, then by name; the range over every evaluator
    shown = [e.name for e in sorted(evaluators, key=lambda e: (-loads[e.id], e.name, e.id))]
    assert [body.index(name) for name in shown] == sorted(body.index(name) for name in shown)
    lowest, highest = min(loads[e.id] for e in evaluators), max(loads.values())
    assert f"from {lowest} to {highest} per evaluator" in body
    body = _get(client, f"{BASE}/assignments?state=short")[1]
    assert "Showing 1 to 1 of 1" in body and "Short of evaluators: 1 of 62" in body
    [proposal] = [p for p in made if p.id == short[0]]
    assert f'id="proposal-{proposal.id}"' in body


def test_loads_are_paginated_in_sql_with_the_same_queries(client, as_official, monkeypatch):
    _call, official, evaluators, _made = _world(2)
    as_official(official)
    queries, body = _get(client, f"{BASE}/loads?sort=name")
    names = sorted(e.name for e in evaluators)
    assert [body.index(n) for n in names] == sorted(body.index(n) for n in names)
    monkeypatch.setattr(pagination, "PER_PAGE", 3)
    extra = [make_user("evaluator", name=f"Idle {n}") for n in range(5)]  # nine evaluators
    first = _get(client, f"{BASE}/loads")
    assert first[0] == queries
    assert "Showing 1 to 3 of 9" in first[1]
    last = _get(client, f"{BASE}/loads?page=3")[1]
    assert "Showing 7 to 9 of 9" in last
    assert all(f"{e.name} <span" in last for e in extra[2:])  # no load: last, by name
    assert "from 0 to" in last


def test_admissibility_assignments_and_overview_filter_and_sort_in_the_url(client, as_official):
    _call, official, evaluators, made = _kept_world(2)
    as_official(official)
    first, second = made
    check = db.session.scalar(
        sa.select(AdmissibilityCheck).where(AdmissibilityCheck.proposal_id == second.id)
    )
    db.session.delete(check)
    db.session.commit()
    body = _get(client, f"{BASE}/admissibility?state=undecided")[1]
    assert second.reference in body and first.reference not in body
    assert "1 of 2 proposals decided." in body
    # a decision keeps the list's filter and page
    response = client.post(
        f"{BASE}/proposals/{second.id}/admissibility?state=undecided",
        data={f"p{second.id}-result": "admissible"},
    )
    assert response.status_code == 302 and "state=undecided" in response.location
    assert "No proposal to show." in client.get(response.location).get_data(as_text=True)
    body = _get(client, f"{BASE}/assignments?state=conflict")[1]
    assert first.reference in body and second.reference not in body
    assert "Mijn vroegere werkgever" in body and "<select" not in body
    assert "No proposal to show." in _get(client, f"{BASE}/overview?state=pending")[1]
    taken = set(
        db.session.scalars(
            sa.select(Assignment.evaluator_id).where(Assignment.proposal_id == first.id)
        )
    )
    assignment_rules.assign(official, first.id, next(e.id for e in evaluators if e.id not in taken))
    body = _get(client, f"{BASE}/overview?state=pending")[1]
    assert first.reference in body and second.reference not in body  # one review short
    body = _get(client, f"{BASE}/overview?state=complete")[1]
    assert second.reference in body and first.reference not in body
    body = _get(client, f"{BASE}/admissibility?sort=title")[1]
    assert body.index(first.reference) < body.index(second.reference)


def test_an_unknown_sort_or_filter_shows_the_one_applied_as_current(client, as_official):
    """The page marks the sort and filter the service applied (the defaults for values it
    does not know), not what the address asked for."""
    _call, official, _evaluators, _made = _kept_world(2)
    as_official(official)
    for page in ("admissibility", "assignments", "overview"):
        body = _get(client, f"{BASE}/{page}?sort=%27%3B--&state=nonsense")[1]
        current = re.findall(r'<strong aria-current="true">([^<]+)</strong>', body)
        assert current == ["All", "Reference"], page


def test_the_evaluators_list_runs_the_same_queries_whatever_the_assignments(client, login):
    _call, _official, evaluators, made = _kept_world(2)
    evaluator = next(e for e in evaluators if facts.my_assignments(e))
    login(evaluator)
    small, body = _get(client, "/evaluation/")
    before = len(re.findall(r"/evaluation/assignments/\d+\"", body))
    _clone(made[1].id, 20)
    large, body = _get(client, "/evaluation/")
    assert len(re.findall(r"/evaluation/assignments/\d+\"", body)) > before
    assert large == small


def test_admissibility_filters_on_the_release_in_sql_with_the_same_queries(client, as_official):
    """``state=unreleased``: decided, the applicant not told yet (or told an earlier
    decision); ``state=released``: told as it stands. Counted and paged in SQL."""
    call, official, _evaluators, made = _kept_world(3)
    first, second, third = made
    preview = admissibility_rules.release_preview(official, call.id)
    admissibility_rules.release_results(official, call.id, preview.token)
    # the first changes after its release: a correction waits; the third is undecided again
    admissibility_rules.decide_admissibility(
        official, first.id, Admissibility.inadmissible, "De begroting ontbreekt."
    )
    db.session.delete(
        db.session.scalar(
            sa.select(AdmissibilityCheck).where(AdmissibilityCheck.proposal_id == third.id)
        )
    )
    db.session.commit()
    as_official(official)

    def shown(state: str) -> set[str]:
        body = _get(client, f"{BASE}/admissibility?state={state}")[1]
        return {p.reference for p in made if f"{p.reference} · " in body}

    assert shown("unreleased") == {first.reference}
    assert shown("released") == {second.reference}
    assert shown("undecided") == {third.reference}
    assert shown("all") == {p.reference for p in made}
    body = _get(client, f"{BASE}/admissibility")[1]
    assert "Decided, not released yet" in body and "?state=unreleased" in body
    small = {
        state: _get(client, f"{BASE}/admissibility?state={state}")[0]
        for state in ("unreleased", "released")
    }
    _clone(second.id, 60)  # 60 more released, unchanged
    _clone(first.id, 55)  # 55 more changed since their release
    for state, total in (("released", 61), ("unreleased", 56)):
        queries, body = _get(client, f"{BASE}/admissibility?state={state}")
        assert queries == small[state], state
        assert _rows(f"{BASE}/admissibility", body) == pagination.PER_PAGE
        assert f"Showing 1 to 50 of {total}" in body, state
        queries, body = _get(client, f"{BASE}/admissibility?state={state}&page=2")
        assert queries == small[state], state
        assert _rows(f"{BASE}/admissibility", body) == total - 50
    assert "Showing 1 to 1 of 1" in _get(client, f"{BASE}/admissibility?state=undecided")[1]
    # the banner counts every decision not released, and links to the filter
    body = _get(client, f"{BASE}/admissibility")[1]
    assert "56 decisions have not been sent to the applicants yet." in body
