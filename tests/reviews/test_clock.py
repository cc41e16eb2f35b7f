"""The 12-week decision clock: due date, days left, overdue in words, the decision date in
the decision record, and the officials' pages."""

from datetime import UTC, date, datetime

import time_machine
from flask_babel import force_locale

from app.reviews import clock
from app.reviews.rules import decisions as decisions_rules
from tests.reviews.factories import CODE, reviewed_world

# The call closes on 31 March 2021 (Brussels): the decision is due on 23 June 2021.
DUE = date(2021, 6, 23)


def test_the_decision_is_due_twelve_weeks_after_the_close():
    world = reviewed_world(count=1)
    assert clock.decision_due(world.call) == DUE
    running = clock.clock_of(world.call, today=date(2021, 6, 13))
    assert (running.days_left, running.overdue, running.decided) == (10, False, False)
    assert clock.clock_of(world.call, today=DUE).days_left == 0
    late = clock.clock_of(world.call, today=date(2021, 6, 25))
    assert (late.days_left, late.overdue) == (-2, True)


def test_the_decision_record_states_the_decision_date_against_the_clock():
    world = reviewed_world(count=1)
    record = decisions_rules.publish_decision(world.official, world.call.id, today=date(2021, 6, 1))
    assert record.data["decision_clock"] == {
        "decision_due": "2021-06-23",
        "decided_on": "2021-06-01",
        "decision_weeks": 12,
        "decided_in_time": True,
        "days_before_due": 22,
    }
    late = decisions_rules.publish_decision(
        world.official, world.call.id, "Bezwaar gegrond", today=date(2021, 6, 30)
    )
    assert late.data["decision_clock"]["decided_in_time"] is False


def _page(client, url, language):
    with client.session_transaction() as session:
        session["language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_officials_pages_state_days_left_and_overdue_in_words(client, login):
    world = reviewed_world(count=1)
    with time_machine.travel(datetime(2021, 6, 13, 10, tzinfo=UTC), tick=False):
        login(world.official)
        assert "Decision due by 23 Jun 2021: 10 days left." in _page(
            client, f"/evaluation/calls/{CODE}", "en"
        )
        assert "Beslissing uiterlijk op 23-06-2021: nog 10 dagen." in _page(
            client, "/evaluation/calls", "nl"
        )
    with time_machine.travel(datetime(2021, 6, 25, 10, tzinfo=UTC), tick=False):
        login(world.official)
        page = _page(client, f"/evaluation/calls/{CODE}", "en")
        assert "Overdue" in page and "The decision was due on 23 Jun 2021: 2 days overdue." in page
        with force_locale("en"):
            decisions_rules.publish_decision(world.official, world.call.id)
        page = _page(client, "/evaluation/calls", "en")
        assert "Decided on 25 Jun 2021, 2 days after the due date 23 Jun 2021." in page
