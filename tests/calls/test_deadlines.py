"""app.calls.deadlines: every deadline of a call in one place."""

from datetime import timedelta

import pytest

from app.calls import deadlines, services
from app.core.time import InvalidLocalTime, NonexistentLocalTime, brussels, parse_local
from tests.factories import make_call, make_organisation, make_user


def test_one_organisation_all_organisations_and_the_last_deadline():
    official = make_user("official")
    call = make_call()
    late, plain = make_organisation(), make_organisation()
    services.grant_extension(
        official, call.id, late.id, call.deadline + timedelta(days=2), "Storing"
    )

    assert deadlines.for_everyone(call) == call.deadline
    assert deadlines.for_organisation(call, plain.id) == call.deadline
    assert deadlines.for_organisation(call, late.id) == call.deadline + timedelta(days=2)
    assert deadlines.by_organisation(call) == {late.id: call.deadline + timedelta(days=2)}
    assert deadlines.last(call) == call.deadline + timedelta(days=2)


def test_the_evaluation_may_start_only_after_the_last_deadline():
    official = make_user("official")
    call = make_call()
    organisation = make_organisation()
    services.grant_extension(
        official, call.id, organisation.id, call.deadline + timedelta(days=1), "Storing"
    )
    services.close_call(official, call.id, "Noodsluiting")
    last = deadlines.last(call)
    assert last == call.deadline + timedelta(days=1)  # the extension survives the close
    assert not deadlines.all_passed(call, last)  # the deadline's whole second counts
    assert not deadlines.evaluation_may_start(call, last)
    after = last + timedelta(seconds=1)
    assert deadlines.all_passed(call, after)
    assert deadlines.evaluation_may_start(call, after)


def test_one_parser_for_brussels_text():
    assert parse_local("2027-03-31 23:59:59") == brussels(2027, 3, 31, 23, 59, 59)
    assert parse_local("2027-03-31T21:59:59Z", offsets=True) == brussels(2027, 3, 31, 23, 59, 59)
    for text in ("2027-03-31T21:59:59Z", "2027-03-31"):  # offsets only when asked
        with pytest.raises(InvalidLocalTime):
            parse_local(text)
    with pytest.raises(NonexistentLocalTime):  # the clocks go forward that night
        parse_local("2027-03-28 02:30", offsets=True)
