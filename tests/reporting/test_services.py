"""Statistics with known answers on fixed fixtures (see conftest.py), verification, mentions."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.core.cache import cache
from app.core.db import db
from app.core.errors import DomainError, PermissionDenied, ValidationFailed
from app.core.time import brussels, utcnow
from app.reporting import comparisons, mention_finder, moments, services, statistics
from app.reporting.models import TechnologyVerification
from tests.factories import allow_fewer_reviews, make_call, make_user
from tests.reporting.fixtures import at, submit, write


def _stats(world, as_of=None):
    return statistics.call_statistics(world.official, world.call, as_of)


# ---------------------------------------------------------------------------- counts


def test_final_counts(world):
    stats = _stats(world)
    assert stats.by_status == {"draft": 1, "submitted": 3, "withdrawn": 1}
    # p1 declares VR and AI: once in vr_or_ai, once in vr_and_ai.
    # p2 declared VR first but its last version says AI only; p3 is withdrawn.
    assert stats.by_technology["vr"] == 1
    assert stats.by_technology["ai"] == 2
    assert stats.by_technology["lms"] == 0
    assert stats.by_technology["gamification"] == 1
    assert stats.vr_or_ai == 2
    assert stats.vr_and_ai == 1
    assert set(stats.by_technology) == set(world.call.technologies)
    assert stats.by_project_type == {"convert": 2, "adapt": 1, "new": 0}
    assert stats.by_provider_type == {"public": 2, "private": 1}
    assert stats.by_practice == {"yes": 3, "no": 0}
    assert stats.requested_budget == Decimal("152346.17")
    assert stats.budget_by_technology["ai"] == Decimal("140000.50")
    assert stats.budget_by_technology["vr"] == Decimal("90000.00")
    assert stats.technology_by_project_type["ai"] == {"convert": 1, "adapt": 1, "new": 0}
    assert stats.technology_by_provider_type["ai"] == {"public": 1, "private": 1}
    assert stats.technology_by_practice["gamification"] == {"yes": 1, "no": 0}


def test_a_resubmitted_proposal_counts_once_as_its_last_version(world):
    stats = _stats(world)
    rows = {row.reference: row for row in stats.submitted}
    p2 = rows[world.p2.reference]
    assert p2.version_number == 2
    assert p2.technologies == ["ai"]
    assert p2.project_type == "adapt"
    assert p2.requested_eur == Decimal("50000.50")
    assert len(stats.submitted) == 3


def test_as_of_mid_march_uses_the_versions_of_that_moment(world):
    stats = _stats(world, at(15))
    # p1 (10th), p2 v1 (5th, VR + LMS) and p3 (12th, withdrawn only on the 25th); p4 is a
    # draft since that very instant; p5 did not exist yet
    assert stats.by_status == {"draft": 1, "submitted": 3, "withdrawn": 0}
    assert _stats(world, at(15, 11)).by_status["draft"] == 0
    assert stats.by_technology["vr"] == 2
    assert stats.by_technology["ai"] == 2
    assert stats.by_technology["lms"] == 2
    assert stats.vr_or_ai == 3
    assert stats.vr_and_ai == 1
    assert stats.requested_budget == Decimal("160000.00")


def test_as_of_before_a_submission_excludes_it(world):
    assert _stats(world, at(10, 11)).by_status["submitted"] == 1  # only p2 (5 March)
    assert _stats(world, at(10, 12)).by_status["submitted"] == 2  # p1 at that very instant
    nothing = _stats(world, at(1))
    assert nothing.by_status["submitted"] == 0
    assert nothing.vr_or_ai == 0
    assert nothing.requested_budget == Decimal("0")


def test_drafts_and_withdrawn_are_not_counted(world):
    stats = _stats(world)
    references = {row.reference for row in stats.submitted}
    assert world.p3.reference not in references
    assert world.p4.reference not in references
    assert stats.by_technology["lms"] == 0  # only p3 (withdrawn) and p2's old version had it


def test_submissions_per_day_and_cumulative_curve(world):
    stats = _stats(world)
    days = {row.day.isoformat(): row for row in stats.days}
    assert stats.days[0].day.isoformat() == "2021-01-01"  # the call's opening day
    assert days["2021-03-05"].new == 1
    assert days["2021-03-10"].new == 1
    assert days["2021-03-12"].new == 1
    assert days["2021-03-20"].resubmitted == 1
    assert days["2021-03-25"].withdrawn == 1
    assert days["2021-03-31"].new == 1
    assert days["2021-03-12"].cumulative == 3
    assert days["2021-03-25"].cumulative == 2
    assert days["2021-03-31"].cumulative == 3
    assert stats.days[-1].cumulative == stats.by_status["submitted"]
    assert stats.days[-1].day.isoformat() == "2021-03-31"  # the deadline, not today


def test_days_end_at_the_moment(world):
    stats = _stats(world, at(15))
    assert stats.days[-1].day.isoformat() == "2021-03-15"
    assert stats.days[-1].cumulative == 3


def test_only_officials_see_statistics(world):
    with pytest.raises(PermissionDenied):
        statistics.call_statistics(world.public_user, world.call)
    with pytest.raises(PermissionDenied):
        statistics.call_statistics(make_user("evaluator"), world.call)
    with pytest.raises(PermissionDenied):
        statistics.call_statistics(make_user("admin"), world.call)


# ---------------------------------------------------------------------------- moments


def test_parse_moment():
    now = utcnow()
    assert moments.parse_moment("", now=now) == now
    assert moments.parse_moment("2021-03-31 23:59:59") == brussels(2021, 3, 31, 23, 59, 59)
    assert moments.parse_moment("2021-03-31T23:59:59") == brussels(2021, 3, 31, 23, 59, 59)
    assert moments.parse_moment("2021-03-31T21:59:59Z") == brussels(2021, 3, 31, 23, 59, 59)
    assert moments.parse_moment("2021-03-31T23:59:59+02:00") == brussels(2021, 3, 31, 23, 59, 59)
    for bad in ("gisteren", "2021-13-01", "2021-03-28 02:30"):  # the last: clocks go forward
        with pytest.raises(moments.InvalidMoment):
            moments.parse_moment(bad)
    # Nothing later than now is known: a future moment means now.
    assert moments.parse_moment((now + timedelta(days=1)).isoformat(), now=now) == now
    assert moments.parse_moment("9999-12-31T23:59:59-05:00", now=now) == now
    assert moments.parse_moment("0001-01-01T00:00:00+01:00").year == 1


# ---------------------------------------------------------------------------- comparison


def test_percent_change_against_the_earlier_value():
    assert comparisons.percent_change(20, 25) == Decimal("25.0")
    assert comparisons.percent_change(3, 2) == Decimal("-33.3")
    assert comparisons.percent_change(Decimal("100.00"), Decimal("150.50")) == Decimal("50.5")
    assert comparisons.percent_change(0, 5) is None  # n/a on a zero base
    assert comparisons.percent_change(0, 0) is None


def test_comparison_with_the_earlier_call_at_the_same_point(world):
    call_2022 = make_call(
        code="ESF-2022", opens_at=brussels(2022, 1, 1), deadline=brussels(2022, 3, 31, 23, 59, 59)
    )
    p = write(world.public_user, call_2022, brussels(2022, 3, 1), technologies=["vr"])
    submit(world.public_user, p, brussels(2022, 3, 2))
    late = write(world.private_user, call_2022, brussels(2022, 3, 1), technologies=["ar"])
    submit(world.private_user, late, brussels(2022, 3, 30))

    stats_2022 = statistics.call_statistics(world.official, call_2022, brussels(2022, 3, 15, 12))
    comparison = comparisons.comparison_call_statistics(world.official, stats_2022, world.call)
    # The 2021 call is the earlier one and is taken at 15 March 2021, 12:00.
    assert comparison.earlier.call.code == "ESF-2021"
    assert comparison.earlier.as_of == at(15)
    rows = {row.key: row for row in comparison.rows}
    assert (rows["submitted"].earlier, rows["submitted"].later) == (3, 1)
    assert rows["submitted"].change == Decimal("-66.7")
    assert (rows["technology.vr"].earlier, rows["technology.vr"].later) == (2, 1)
    assert rows["technology.ar"].earlier == 0
    assert rows["technology.ar"].change is None  # zero base: n/a
    assert rows["requested_budget_eur"].money


def test_comparison_moment_is_never_in_the_future(world):
    future = make_call(
        code="ESF-LATER",
        opens_at=utcnow() - timedelta(days=1),
        deadline=utcnow() + timedelta(days=400),
    )
    assert moments.comparison_moment(world.call, future, utcnow()) <= utcnow()


# ---------------------------------------------------------------------------- verification


def test_verify_and_correct_technologies_is_audited_and_counted(world):
    version = services.verify_technologies(
        world.official, world.p1.id, ["vr"], version_number=1, note="Geen AI in de aanpak"
    )
    assert version.technologies == ["vr"]
    record = db.session.scalar(
        sa.select(AuditRecord).where(AuditRecord.action == "proposal.technologies_verified")
    )
    assert record.entity_type == "proposals" and record.entity_id == world.p1.id
    assert record.actor_id == world.official.id
    assert record.before == {"declared": ["vr", "ai"], "verified": None}
    assert record.after["removed"] == ["ai"] and record.after["added"] == []
    assert record.reason == "Geen AI in de aanpak"

    stats = _stats(world)
    assert stats.verified_by_technology["vr"] == 1
    assert stats.verified_by_technology["ai"] == 0
    assert stats.verified_count == 1
    assert stats.verified_vr_or_ai == 1 and stats.verified_vr_and_ai == 0
    assert stats.by_technology["ai"] == 2  # declared figures do not change

    services.verify_technologies(world.official, world.p1.id, ["vr", "ai", "lms"], version_number=1)
    assert _stats(world).verified_by_technology["lms"] == 1
    assert len(services.verification_history(world.p1.id)) == 2


def test_verified_figures_as_of_a_moment_before_the_verification(world):
    services.verify_technologies(world.official, world.p1.id, ["vr"], version_number=1)
    assert _stats(world, at(31)).verified_count == 0


def test_verification_refusals(world):
    with pytest.raises(PermissionDenied):
        services.verify_technologies(world.public_user, world.p1.id, ["vr"], version_number=1)
    with pytest.raises(DomainError):  # p2 is at version 2 now
        services.verify_technologies(world.official, world.p2.id, ["ai"], version_number=1)
    with pytest.raises(DomainError):  # a draft
        services.verify_technologies(world.official, world.p4.id, [], version_number=1)
    with pytest.raises(DomainError):  # withdrawn
        services.verify_technologies(world.official, world.p3.id, ["ai"], version_number=1)
    with pytest.raises(ValidationFailed):
        services.verify_technologies(
            world.official, world.p1.id, ["vr", "hologram"], version_number=1
        )
    assert db.session.scalar(sa.select(sa.func.count(TechnologyVerification.id))) == 0


def test_verifications_are_append_only(world):
    verification = services.verify_technologies(
        world.official, world.p1.id, ["vr"], version_number=1
    )
    verification.note = "changed"
    with pytest.raises(RuntimeError):
        db.session.commit()
    db.session.rollback()


# ---------------------------------------------------------------------------- mentions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Een detail over Maillot en de kaai", []),
        ("We zetten AI in", [("ai", "AI")]),
        ("AI-gestuurde feedback", [("ai", "AI")]),
        ("de ai van het platform", [("ai", "ai")]),
        (
            "Met Artificiële Intelligentie en een chatbot",
            [("ai", "Artificiële Intelligentie"), ("ai", "chatbot")],
        ),
        ("chatbots helpen", [("ai", "chatbots")]),
        ("Elke cursist krijgt een VR-bril.", [("vr", "VR-bril")]),
        ("VR-brillen voor iedereen", [("vr", "VR-brillen")]),
        ("virtuele  realiteit", [("vr", "virtuele  realiteit")]),
        (
            "Virtual reality and augmented reality",
            [("vr", "Virtual reality"), ("ar", "augmented reality")],
        ),
        (
            "een serious game en serious games",
            [("gamification", "serious game"), ("gamification", "serious games")],
        ),
        ("PRIVATE, VRAAG, AIRCO, TAIWAN, SAIL", []),
    ],
)
def test_find_mentions_whole_words(text, expected):
    assert [(m.technology, m.term) for m in mention_finder.find_mentions(text)] == expected


def test_undeclared_mentions_for_review(world):
    reviews = mention_finder.undeclared_mentions(world.official, world.call)
    by_reference = {review.row.reference: review for review in reviews}
    # complete_fields' didactic approach says "Eerst oefenen in VR": p1 declares VR.
    assert world.p1.reference not in by_reference
    assert world.p3.reference not in by_reference  # withdrawn
    assert list(by_reference[world.p2.reference].undeclared) == ["vr"]
    p5 = by_reference[world.p5.reference]
    assert list(p5.undeclared) == ["vr", "ai"]
    chatbot = p5.undeclared["ai"][0]
    assert chatbot.term == "chatbot" and chatbot.field == "content"
    assert chatbot.before.endswith("oefenen met een ")
    assert not p5.reviewed

    services.verify_technologies(
        world.official, world.p5.id, ["gamification", "ai"], version_number=1
    )
    reviews = mention_finder.undeclared_mentions(world.official, world.call)
    assert [r.row.reference for r in reviews][-1] == world.p5.reference  # reviewed: last
    assert reviews[-1].reviewed


# ---------------------------------------------------------------------------- queries


def _count(fn):
    statements = []

    def _before(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", _before)
    try:
        fn()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", _before)
    return len(statements)


def test_statistics_run_a_fixed_number_of_queries(world):
    def run():
        db.session.expire_all()
        cache().clear()  # count the computation, not the cached answer
        stats = statistics.call_statistics(world.official, world.call)
        mention_finder.undeclared_mentions(world.official, world.call)
        return stats

    small = _count(run)
    for n in range(6):
        proposal = write(world.private_user, world.call, at(2), title=f"Extra {n}")
        submit(world.private_user, proposal, at(3))
        submit(world.private_user, proposal, at(4), technologies=["ai", "vr"])
        services.verify_technologies(world.official, proposal.id, ["vr"], version_number=2)
    assert _count(run) == small
    assert statistics.call_statistics(world.official, world.call).by_status["submitted"] == 9


def test_evaluation_states_count_admissibility_and_published_outcomes():
    from datetime import UTC, datetime
    from decimal import Decimal

    from flask_babel import force_locale

    from app.core.time import brussels
    from app.proposals import services as proposal_services
    from app.reviews.models import Admissibility
    from app.reviews.rules import admissibility as admissibility_rules
    from app.reviews.rules import consensus as consensus_rules
    from app.reviews.rules import criteria as criteria_rules
    from app.reviews.rules import decisions as decisions_rules
    from tests.factories import complete_fields, make_call, make_user

    call = make_call(
        code="EVAL-STATS",
        opens_at=brussels(2021, 1, 1),
        deadline=brussels(2021, 3, 31, 23, 59, 59),
        budget_eur=Decimal("100000.00"),
        max_request_eur=Decimal("90000.00"),
    )
    official = make_user("official")
    at = datetime(2021, 3, 1, tzinfo=UTC)
    made = []
    for _ in range(3):
        user = make_user("applicant")
        proposal = proposal_services.create_proposal(
            user, call.id, sorted(user.organisation_ids)[0], received_at=at
        )
        proposal_services.update_proposal(
            user, proposal.id, complete_fields(), proposal.revision, received_at=at
        )
        proposal_services.submit_proposal(user, proposal.id, received_at=at)
        made.append(proposal)
    assert statistics.call_statistics(official, call).evaluation == {}
    [criterion] = criteria_rules.set_criteria(
        None, call.id, [criteria_rules.CriterionInput("Kwaliteit", "Quality", Decimal("1"))]
    )
    admissibility_rules.decide_admissibility(official, made[0].id, Admissibility.admissible)
    admissibility_rules.decide_admissibility(official, made[1].id, Admissibility.admissible)
    admissibility_rules.decide_admissibility(
        official, made[2].id, Admissibility.inadmissible, "Te laat"
    )
    allow_fewer_reviews(official, made[0], made[1])
    for proposal, score in ((made[0], "5"), (made[1], "4")):
        consensus_rules.record_consensus(official, proposal.id, criterion.id, score, "Eens")
    with force_locale("en"):
        decisions_rules.publish_decision(official, call.id)
    counts = statistics.call_statistics(official, call).evaluation
    assert counts == {
        "admissible": 2,
        "inadmissible": 1,
        "funded": 1,
        "reserve": 1,
        "rejected": 0,
        "below_threshold": 0,
    }
    assert statistics.call_statistics(official, call, at).evaluation == {}


def test_statistics_are_cached_until_the_call_changes(world):
    cache().clear()
    first = statistics.call_statistics(world.official, world.call)
    # the same figures later, and as of a moment between: one query (the call's last change)
    assert _count(lambda: statistics.call_statistics(world.official, world.call)) == 1
    assert _count(lambda: statistics.call_statistics(world.official, world.call, first.as_of)) == 1
    again = statistics.call_statistics(world.official, world.call)
    assert again.by_technology == first.by_technology and again.as_of > first.as_of
    # a moment before the computation is computed (then cached under that moment)
    earlier = statistics.call_statistics(world.official, world.call, at(3))
    assert _count(lambda: statistics.call_statistics(world.official, world.call, at(3))) == 1
    assert earlier.by_status != first.by_status or earlier.as_of == at(3)
    # any change of the call's data is seen at once
    before = first.by_status["submitted"]
    proposal = write(world.private_user, world.call, at(2), title="Nieuw")
    submit(world.private_user, proposal, at(3))
    assert (
        statistics.call_statistics(world.official, world.call).by_status["submitted"] == before + 1
    )
    services.verify_technologies(world.official, proposal.id, ["vr"], version_number=1)
    assert (
        statistics.call_statistics(world.official, world.call).verified_count
        == first.verified_count + 1
    )
