"""The official's evaluation pages over HTTP: each step, bad input, who may NOT see or do
them, fixed query counts, exports, decision records and the applicant's summary report."""

import csv
import hashlib
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from openpyxl import load_workbook

from app.audit.models import AuditRecord
from app.calls import services as calls
from app.calls.models import CallPhase
from app.core import pagination
from app.core.cache import cache
from app.core.db import db
from app.core.errors import DomainError
from app.core.time import brussels, utcnow
from app.proposals import services as proposals
from app.proposals.models import ProposalVersion
from app.reviews import facts, result_queries
from app.reviews.models import (
    Admissibility,
    AdmissibilityCheck,
    Assignment,
    AssignmentStatus,
    ConsensusScore,
    Criterion,
    DecisionRecord,
    EvaluationSettings,
    Outcome,
    OutcomeOverride,
    ReviewStatus,
)
from app.reviews.rules import admissibility as admissibility_rules
from app.reviews.rules import assignment as assignment_rules
from app.reviews.rules import conflicts as conflicts_rules
from app.reviews.rules import consensus as consensus_rules
from app.reviews.rules import criteria as criteria_rules
from app.reviews.rules import decisions as decisions_rules
from app.reviews.rules import ranking as ranking_rules
from app.reviews.rules import scoring as scoring_rules
from tests.factories import (
    allow_fewer_reviews,
    complete_fields,
    make_call,
    make_proposal,
    make_user,
)
from tests.reviews.factories import (
    BASE,
    CODE,
    EVALUATOR_NAMES,
    ReviewedWorld,
    count_page_queries,
    evaluation_call,
    kept_reviewed_world,
    pdf_text,
    submitted,
)


@pytest.fixture
def english(client):
    def _switch():
        with client.session_transaction() as session:
            session["language"] = "en"

    return _switch


@pytest.fixture
def as_official(login, english):
    def _as(world: ReviewedWorld):
        login(world.official)
        english()
        return world.official

    return _as


_BUILT: dict = {}  # per set of arguments: the rows of the first build in this process


def _text(response) -> str:
    return response.get_data(as_text=True)


# ---------------------------------------------------------------------------- who may not

PAGES = (
    "/evaluation/calls",
    BASE,
    f"{BASE}/criteria",
    f"{BASE}/admissibility",
    f"{BASE}/assignments",
    f"{BASE}/overview",
    f"{BASE}/ranking",
    f"{BASE}/ranking.csv",
    f"{BASE}/ranking.xlsx",
    f"{BASE}/ranking.pdf",
)
POSTS = (
    f"{BASE}/start",
    f"{BASE}/criteria",
    f"{BASE}/criteria/default",
    f"{BASE}/settings",
    f"{BASE}/assignments/auto",
    f"{BASE}/ranking/override",
    f"{BASE}/ranking/publish",
)


@pytest.mark.parametrize("role", ["applicant", "evaluator", "admin"])
def test_only_officials_use_the_evaluation_pages(client, login, role):
    world = kept_reviewed_world(_BUILT, consensus=False, count=1)
    proposal = world.proposals[0]
    assignment = db.session.scalars(sa.select(Assignment)).first()
    review = assignment.review
    user = (
        world.applicants[0]
        if role == "applicant"
        else world.evaluators[0]
        if role == "evaluator"
        else make_user("admin")
    )
    login(user)
    per_proposal = (
        f"{BASE}/proposals/{proposal.id}/consensus",
        f"{BASE}/assignments/{assignment.id}/remove",
        f"{BASE}/reviews/{review.id}/reopen",
    )
    for url in (*PAGES, *per_proposal):
        assert client.get(url).status_code == 403, url
    for url in (
        *POSTS,
        *per_proposal,
        f"{BASE}/proposals/{proposal.id}/admissibility",
        f"{BASE}/proposals/{proposal.id}/assign",
    ):
        assert client.post(url, data={"p1-reason": "x", "reason": "x"}).status_code == 403, url
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditRecord.id)).where(
                AuditRecord.actor_id == user.id, AuditRecord.action.like("call.%")
            )
        )
        == 0
    )


