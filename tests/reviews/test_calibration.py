"""Calibration on the consensus page: each evaluator's offset per criterion, the calibrated
mean beside the raw mean, and the suggested consensus score, on known numbers."""

from decimal import Decimal

import pytest
from flask_babel import force_locale

from app.reviews import calibration, facts
from app.reviews.models import Criterion
from app.reviews.rules import conflicts as conflicts_rules
from app.reviews.rules import scoring as scoring_rules
from tests.reviews.factories import BASE, reviewed_world


@pytest.fixture(autouse=True)
def _english():
    with force_locale("en"):
        yield


def _review(world, evaluator, proposal, first):
    [assignment] = [a for a in facts.my_assignments(evaluator) if a.proposal_id == proposal.id]
    conflicts_rules.declare(evaluator, assignment.id, False)
    scoring_rules.save_review(
        evaluator,
        assignment.id,
        {world.criteria[0].id: (first, "Motivering"), world.criteria[1].id: ("3", "Degelijk")},
    )
    scoring_rules.submit_review(evaluator, assignment.id)


@pytest.fixture
def scored():
    """P1: A 4, B 3, C 2; P2: A 5, B 3 (C declared a conflict) on the first criterion."""
    world = reviewed_world(count=2, reviews=False, consensus=False)
    a, b, c = world.evaluators
    p1, p2 = world.proposals
    for evaluator, score in ((a, "4"), (b, "3"), (c, "2")):
        _review(world, evaluator, p1, score)
    for evaluator, score in ((a, "5"), (b, "3")):
        _review(world, evaluator, p2, score)
    [conflict] = [x for x in facts.my_assignments(c) if x.proposal_id == p2.id]
    conflicts_rules.declare(c, conflict.id, True, "Oud-collega")
    return world


def test_offsets_calibrated_mean_and_suggestion_on_known_numbers(scored):
    a, b, c = scored.evaluators
    first = scored.criteria[0]
    result = calibration.for_proposal(scored.call.id, scored.proposals[0].id, scored.criteria)
    item = result[first.id]
    # A: (4 - 2.5 + 5 - 3) / 2 = 1.75; B: (3 - 3 + 3 - 5) / 2 = -1; C: 2 - 3.5 = -1.5
    assert {s.evaluator_id: (s.offset.value, s.offset.reviews) for s in item.scores} == {
        a.id: (Decimal("1.75"), 2),
        b.id: (Decimal("-1"), 2),
        c.id: (Decimal("-1.5"), 1),
    }
    # calibrated: 4 - 1.75 = 2.25, 3 + 1 = 4, 2 + 1.5 = 3.5; mean 3.25 against a raw 3.00
    assert [s.calibrated for s in item.scores] == [Decimal("2.25"), Decimal("4"), Decimal("3.5")]
    assert (item.raw_mean, item.calibrated_mean) == (Decimal("3.00"), Decimal("3.25"))
    assert item.suggestion == Decimal("3.5")  # 3.25 on steps of 0.5, half up
    # where everyone gives 3, offsets are 0 and the suggestion is the mean
    assert result[scored.criteria[1].id].suggestion == Decimal("3")


def test_the_suggestion_stays_on_the_scale():
    criterion = Criterion(scale_max=Decimal("5"), step=Decimal("0.5"))
    assert calibration.suggest(Decimal("5.4"), criterion) == Decimal("5")
    assert calibration.suggest(Decimal("-0.3"), criterion) == Decimal("0")
    assert calibration.suggest(Decimal("2.74"), criterion) == Decimal("2.5")


def test_the_consensus_page_shows_the_calibration_and_fills_in_the_suggestion(
    client, login, scored
):
    login(scored.official)
    with client.session_transaction() as session:
        session["language"] = "en"
    url = f"{BASE}/proposals/{scored.proposals[0].id}/consensus"
    page = client.get(url).get_data(as_text=True)
    assert "Mean 3 · calibrated mean 3.25 · suggested consensus score 3.5" in page
    assert "+1.75" in page and "over 2 proposals" in page
    assert "an evaluator's offset on a criterion is the mean difference" in page
    assert 'value="3.5"' in page  # to accept or change
    # the official changes it: the recorded score is theirs
    response = client.post(
        url,
        data={
            f"score-{scored.criteria[0].id}": "3",
            f"justification-{scored.criteria[0].id}": "Eens",
            f"score-{scored.criteria[1].id}": "3",
            f"justification-{scored.criteria[1].id}": "Eens",
        },
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert (
        f'name="score-{scored.criteria[0].id}" type="text" value="3"' in page or 'value="3"' in page
    )
    with client.session_transaction() as session:
        session["language"] = "nl"
    page = client.get(url).get_data(as_text=True)
    assert "gekalibreerd gemiddelde 3,25" in page
