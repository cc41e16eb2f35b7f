"""Disagreement per criterion: flagged even when the weighted totals agree; the per-call
share of the scale; the overview's summary and the consensus page."""

from decimal import Decimal

import pytest
from flask_babel import force_locale

from app.core.errors import ValidationFailed
from app.reviews import disagreement, facts
from app.reviews import overview as review_overview
from app.reviews.rules import conflicts as conflicts_rules
from app.reviews.rules import criteria as criteria_rules
from app.reviews.rules import scoring as scoring_rules
from app.reviews.rules.criteria import SettingsInput
from tests.reviews.factories import BASE, reviewed_world

# Weights 60 and 40 on 0-5: (4, 2), (2, 5) and (3, 3.5) all make a weighted total of 64.
EQUAL_TOTALS = (("4", "2"), ("2", "5"), ("3", "3.5"))


@pytest.fixture(autouse=True)
def _english():
    with force_locale("en"):
        yield


def _scored(world, pairs=EQUAL_TOTALS):
    [proposal] = world.proposals
    for evaluator, (first, second) in zip(world.evaluators, pairs, strict=True):
        [assignment] = facts.my_assignments(evaluator)
        conflicts_rules.declare(evaluator, assignment.id, False)
        scoring_rules.save_review(
            evaluator,
            assignment.id,
            {world.criteria[0].id: (first, "Motivering"), world.criteria[1].id: (second, "M")},
        )
        scoring_rules.submit_review(evaluator, assignment.id)
    return proposal


def test_a_criterion_is_flagged_when_the_totals_agree():
    world = reviewed_world(count=1, reviews=False, consensus=False)
    _scored(world)
    [row] = review_overview.review_overview(world.official, world.call.id)
    assert row.totals == [Decimal("64.00")] * 3 and not row.flagged
    settings = facts.settings_of(world.call)
    summary, flags = disagreement.summarise([row], world.criteria, settings)
    found = flags[row.proposal.id]
    assert [(f.criterion.id, f.spread) for f in found] == [
        (world.criteria[0].id, Decimal("2")),
        (world.criteria[1].id, Decimal("3")),
    ]
    assert (
        summary.proposals_flagged,
        summary.proposals_with_criterion_flags,
        summary.criterion_flags,
    ) == (0, 1, 2)


def test_the_default_limit_is_a_third_of_the_scale_and_the_call_may_change_it():
    world = reviewed_world(count=1, reviews=False, consensus=False)
    criterion = world.criteria[0]  # 0 to 5
    settings = facts.settings_of(world.call)
    assert disagreement.shown_limit(criterion, settings) == Decimal("1.67")
    spread_2 = {criterion.id: [Decimal("2"), Decimal("4")]}
    assert disagreement.flagged_criteria(spread_2, [criterion], settings)
    criteria_rules.update_settings(
        world.official,
        world.call.id,
        SettingsInput(
            3,
            settings.total_threshold,
            settings.disagreement_spread,
            settings.reserve_size,
            settings.objection_days,
            criterion_spread_share=Decimal("0.5"),
        ),
    )
    assert disagreement.spread_limit(criterion, settings) == Decimal("2.5")
    assert not disagreement.flagged_criteria(spread_2, [criterion], settings)
    with pytest.raises(ValidationFailed):
        criteria_rules.update_settings(
            world.official,
            world.call.id,
            SettingsInput(
                3,
                settings.total_threshold,
                settings.disagreement_spread,
                settings.reserve_size,
                settings.objection_days,
                criterion_spread_share=Decimal("1.5"),
            ),
        )


def test_the_overview_and_the_consensus_page_show_the_criterion_flags(client, login):
    world = reviewed_world(count=1, reviews=False, consensus=False)
    proposal = _scored(world)
    login(world.official)
    with client.session_transaction() as session:
        session["language"] = "en"
    page = client.get(f"{BASE}/overview").get_data(as_text=True)
    assert "1 proposal with disagreement on a criterion" in page
    assert "(2 criterion flags)" in page
    assert "0 proposals flagged on the weighted total" in page
    assert "Disagreement on:" in page and "Criterion 1 (2 to 4)" in page
    page = client.get(f"{BASE}/proposals/{proposal.id}/consensus").get_data(as_text=True)
    assert (
        "The scores range from 2 to 4: a spread of 2, more than 1,67." in page
        or "The scores range from 2 to 4: a spread of 2, more than 1.67." in page
    )
    with client.session_transaction() as session:
        session["language"] = "nl"
    page = client.get(f"{BASE}/overview").get_data(as_text=True)
    assert "1 projectvoorstel met onenigheid over een criterium" in page


def test_the_overviews_counts_cover_the_whole_call_not_the_page_shown(client, login):
    world = reviewed_world(count=1, reviews=False, consensus=False)
    _scored(world)
    login(world.official)
    with client.session_transaction() as session:
        session["language"] = "en"
    # every review is in: the "pending" filter lists no proposal, the counts stay the call's
    page = client.get(f"{BASE}/overview?state=pending").get_data(as_text=True)
    assert "Disagreement on:" not in page
    assert "1 proposal with disagreement on a criterion" in page
    assert "(2 criterion flags)" in page