def test_anonymous_users_are_sent_to_the_login_page(client):
    evaluation_call()
    for url in (*PAGES, f"{BASE}/decisions/1.json", "/evaluation/summary/1.pdf"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert urlsplit(response.headers["Location"]).path == "/auth/login"
    for url in POSTS:
        response = client.post(url)
        assert response.status_code == 302, url
        assert urlsplit(response.headers["Location"]).path == "/auth/login"


def test_navigation_and_index_for_officials(client, as_official):
    world = kept_reviewed_world(_BUILT, reviews=False, consensus=False, count=2)
    as_official(world)
    home = _text(client.get("/"))
    assert 'href="/evaluation/calls"' in home
    page = _text(client.get("/evaluation/calls"))
    assert CODE in page and "Not published" in page
    assert client.get("/evaluation/calls/NOPE").status_code == 404


# ---------------------------------------------------------------------------- starting


def test_start_the_evaluation_after_the_deadline_only(client, as_official):
    world = kept_reviewed_world(_BUILT, reviews=False, consensus=False, count=1)
    as_official(world)
    page = _text(client.get(BASE))
    assert "Start the evaluation" in page
    assert "1 of 1 decided" in page
    response = client.post(f"{BASE}/start")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == BASE
    db.session.expire_all()
    assert world.call.phase is CallPhase.evaluation
    assert db.session.scalar(
        sa.select(AuditRecord).where(AuditRecord.action == "call.evaluation_started")
    )
    # again: refused with a message, nothing changes
    client.post(f"{BASE}/start")
    assert "Only a published call that has closed" in _text(client.get(BASE))

    open_call = make_call(code="OPEN-1")
    response = client.post("/evaluation/calls/OPEN-1/start", follow_redirects=True)
    assert "The evaluation starts after the deadline" in _text(response)
    db.session.expire_all()
    assert open_call.phase is CallPhase.published


def test_an_individual_extension_postpones_the_start():
    now = utcnow()
    call = make_call(
        code="EXT-1", opens_at=now - timedelta(days=20), deadline=now - timedelta(days=1)
    )
    official = make_user("official")
    applicant = make_user("applicant")
    calls.grant_extension(
        official,
        call.id,
        sorted(applicant.organisation_ids)[0],
        now + timedelta(days=2),
        "Stroomstoring",
    )
    with force_locale("en"), pytest.raises(DomainError, match="after the deadline"):
        admissibility_rules.start_evaluation(official, call.id)
    admissibility_rules.start_evaluation(official, call.id, now=now + timedelta(days=3))
    assert call.phase is CallPhase.evaluation


# ---------------------------------------------------------------------------- criteria


def test_criteria_editor_default_set_rows_and_errors(client, as_official):
    call = evaluation_call()
    official = make_user("official", language="en")
    as_official(ReviewedWorld(call, official, [], [], [], []))
    page = _text(client.get(f"{BASE}/criteria"))
    assert "No criteria are defined yet" in page
    assert client.post(f"{BASE}/criteria/default").status_code == 302
    criteria = facts.criteria_of(call.id)
    assert [c.name_en for c in criteria] == [c.name_en for c in criteria_rules.DEFAULT_CRITERIA]
    page = _text(client.get(f"{BASE}/criteria"))
    assert "Relevance and practice orientation" in page and "New criterion" in page

    rows = {
        "criteria-0-name_nl": "Relevantie",
        "criteria-0-name_en": "Relevance",
        "criteria-0-guidance_nl": "",
        "criteria-0-guidance_en": "",
        "criteria-0-weight": "60",
        "criteria-0-scale_max": "5",
        "criteria-0-step": "0,5",
        "criteria-0-threshold": "2,5",
        "criteria-1-name_nl": "",
        "criteria-1-name_en": "",
        "criteria-1-weight": "",
        "criteria-1-scale_max": "5",
        "criteria-1-step": "0,5",
        "criteria-2-name_nl": "Haalbaarheid",
        "criteria-2-name_en": "Feasibility",
        "criteria-2-weight": "40",
        "criteria-2-scale_max": "10",
        "criteria-2-step": "1",
        "criteria-2-threshold": "",
    }
    response = client.post(f"{BASE}/criteria", data=rows)
    assert response.status_code == 302, _text(response)
    db.session.expire_all()
    saved = facts.criteria_of(call.id)
    assert [(c.name_en, c.weight, c.scale_max, c.step, c.threshold) for c in saved] == [
        ("Relevance", Decimal("60"), Decimal("5"), Decimal("0.5"), Decimal("2.5")),
        ("Feasibility", Decimal("40"), Decimal("10"), Decimal("1"), None),
    ]

    # bad input: a missing weight, a scale that is no whole number of steps, a missing name
    bad = {**rows, "criteria-0-weight": "", "criteria-2-scale_max": "5,5", "criteria-2-name_en": ""}
    response = client.post(f"{BASE}/criteria", data=bad)
    assert response.status_code == 422
    page = _text(response)
    assert "Give the criterion a weight." in page
    assert 'value="Haalbaarheid"' in page  # what was typed is kept
    response = client.post(f"{BASE}/criteria", data={**rows, "criteria-0-weight": "0"})
    assert response.status_code == 422
    assert "A weight must be more than 0." in _text(response)
    response = client.post(f"{BASE}/criteria", data={**rows, "criteria-2-scale_max": "5,5"})
    assert response.status_code == 422
    assert "whole number of steps" in _text(response)
    response = client.post(f"{BASE}/criteria", data={**rows, "criteria-2-name_en": ""})
    assert response.status_code == 422
    assert 'href="#criteria-2-name_en"' in _text(response)  # the summary links the field
    assert client.post(f"{BASE}/criteria", data={}).status_code == 422
    db.session.expire_all()
    assert len(facts.criteria_of(call.id)) == 2


def test_criteria_and_outcome_settings_are_locked_once_scoring_started(client, as_official):
    world = kept_reviewed_world(_BUILT, consensus=False, count=1)
    as_official(world)
    page = _text(client.get(f"{BASE}/criteria"))
    assert "Evaluators have started scoring" in page
    assert 'name="criteria-0-name_nl"' not in page
    response = client.post(f"{BASE}/criteria/default", follow_redirects=True)
    assert "can no longer change" in _text(response)
    settings = {
        "reviews_per_proposal": "3",
        "total_threshold": "70",
        "disagreement_spread": "15",
        "reserve_size": "5",
        "objection_days": "15",
    }
    response = client.post(f"{BASE}/settings", data=settings, follow_redirects=True)
    assert "the total threshold and the size of the reserve list can no longer change" in _text(
        response
    )
    response = client.post(f"{BASE}/settings", data={**settings, "total_threshold": "60"})
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(EvaluationSettings, world.call.id)
    assert stored.disagreement_spread == Decimal("15")
    assert (
        db.session.scalar(
            sa.select(AuditRecord).where(AuditRecord.action == "call.evaluation_settings_updated")
        ).after["disagreement_spread"]
        == "15"
    )


def test_settings_form_checks_shape_and_ranges(client, as_official):
    call = evaluation_call()
    as_official(ReviewedWorld(call, make_user("official", language="en"), [], [], [], []))
    response = client.post(f"{BASE}/settings", data={})
    assert response.status_code == 422
    assert "Give the number of evaluators per proposal." in _text(response)
    response = client.post(
        f"{BASE}/settings",
        data={
            "reviews_per_proposal": "0",
            "total_threshold": "101",
            "disagreement_spread": "abc",
            "reserve_size": "2",
            "objection_days": "15",
        },
    )
    assert response.status_code == 422
    page = _text(response)
    assert "Enter a number, like 2,5." in page
    assert 'value="abc"' in page
    response = client.post(
        f"{BASE}/settings",
        data={
            "reviews_per_proposal": "0",
            "total_threshold": "101",
            "disagreement_spread": "20",
            "reserve_size": "2",
            "objection_days": "15",
        },
    )
    assert response.status_code == 422
    assert "Choose from 1 to 10 evaluators" in _text(response)
    assert "The total threshold lies from 0 to 100." in _text(response)
    response = client.post(
        f"{BASE}/settings",
        data={
            "reviews_per_proposal": "2",
            "total_threshold": "55,5",
            "disagreement_spread": "20",
            "reserve_size": "2",
            "objection_days": "20",
        },
    )
    assert response.status_code == 302
    settings = facts.settings_of(call)
    assert (settings.reviews_per_proposal, settings.total_threshold, settings.objection_days) == (
        2,
        Decimal("55.5"),
        20,
    )


# ---------------------------------------------------------------------------- admissibility


def test_admissibility_through_the_page(client, as_official):
    call = evaluation_call()
    first, _a = submitted(call, language="en")
    second, _b = submitted(call, language="en")
    official = make_user("official", language="en")
    as_official(ReviewedWorld(call, official, [], [], [], []))
    page = _text(client.get(f"{BASE}/admissibility"))
    assert first.reference in page and second.reference in page
    assert "0 of 2 proposals decided" in page
    # inadmissible without a reason: refused, the typed choice kept
    response = client.post(
        f"{BASE}/proposals/{second.id}/admissibility", data={f"p{second.id}-result": "inadmissible"}
    )
    assert response.status_code == 422
    page = _text(response)
    assert "Give the reason why the proposal is inadmissible" in page
    assert "checked" in page.split(f'name="p{second.id}-result"')[2][:80]
    assert client.post(f"{BASE}/proposals/{second.id}/admissibility", data={}).status_code == 422
    response = client.post(
        f"{BASE}/proposals/{second.id}/admissibility",
        data={f"p{second.id}-result": "inadmissible", f"p{second.id}-reason": "Budget te hoog"},
    )
    assert response.status_code == 302
    response = client.post(
        f"{BASE}/proposals/{first.id}/admissibility", data={f"p{first.id}-result": "admissible"}
    )
    assert response.status_code == 302
    decisions = {c.proposal_id: c for c in db.session.scalars(sa.select(AdmissibilityCheck))}
    assert decisions[first.id].result is Admissibility.admissible
    assert decisions[second.id].reason == "Budget te hoog"
    assert decisions[second.id].checks == {
        "on_time": True,
        "complete": True,
        "provider_type": True,
        "budget": True,
    }
    page = _text(client.get(f"{BASE}/admissibility"))
    assert "2 of 2 proposals decided" in page and "Budget te hoog" in page
    # a proposal of another call is not found through this call
    other = make_call(code="OTHER-1")
    assert (
        client.post(
            f"/evaluation/calls/{other.code}/proposals/{first.id}/admissibility",
            data={f"p{first.id}-result": "admissible"},
        ).status_code
        == 404
    )


def test_admissibility_waits_for_the_deadline_on_the_page(client, login, english):
    call = make_call(code="OPEN-2")
    user = make_user("applicant")
    proposal = make_proposal(call, user, submit=True)
    login(make_user("official"))
    english()
    page = _text(client.get("/evaluation/calls/OPEN-2/admissibility"))
    assert "Admissibility is checked after the deadline." in page
    assert f'name="p{proposal.id}-result"' not in page
    response = client.post(
        f"/evaluation/calls/OPEN-2/proposals/{proposal.id}/admissibility",
        data={f"p{proposal.id}-result": "admissible"},
        follow_redirects=True,
    )
    assert "Admissibility is checked after the deadline." in _text(response)
    assert db.session.scalar(sa.select(sa.func.count(AdmissibilityCheck.id))) == 0


# ---------------------------------------------------------------------------- assignment


def test_assignment_page_automatic_manual_remove_and_replacement(client, as_official):
    call = evaluation_call()
    official = make_user("official", language="en")
    proposal, _user = submitted(call, language="en")
    admissibility_rules.decide_admissibility(official, proposal.id, Admissibility.admissible)
    evaluators = [make_user("evaluator", name=name) for name in (*EVALUATOR_NAMES, "Reserve Ruth")]
    as_official(ReviewedWorld(call, official, [], [proposal], [], evaluators))
    page = _text(client.get(f"{BASE}/assignments"))
    assert "No evaluator assigned yet." in page
    response = client.post(f"{BASE}/assignments/auto", follow_redirects=True)
    assert "3 new assignments" in _text(response)
    active = [a for a in db.session.scalars(sa.select(Assignment)) if a.is_active]
    assert len(active) == 3
    page = _text(client.get(f"{BASE}/assignments"))
    assert page.count("Awaiting declaration") == 3
    idle = next(e for e in evaluators if e.id not in {a.evaluator_id for a in active})
    loads = _text(client.get(f"{BASE}/loads"))
    assert f'{idle.name} <span class="govuk-body-s">({idle.email})</span>' in loads

    # a declared conflict shows the reason and the proposed replacement
    victim = active[0]
    conflicts_rules.declare(
        db.session.get(type(official), victim.evaluator_id),
        victim.id,
        True,
        "Ik werkte er vorig jaar",
    )
    page = _text(client.get(f"{BASE}/assignments"))
    assert "Ik werkte er vorig jaar" in page
    # the list links to the proposal's own page, which proposes the replacement
    assert f"{BASE}/proposals/{proposal.id}/assign" in page and "<select" not in page
    page = _text(client.get(f"{BASE}/proposals/{proposal.id}/assign"))
    assert "Ik werkte er vorig jaar" in page
    assert f"Proposed replacement after the declared conflict of interest: {idle.name}." in page
    assert (
        f'<option selected value="{idle.id}">' in page
        or f'<option value="{idle.id}" selected' in page
    )

    # manual assignment: empty choice refused, then the replacement
    response = client.post(f"{BASE}/proposals/{proposal.id}/assign", data={})
    assert response.status_code == 422
    assert "Choose an evaluator." in _text(response)
    response = client.post(
        f"{BASE}/proposals/{proposal.id}/assign",
        data={f"p{proposal.id}-evaluator_id": str(victim.evaluator_id)},
    )
    assert response.status_code == 422  # declared a conflict: refused by the service
    assert "declared a conflict of interest" in _text(response)
    response = client.post(
        f"{BASE}/proposals/{proposal.id}/assign",
        data={f"p{proposal.id}-evaluator_id": str(idle.id)},
    )
    assert response.status_code == 302
    assert (
        db.session.scalar(sa.select(Assignment).where(Assignment.evaluator_id == idle.id)).automatic
        is False
    )

    # removing: a reason is required
    target = active[1]
    url = f"{BASE}/assignments/{target.id}/remove"
    assert client.get(url).status_code == 200
    response = client.post(url, data={})
    assert response.status_code == 422
    assert "Give the reason." in _text(response)
    response = client.post(url, data={"reason": "Langdurig ziek"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Assignment, target.id).status is AssignmentStatus.removed
    assert (
        db.session.scalar(
            sa.select(AuditRecord).where(AuditRecord.action == "assignment.removed")
        ).reason
        == "Langdurig ziek"
    )
    page = _text(client.get(f"{BASE}/assignments"))
    assert "Removed" in page and "1 evaluator missing" in page


# ---------------------------------------------------------------------------- reviews


def test_overview_shows_totals_spread_flag_and_calibration(client, as_official):
    world = kept_reviewed_world(_BUILT, consensus=False, count=2)
    as_official(world)
    page = _text(client.get(f"{BASE}/overview"))
    # evaluator n scores 2 + n on the heavy criterion (60) and 3 on the other (40):
    # 100 * (60 * s / 5 + 40 * 3 / 5) / 100 = 12 s + 24 -> 48, 60, 72
    for name, total in zip(EVALUATOR_NAMES, ("48", "60", "72"), strict=True):
        assert f"{name}: <strong>{total}</strong>" in page
    assert page.count("Disagreement</strong>") == 2  # spread 24 > 20, in words
    for proposal in world.proposals:
        assert f"/proposals/{proposal.id}/consensus" in page
    assert f'href="{BASE}/calibration"' in page
    calibration = _text(client.get(f"{BASE}/calibration"))
    assert "Mean difference from the others" in calibration
    # Vera 48 against (60 + 72) / 2 = 66 on both proposals: harsh; Piet lenient; Jan 60
    # against 60 on both: in the middle, so last when the largest difference comes first
    # ties on the size of the difference go by name
    assert _evaluator_order(calibration) == ["Piet Peeters", "Vera Vermeulen", "Jan Janssens"]
    by_name = _text(client.get(f"{BASE}/calibration?sort=name"))
    assert _evaluator_order(by_name) == ["Jan Janssens", "Piet Peeters", "Vera Vermeulen"]
    assert ">-18</td>" in calibration and ">+18</td>" in calibration


def _evaluator_order(page: str) -> list[str]:
    table = page[page.index('id="evaluators"') : page.index('id="criteria"')]
    names = set(EVALUATOR_NAMES)
    return [cell for cell in re.findall(r'govuk-table__cell">([^<]+)</td>', table) if cell in names]


def test_calibration_is_paginated_sorted_and_runs_fixed_queries(client, as_official, monkeypatch):
    world = kept_reviewed_world(_BUILT, consensus=False, count=2)
    as_official(world)
    queries = count_page_queries(client, f"{BASE}/calibration")
    assert queries == 17
    monkeypatch.setattr(pagination, "PER_PAGE", 2)
    extra = [make_user("evaluator", name=f"Extra {n:02d}") for n in range(2)]
    proposal = world.proposals[0]
    for evaluator in extra:  # five evaluators with a submitted review: three pages
        assignment_rules.assign(world.official, proposal.id, evaluator.id)
        assignment = next(a for a in facts.my_assignments(evaluator))
        conflicts_rules.declare(evaluator, assignment.id, False)
        scoring_rules.save_review(
            evaluator,
            assignment.id,
            {world.criteria[0].id: ("3", "Goed"), world.criteria[1].id: ("4", "Goed")},
        )
        scoring_rules.submit_review(evaluator, assignment.id)
    assert count_page_queries(client, f"{BASE}/calibration") == queries
    first = _text(client.get(f"{BASE}/calibration?sort=reviews"))
    assert "Showing 1 to 2 of 5" in first
    assert f"{BASE}/calibration?sort=reviews&amp;page=2#evaluators" in first
    # the three evaluators on both proposals have the most reviews, then by name
    assert _evaluator_order(first) == ["Jan Janssens", "Piet Peeters"]
    second = _text(client.get(f"{BASE}/calibration?sort=reviews&page=2"))
    assert "Showing 3 to 4 of 5" in second
    assert _evaluator_order(second) == ["Vera Vermeulen"] and "Extra 00" in second
    last = _text(client.get(f"{BASE}/calibration?sort=reviews&page=3"))
    assert "Showing 5 to 5 of 5" in last and "Extra 01" in last
    for hostile in ("?page=-1", "?page=99999999999", "?sort=%27%3B--", "?page=abc"):
        assert client.get(f"{BASE}/calibration{hostile}").status_code == 200


def test_review_overview_runs_a_fixed_number_of_queries(client, as_official):
    world = kept_reviewed_world(_BUILT, consensus=False, count=2)
    as_official(world)
    small = count_page_queries(client, f"{BASE}/overview")
    assert small == 18
    for _ in range(4):
        proposal, _user = submitted(world.call, language="en")
        admissibility_rules.decide_admissibility(
            world.official, proposal.id, Admissibility.admissible
        )
    extra = make_user("evaluator", name="Extra Evaluator")
    assignment_rules.auto_assign(world.official, world.call.id)
    for evaluator in (*world.evaluators, extra):
        for assignment in facts.my_assignments(evaluator):
            if assignment.status is AssignmentStatus.awaiting_declaration:
                conflicts_rules.declare(evaluator, assignment.id, False)
            if assignment.review is None:
                scoring_rules.save_review(
                    evaluator,
                    assignment.id,
                    {world.criteria[0].id: ("3", "Goed"), world.criteria[1].id: ("4", "Goed")},
                )
                scoring_rules.submit_review(evaluator, assignment.id)
    assert count_page_queries(client, f"{BASE}/overview") == small


# ---------------------------------------------------------------------------- consensus


def test_consensus_page_side_by_side_bad_score_kept_and_saved(client, as_official):
    world = kept_reviewed_world(_BUILT, consensus=False, count=1)
    as_official(world)
    proposal = world.proposals[0]
    heavy, light = world.criteria
    url = f"{BASE}/proposals/{proposal.id}/consensus"
    page = _text(client.get(url))
    for name in EVALUATOR_NAMES:  # names are visible to officials
        assert f"Sterk punt volgens {name}" in page
    # a score off the scale: 422, every typed text kept, nothing stored
    typed = {
        f"score-{heavy.id}": "5,5",
        f"justification-{heavy.id}": "Zeer praktijkgericht",
        f"minority-{heavy.id}": "Eén evaluator vond het te duur",
        f"score-{light.id}": "3",
        f"justification-{light.id}": "Degelijke didactiek",
    }
    response = client.post(url, data=typed)
    assert response.status_code == 422
    page = _text(response)
    assert "Give a score from 0 to 5 in steps of 0.5." in page
    assert 'value="5,5"' in page
    assert "Zeer praktijkgericht" in page and "Eén evaluator vond het te duur" in page
    assert f'href="#score-{heavy.id}"' in page
    assert db.session.scalar(sa.select(sa.func.count(ConsensusScore.id))) == 0  # all or none
    # a score without justification
    response = client.post(
        url, data={**typed, f"score-{heavy.id}": "4,5", f"justification-{heavy.id}": ""}
    )
    assert response.status_code == 422
    assert "Write the consensus justification." in _text(response)
    response = client.post(url, data={**typed, f"score-{heavy.id}": "4,5"})
    assert response.status_code == 302
    stored = {c.criterion_id: c for c in db.session.scalars(sa.select(ConsensusScore))}
    assert stored[heavy.id].score == Decimal("4.5")
    assert stored[heavy.id].minority_view == "Eén evaluator vond het te duur"
    page = _text(client.get(url))
    assert "Final weighted total: 78 / 100" in page
    assert client.post(url, data={}).status_code == 422  # nothing typed


def test_consensus_page_is_404_for_proposals_outside_the_evaluation(client, as_official):
    world = kept_reviewed_world(_BUILT, reviews=False, consensus=False, count=1)
    stray, _user = submitted(world.call, language="en")  # submitted, admissibility not decided
    as_official(world)
    assert client.get(f"{BASE}/proposals/{stray.id}/consensus").status_code == 404
    other = make_call(code="OTHER-2")
    assert (
        client.get(
            f"/evaluation/calls/{other.code}/proposals/{world.proposals[0].id}/consensus"
        ).status_code
        == 404
    )


def test_reopen_a_review_with_a_reason(client, as_official):
    world = kept_reviewed_world(_BUILT, consensus=False, count=1)
    as_official(world)
    review = db.session.scalars(sa.select(Assignment)).first().review
    url = f"{BASE}/reviews/{review.id}/reopen"
    assert "Reopen the review" in _text(client.get(url))
    response = client.post(url, data={"reason": " "})
    assert response.status_code == 422
    response = client.post(url, data={"reason": "Motivering ontbreekt"})
    assert response.status_code == 302
    db.session.expire_all()
    assert review.status is ReviewStatus.draft
    assert (
        db.session.scalar(
            sa.select(AuditRecord).where(AuditRecord.action == "review.reopened")
        ).reason
        == "Motivering ontbreekt"
    )
    response = client.post(url, data={"reason": "Nog eens"}, follow_redirects=True)
    assert "Only a submitted review can be reopened." in _text(response)
    assert (
        client.get(
            f"/evaluation/calls/{make_call(code='OTHER-3').code}/reviews/{review.id}/reopen"
        ).status_code
        == 404
    )


# ---------------------------------------------------------------------------- ranking


def test_ranking_page_budget_line_override_and_publication(client, as_official):
    world = kept_reviewed_world(_BUILT, count=5)
    facts.settings_of(world.call).reserve_size = 1
    db.session.commit()
    as_official(world)
    p1, p2, p3, p4, p5 = world.proposals
    page = _text(client.get(f"{BASE}/ranking"))
    # 76 (50 000), 72 (90 000, earlier), 72 (90 000), 68, below threshold
    order = [page.index(p.reference) for p in (p3, p1, p2, p4, p5)]
    assert order == sorted(order)
    line = page.index("Budget line</strong>")
    assert page.index(p1.reference) < line < page.index(p2.reference)
    assert str(ranking_rules.TIE_BREAK) in page
    assert "Not ranked" in page and "Below a threshold" in page

    response = client.post(f"{BASE}/ranking/override", data={})
    assert response.status_code == 422
    assert "Give the reason for departing from the ranking." in _text(response)
    response = client.post(
        f"{BASE}/ranking/override",
        data={"proposal_id": str(p4.id), "outcome": "reserve", "reason": ""},
    )
    assert response.status_code == 422
    response = client.post(
        f"{BASE}/ranking/override",
        data={"proposal_id": str(p4.id), "outcome": "reserve", "reason": "Regionale spreiding"},
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(OutcomeOverride)).outcome is Outcome.reserve
    assert "Override: Regionale spreiding" in _text(client.get(f"{BASE}/ranking"))

    seen = decisions_rules.publication_preview(world.official, world.call.id).fingerprint
    confirmed = {"fingerprint": seen, "confirm": "y"}
    response = client.post(f"{BASE}/ranking/publish", data=confirmed)
    assert response.status_code == 302
    [record] = db.session.scalars(sa.select(DecisionRecord))
    assert record.data["rows"][3]["override_reason"] == "Regionale spreiding"
    page = _text(client.get(f"{BASE}/ranking"))
    assert record.fingerprint in page
    db.session.expire_all()
    assert world.call.phase is CallPhase.decided
    # a second publication needs a reason; the first record stays
    response = client.post(f"{BASE}/ranking/publish", data=confirmed)
    assert response.status_code == 422
    assert "Say why the decision is published again." in _text(response)
    response = client.post(
        f"{BASE}/ranking/publish", data={**confirmed, "reason": "Bezwaar gegrond"}
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(DecisionRecord.id))) == 2

    # the record as JSON, its fingerprint verifiable from its data
    response = client.get(f"{BASE}/decisions/1.json")
    assert response.status_code == 200
    assert "filename=beslissing-ESF-2021-1.json" in response.headers["Content-Disposition"]
    body = json.loads(response.data)
    assert body["number"] == 1 and body["fingerprint"] == record.fingerprint
    assert (
        hashlib.sha256(
            json.dumps(
                body["data"], sort_keys=True, ensure_ascii=False, separators=(",", ":")
            ).encode()
        ).hexdigest()
        == record.fingerprint
    )
    assert client.get(f"{BASE}/decisions/3.json").status_code == 404


def test_publishing_an_incomplete_consensus_is_refused_with_a_message(client, as_official):
    world = kept_reviewed_world(_BUILT, consensus=False, count=1)
    as_official(world)
    response = client.post(f"{BASE}/ranking/publish", data={}, follow_redirects=True)
    assert "needs a complete consensus" in _text(response)
    assert db.session.scalar(sa.select(sa.func.count(DecisionRecord.id))) == 0


def test_ranking_page_runs_a_fixed_number_of_queries(client, as_official):
    world = kept_reviewed_world(_BUILT, count=2)
    as_official(world)
    ranking_rules.override_outcome(world.official, world.proposals[0].id, Outcome.reserve, "Test")
    cache().clear()  # count the computation, not the cached order (publishing fills it)
    small = count_page_queries(client, f"{BASE}/ranking")
    assert small == 14
    for i in range(5):
        proposal, _user = submitted(world.call, language="en", requested_eur=Decimal("30000.00"))
        admissibility_rules.decide_admissibility(
            world.official, proposal.id, Admissibility.admissible
        )
        allow_fewer_reviews(world.official, proposal)
        for criterion in world.criteria:
            consensus_rules.record_consensus(
                world.official, proposal.id, criterion.id, str(i % 5), "Eens"
            )
    ranking_rules.override_outcome(world.official, proposal.id, Outcome.funded, "Test")
    decisions_rules.publish_decision(world.official, world.call.id)
    decisions_rules.publish_decision(world.official, world.call.id, "Opnieuw")
    cache().clear()
    assert count_page_queries(client, f"{BASE}/ranking") == small


def test_ranking_exports_csv_xlsx_pdf(client, as_official, tmp_path):
    world = kept_reviewed_world(_BUILT, count=5)
    # A hostile name as the version froze it (exports read the submitted organisation).
    version = world.proposals[0].versions[-1]
    if db.engine.dialect.name == "postgresql":  # past the trigger that keeps versions
        db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
    db.session.execute(
        sa.update(ProposalVersion)
        .where(ProposalVersion.id == version.id)
        .values(organisation={**version.organisation, "legal_name": '=HYPERLINK("http://x")'})
    )
    db.session.commit()
    cache().clear()
    as_official(world)
    response = client.get(f"{BASE}/ranking.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4", ""]
    assert rows[1]["organisation"].startswith("'=")  # neutralised
    assert rows[0]["score"] == "76.00" and rows[0]["requested_eur"] == "50000.00"
    assert [r["outcome"] for r in rows] == [
        "funded",
        "funded",
        "reserve",
        "reserve",
        "below_threshold",
    ]
    excel = client.get(f"{BASE}/ranking.csv", query_string={"csv": "excel"})
    rows = list(csv.DictReader(io.StringIO(excel.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0]["score"] == "76,00" and rows[0]["requested_eur"] == "50000,00"
    response = client.get(f"{BASE}/ranking.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["rank", "reference", "title"]
    assert any(str(row[0]).startswith("Budget line") for row in values)
    assert str(values[2][3]).startswith("'=")
    response = client.get(f"{BASE}/ranking.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = pdf_text(response.data, tmp_path)
    if text is not None:
        assert "Budget line" in text
        for proposal in world.proposals:
            assert proposal.reference in text
    assert client.get(f"{BASE}/ranking.doc").status_code == 404


# ---------------------------------------------------------------------------- summary report


def test_summary_report_after_publication_only_and_never_an_evaluator_name(
    client, login, english, tmp_path
):
    world = kept_reviewed_world(_BUILT, count=3)
    proposal, applicant = world.proposals[0], world.applicants[0]
    url = f"/evaluation/summary/{proposal.id}.pdf"
    login(applicant)
    english()
    assert client.get(url).status_code == 404  # nothing published yet
    detail = _text(client.get(f"/proposals/{proposal.id}"))
    assert "Decision on this proposal" not in detail

    record = decisions_rules.publish_decision(world.official, world.call.id, today=date(2021, 6, 1))
    detail = _text(client.get(f"/proposals/{proposal.id}"))
    assert "Decision on this proposal" in detail
    assert "1 Jun 2021" in detail and "16 Jun 2021" in detail  # English dates
    assert url in detail
    response = client.get(url)
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    assert (
        f"beoordelingsverslag-{proposal.reference}.pdf" in response.headers["Content-Disposition"]
    )
    text = pdf_text(response.data, tmp_path)
    if text is not None:
        assert "Evaluation summary report" in text
        assert "Het panel vond de aanpak praktijkgericht." in text
        assert "16 Jun 2021" in text and "1 Jun 2021" in text  # English dates
        assert "72 / 100" in text
        for name in (*EVALUATOR_NAMES, "Olivia Official"):
            assert name not in text
        assert "Eén beoordelaar" not in text  # the minority view stays with the panel
    with force_locale("en"):
        proposal_, result = result_queries.summary_of(applicant, proposal.id, "en")
        html = render_template(
            "reviews/summary.html",
            proposal=proposal_,
            result=result,
            version=proposals.counting_version(proposal_),
            Outcome=Outcome,
        )
    for evaluator in world.evaluators:
        assert evaluator.name not in html and evaluator.email not in html
    assert record.fingerprint in html

    # others: 404; officials: 200
    for user in (world.applicants[1], world.evaluators[0], make_user("admin")):
        client.post("/auth/logout")
        login(user)
        assert client.get(url).status_code == 404
    client.post("/auth/logout")
    login(world.official)
    assert client.get(url).status_code == 200


def test_applicant_page_runs_the_same_queries_before_and_after_publication(client, login):
    world = kept_reviewed_world(_BUILT, count=2)
    proposal, applicant = world.proposals[0], world.applicants[0]
    login(applicant)
    before = count_page_queries(client, f"/proposals/{proposal.id}")
    decisions_rules.publish_decision(world.official, world.call.id)
    once = count_page_queries(client, f"/proposals/{proposal.id}")
    assert once == before + 1  # the organisation's objections, listed after a decision
    decisions_rules.publish_decision(world.official, world.call.id, "Opnieuw")
    cache().clear()
    assert count_page_queries(client, f"/proposals/{proposal.id}") == once


def test_evaluation_home_shows_each_step(client, as_official):
    world = kept_reviewed_world(_BUILT, count=2)
    as_official(world)
    page = _text(client.get(BASE))
    assert "2 criteria" in page
    assert "2 of 2 decided" in page
    assert "6 of 6 submitted" in page
    assert "2 of 2 proposals" in page
    assert "Ready to publish" in page
    decisions_rules.publish_decision(world.official, world.call.id)
    assert "Published on" in _text(client.get(BASE))
    assert db.session.scalar(sa.select(sa.func.count(Criterion.id))) == 2


def test_the_applicant_reads_why_the_proposal_is_inadmissible(client, login):
    from app.reviews.models import Admissibility
    from tests.factories import make_call, make_user

    call = make_call(
        code="ESF-2021-INADM",
        opens_at=brussels(2021, 1, 1),
        deadline=brussels(2021, 3, 31, 23, 59, 59),
    )
    user = make_user("applicant")
    at = datetime(2021, 3, 1, tzinfo=UTC)
    proposal = proposals.create_proposal(
        user, call.id, sorted(user.organisation_ids)[0], received_at=at
    )
    proposals.update_proposal(
        user, proposal.id, complete_fields(), proposal.revision, received_at=at
    )
    proposals.submit_proposal(user, proposal.id, received_at=at)
    official = make_user("official")
    admissibility_rules.decide_admissibility(
        official,
        proposal.id,
        Admissibility.inadmissible,
        "De opleiding staat niet in de opleidingsdatabank",
    )
    preview = admissibility_rules.release_preview(official, call.id)
    admissibility_rules.release_results(official, call.id, preview.token)
    login(user)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "De opleiding staat niet in de opleidingsdatabank" in page
