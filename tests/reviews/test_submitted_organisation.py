"""Evaluators, officials, exports and the API show the organisation as the submitted version
froze it: renaming it (or changing its type) after the deadline changes none of them."""

import csv
import io
import json

from flask import render_template

from app.auth import tokens as auth_tokens
from app.calls.models import Call
from app.core.cache import cache
from app.core.db import db
from app.organisations import services as organisations
from app.organisations.models import ProviderType
from app.proposals import services as proposals
from app.reviews import facts, queries, result_queries
from app.reviews.models import Outcome
from app.reviews.rules import admissibility as admissibility_rules
from app.reviews.rules import decisions as decisions_rules
from tests.reviews.factories import (
    BASE,
    CODE,
    count_page_queries,
    kept_reviewed_world,
)

RENAMED = "Hernoemd Na Indiening"


_BUILT: dict = {}  # per set of arguments: the rows of the first build in this process


def _rename(world, provider_type=None):
    """Every applicant organisation renamed (and optionally retyped) after submission."""
    frozen = []
    for n, proposal in enumerate(world.proposals):
        organisation = proposal.organisation
        frozen.append(organisation.legal_name)
        organisations.update_organisation(
            world.official,
            organisation.id,
            organisations.OrganisationInput(
                legal_name=f"{RENAMED} {n}",
                enterprise_number=organisation.enterprise_number,
                provider_type=provider_type or organisation.provider_type,
                street=organisation.street,
                postal_code=organisation.postal_code,
                city=organisation.city,
            ),
        )
    db.session.expire_all()
    return frozen


def _text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_official_pages_show_the_submitted_name(client, login):
    world = kept_reviewed_world(_BUILT, count=3)
    frozen = _rename(world)
    login(world.official)
    for url in (
        f"{BASE}/admissibility",
        f"{BASE}/assignments",
        f"{BASE}/ranking",
        f"{BASE}/proposals/{world.proposals[0].id}/consensus",
        "/proposals/",
    ):
        page = _text(client.get(url))
        assert RENAMED not in page, url
        assert frozen[0] in page, url


def test_sorting_by_organisation_follows_the_submitted_name(client, login):
    world = kept_reviewed_world(_BUILT, count=3)
    frozen = _rename(world)
    # Renamed in reverse order: sorting by today's names would reverse the list.
    for n, proposal in enumerate(world.proposals):
        db.session.execute(
            db.text("UPDATE organisations SET legal_name = :name WHERE id = :id"),
            {"name": f"{RENAMED} {9 - n}", "id": proposal.organisation_id},
        )
    db.session.commit()
    login(world.official)
    page = _text(client.get(f"{BASE}/admissibility?sort=organisation"))
    positions = [page.index(name) for name in sorted(frozen)]
    assert positions == sorted(positions)


def test_exports_the_api_and_the_decision_record_show_the_submitted_name(client, login):
    world = kept_reviewed_world(_BUILT, count=3)
    frozen = _rename(world)
    login(world.official)
    rows = list(
        csv.DictReader(io.StringIO(_text(client.get(f"{BASE}/ranking.csv")).lstrip("\ufeff")))
    )
    assert sorted(r["organisation"] for r in rows) == sorted(frozen)

    _token, plain = auth_tokens.create_token(world.official, world.official, "t")
    response = client.get(
        f"/api/v1/calls/{CODE}/ranking", headers={"Authorization": f"Bearer {plain}"}
    )
    body = response.get_json()
    assert response.status_code == 200, body
    assert sorted(r["organisation"] for r in body["rows"]) == sorted(frozen)

    decisions_rules.publish_decision(world.official, world.call.id)
    record = json.loads(_text(client.get(f"{BASE}/decisions/1.json")))
    assert sorted(r["organisation"] for r in record["data"]["rows"]) == sorted(frozen)

    # The evaluation summary report (its HTML, as WeasyPrint receives it).
    proposal, result = result_queries.summary_of(world.official, world.proposals[0].id, "en")
    summary = render_template(
        "reviews/summary.html",
        proposal=proposal,
        result=result,
        version=proposals.counting_version(proposal),
        Outcome=Outcome,
    )
    assert frozen[0] in summary and RENAMED not in summary


def test_evaluator_pages_show_the_submitted_name(client, login):
    world = kept_reviewed_world(_BUILT, count=1)
    frozen = _rename(world)
    evaluator = world.evaluators[0]
    assignment = facts.my_assignments(evaluator)[0]
    [summary] = queries.assignment_overview(evaluator)
    assert summary.organisation == frozen[0]
    assert queries.conflict_facts(evaluator, assignment.id).organisation == frozen[0]
    login(evaluator)
    for url in ("/evaluation/", f"/evaluation/assignments/{assignment.id}"):
        page = _text(client.get(url))
        assert frozen[0] in page and RENAMED not in page, url


def test_admissibility_weighs_the_provider_type_submitted():
    world = kept_reviewed_world(_BUILT, count=1, reviews=False, consensus=False)
    call = db.session.get(Call, world.call.id)
    call.provider_types = [ProviderType.private.value]  # the call admits private providers
    db.session.commit()
    _rename(world, provider_type=ProviderType.public)
    proposal = world.proposals[0]
    assert admissibility_rules.admissibility_checks(proposal)["provider_type"]
    [row] = queries.admissibility_overview(world.official, call)
    assert row.checks["provider_type"]


def test_the_lists_read_the_submitted_name_without_more_queries(client, login):
    """The frozen organisation comes with each proposal's row: no query more once renamed."""
    world = kept_reviewed_world(_BUILT, count=3)
    login(world.official)
    urls = (f"{BASE}/admissibility", f"{BASE}/assignments", f"{BASE}/ranking", "/proposals/")
    before = []
    for url in urls:
        cache().clear()
        before.append(count_page_queries(client, url))
    _rename(world)
    after = []
    for url in urls:
        cache().clear()
        after.append(count_page_queries(client, url))
    assert after == before
