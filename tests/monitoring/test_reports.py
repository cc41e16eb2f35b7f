"""Monitoring report services: known answers on small fixtures, and fixed query counts."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.core.db import db
from app.core.errors import NotFound, PermissionDenied
from app.monitoring import report_definitions, report_profiles, reports
from tests.factories import make_user
from tests.monitoring.factories import (
    add_enrolments,
    enrolment_rows,
    make_funded_project,
    report_world,
)


@pytest.fixture
def official():
    return make_user("official")


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


# ---------------------------------------------------------------------------- arithmetic


def test_change_is_against_the_earlier_figure_one_decimal_half_up():
    assert report_definitions.change_pct(8, 9) == Decimal("12.5")
    assert report_definitions.change_pct(14, 17) == Decimal("21.4")
    assert report_definitions.change_pct(3, 8) == Decimal("166.7")
    assert report_definitions.change_pct(2000, 2001) == Decimal("0.1")  # 0.05 rounds up
    assert report_definitions.change_pct(2000, 1999) == Decimal("-0.1")  # and away from zero
    assert report_definitions.change_pct(10, 9) == Decimal("-10.0")
    assert report_definitions.change_pct(0, 5) is None
    assert report_definitions.change_pct(0, 0) is None


def test_share_of_nothing_is_none():
    assert report_definitions.share_pct(1, 3) == Decimal("33.3")
    assert report_definitions.share_pct(2, 3) == Decimal("66.7")
    assert report_definitions.share_pct(0, 0) is None


# ---------------------------------------------------------------------------- (a) year over year


def test_year_over_year_known_answers(official):
    report_world()
    yoy = reports.year_over_year(official, 2026, 2025)
    jan = {mode: yoy.cell(1, mode) for mode in ("online", "blended", "physical", "total")}
    assert [(c.base_count, c.count) for c in jan.values()] == [(4, 6), (0, 2), (10, 9), (14, 17)]
    assert jan["online"].change_pct == Decimal("50.0")
    assert jan["blended"].change_pct is None  # zero base: n/a
    assert jan["physical"].change_pct == Decimal("-10.0")  # a drop
    assert jan["total"].change_pct == Decimal("21.4")
    feb = yoy.cell(2, "online")
    assert (feb.base_count, feb.count, feb.change_pct) == (0, 5, None)
    assert yoy.cell(2, "total").change_pct == Decimal("166.7")
    assert yoy.cell(3, "total").count == 0
    total = yoy.cell(0, "total")
    assert (total.base_count, total.count) == (17, 25)
    assert yoy.late_count == 1
    assert yoy.may_change
    assert "enrolments" in yoy.source and "2025" in yoy.source and "2026" in yoy.source
    assert yoy.as_of is not None


def test_year_over_year_months_and_project_filters(official):
    call, project_a, project_b = report_world()
    yoy = reports.year_over_year(
        official,
        2026,
        2025,
        months=(2,),
        scope=report_definitions.scope_for(official, project_reference=project_a.reference),
    )
    assert yoy.months == (2,)
    assert [c.month for c in yoy.cells] == [2, 2, 2, 2, 0, 0, 0, 0]
    assert yoy.late_count == 0
    only_b = reports.year_over_year(
        official,
        2026,
        2025,
        scope=report_definitions.scope_for(
            official, call_code=call.code, project_reference=project_b.reference
        ),
    )
    assert only_b.cell(0, "total").count == 1
    assert project_b.reference in only_b.source


def test_year_over_year_refuses_bad_arguments(app, official):
    with pytest.raises(report_definitions.InvalidReportArgs) as caught:
        reports.year_over_year(official, 1999, 2025, months=(0, 13))
    assert set(caught.value.errors) == {"year", "months"}
    # one text per code, in the reader's language, for the page's form and the API alike
    with app.test_request_context("/"):
        with force_locale("en"):
            assert caught.value.messages() == {
                "year": "Enter a year from 2000 to 2100, like 2026.",
                "months": "Choose months from 1 to 12.",
            }
        with force_locale("nl"):
            assert caught.value.messages()["months"] == "Kies maanden van 1 tot 12."


def test_unknown_scope_is_not_found(official):
    with pytest.raises(NotFound):
        report_definitions.scope_for(official, project_reference="NOPE")
    with pytest.raises(NotFound):
        report_definitions.scope_for(official, call_code="NOPE")


@pytest.mark.parametrize("role", ["applicant", "evaluator", "admin"])
def test_only_officials_read_reports(role):
    user = make_user(role)
    with pytest.raises(PermissionDenied):
        reports.year_over_year(user, 2026, 2025)
    with pytest.raises(PermissionDenied):
        report_profiles.profile(user, date(2026, 1, 1), date(2026, 12, 31))


def test_a_project_member_may_not_read_the_reports_of_their_own_project():
    project, member = make_funded_project()
    with pytest.raises(PermissionDenied):
        report_definitions.scope_for(member, project_reference=project.reference)


# ---------------------------------------------------------------------------- (b) status shares


def test_status_as_of_a_day_before_a_status_update(official):
    project, _member = make_funded_project()
    add_enrolments(
        project,
        [
            {
                "started_on": "2026-01-05",
                "history": [("enrolled", "2026-01-05")],
                "status": "completed",
                "status_on": "2026-03-01",
            },
            {
                "started_on": "2026-01-10",
                "history": [("enrolled", "2026-01-10"), ("active", "2026-01-20")],
                "status": "dropped",
                "status_on": "2026-02-15",
            },
            {"started_on": "2026-01-12", "status": "active", "status_on": "2026-01-12"},
            {"started_on": "2026-02-01", "status": "active", "status_on": "2026-02-10"},
            {"started_on": "2026-03-05", "status": "active", "status_on": "2026-03-05"},
        ],
    )
    before = reports.status_shares(official, date(2026, 1, 1), date(2026, 12, 31), date(2026, 2, 5))
    assert {s.key: s.count for s in before.shares} == {
        "enrolled": 1,
        "active": 2,
        "completed": 0,
        "dropped": 0,
        "not_reported": 1,
    }
    assert before.total == 4  # the enrolment started in March is not counted yet
    after = reports.status_shares(official, date(2026, 1, 1), date(2026, 12, 31), date(2026, 3, 1))
    assert {s.key: s.count for s in after.shares} == {
        "enrolled": 0,
        "active": 2,
        "completed": 1,
        "dropped": 1,
        "not_reported": 0,
    }
    assert after.get("completed").pct == Decimal("25.0")
    assert after.get("active").pct == Decimal("50.0")
    on_the_change_day = reports.status_shares(
        official, date(2026, 1, 1), date(2026, 12, 31), date(2026, 2, 15)
    )
    assert on_the_change_day.get("dropped").count == 1  # until_on is exclusive


# ---------------------------------------------------------------------------- (c) modes, channels


def test_mode_and_channel_shares_with_a_base_period(official):
    report_world()
    found = reports.mode_channel(
        official,
        date(2026, 1, 1),
        date(2026, 1, 31),
        base_start=date(2025, 1, 1),
        base_end=date(2025, 1, 31),
    )
    assert (found.mode("online"), found.mode("blended"), found.mode("physical")) == (6, 2, 9)
    assert (found.channel("own"), found.channel("partner")) == (11, 6)
    assert found.mode("physical", base=True) == 10
    assert found.base_total == 14
    assert [s.pct for s in found.channel_shares()] == [Decimal("64.7"), Decimal("35.3")]


def test_overlapping_base_period_counts_each_period_in_full(official):
    report_world()
    found = reports.mode_channel(
        official,
        date(2026, 1, 1),
        date(2026, 2, 28),
        base_start=date(2026, 1, 1),
        base_end=date(2026, 1, 31),
    )
    assert found.total == 25 and found.base_total == 17


# ---------------------------------------------------------------------------- (d) trainings


def test_trainings_with_titles_most_followed_first_a_page_at_a_time(official):
    from app.monitoring.models import Mode, ProjectTraining

    project, _member = make_funded_project()
    db.session.add(
        ProjectTraining(project_id=project.id, code="T1", title="Lassen", planned_mode=Mode.online)
    )
    db.session.commit()
    add_enrolments(
        project,
        enrolment_rows(3, "2026-01-05", training_code="T1")
        + enrolment_rows(5, "2026-01-05", training_code="T2")
        + enrolment_rows(1, "2026-01-05", training_code="T3")
        + enrolment_rows(7, "2025-01-05", training_code="T3"),
    )
    first = reports.trainings(official, date(2026, 1, 1), date(2026, 12, 31), per_page=2)
    assert [(r.code, r.title, r.participants) for r in first.rows] == [
        ("T2", "", 5),
        ("T1", "Lassen", 3),
    ]
    assert (first.total_trainings, first.total_participants, first.pages) == (3, 9, 2)
    second = reports.trainings(official, date(2026, 1, 1), date(2026, 12, 31), per_page=2, page=2)
    assert [(r.project, r.code) for r in second.rows] == [(project.reference, "T3")]


# ---------------------------------------------------------------------------- (e) profiles

AGES = {
    17: "under_18",
    18: "18_29",
    24: "18_29",
    25: "18_29",
    29: "18_29",
    30: "30_54",
    54: "30_54",
    55: "55_plus",
    57: "55_plus",
    58: "55_plus",
}
FLEMISH = {
    17: "under_25",
    18: "under_25",
    24: "under_25",
    25: "25_58",
    29: "25_58",
    30: "25_58",
    54: "25_58",
    55: "25_58",
    57: "25_58",
    58: "58_plus",
}


def _profile_world():
    project, _member = make_funded_project()
    rows = [
        {
            "started_on": "2026-03-01",
            "birth_year": 2026 - age,
            "education": "low",
            "gender": "f",
            "disability": "no",
            "migration_background": "yes",
            "labour_status": "jobseeker_activation",
        }
        for age in AGES
    ]
    rows += [
        {"started_on": "2026-03-01"},  # nothing answered
        {
            "started_on": "2026-03-01",
            "education": "high",
            "gender": "x",
            "labour_status": "temporarily_unemployed",
            "disability": "yes",
        },
    ]
    rows += [{"started_on": "2025-03-01", "education": "middle"}]  # outside the period
    add_enrolments(project, rows)
    return project


def test_age_bands_boundaries(official):
    _profile_world()
    found = report_profiles.profile(official, date(2026, 1, 1), date(2026, 12, 31))
    esf = found.breakdowns["age_esf"].counts
    flemish = found.breakdowns["age_flemish"].counts
    assert esf == {"under_18": 1, "18_29": 4, "30_54": 2, "55_plus": 3, "unknown": 2}
    assert flemish == {"under_25": 3, "25_58": 6, "58_plus": 1, "unknown": 2}
    assert sum(1 for band in FLEMISH.values() if band == "25_58") == 6


def test_profile_counts_did_not_answer(official):
    _profile_world()
    found = report_profiles.profile(official, date(2026, 1, 1), date(2026, 12, 31))
    assert found.total == 12
    assert found.breakdowns["education"].counts == {"low": 10, "middle": 0, "high": 1, "unknown": 1}
    assert found.breakdowns["gender"].counts == {"f": 10, "m": 0, "x": 1, "unknown": 1}
    assert found.breakdowns["disability"].counts == {"yes": 1, "no": 10, "unknown": 1}
    assert found.breakdowns["migration_background"].counts == {"yes": 10, "no": 0, "unknown": 2}
    assert found.breakdowns["labour_status"].counts["temporarily_unemployed"] == 1
    assert found.breakdowns["labour_status"].counts["unknown"] == 1
    assert "started_year - birth_year" in found.source


def test_profile_as_of_a_day_counts_only_enrolments_started_by_then(official):
    _profile_world()
    found = report_profiles.profile(
        official, date(2025, 1, 1), date(2026, 12, 31), day=date(2025, 12, 31)
    )
    assert found.total == 1


# ---------------------------------------------------------------------------- (f) ESF+


def test_esf_indicators_per_project_and_for_the_call(official):
    project = _profile_world()
    other, _member = make_funded_project()
    add_enrolments(
        other,
        [
            {
                "started_on": "2026-05-01",
                "gender": "m",
                "labour_status": "employed",
                "birth_year": 1960,
            }
        ],
    )
    found = report_profiles.esf_indicators(official, date(2026, 1, 1), date(2026, 12, 31))
    values = {v.code: (v.count, v.not_answered) for v in found.overall.values}
    assert found.overall.total == 13
    assert values["women"] == (10, 1) and values["men"] == (1, 1)
    assert values["non_binary"] == (1, 1)
    assert values["unemployed"] == (10, 1)
    assert values["employed"] == (2, 1)  # temporarily unemployed counts as employed
    assert values["below_18"] == (1, 2) and values["age_55_plus"] == (4, 2)
    assert values["isced_0_2"] == (10, 2) and values["isced_5_8"] == (1, 2)
    assert values["disabilities"] == (1, 2)
    assert values["foreign_background"] == (10, 3)
    assert [p.key for p in found.projects] == sorted([project.reference, other.reference])
    mine = next(p for p in found.projects if p.key == project.reference)
    assert mine.total == 12


# ---------------------------------------------------------------------------- query counts


def _all_reports(official):
    reports.year_over_year(official, 2026, 2025)
    reports.status_shares(official, date(2026, 1, 1), date(2026, 12, 31), date(2026, 6, 30))
    reports.mode_channel(
        official,
        date(2026, 1, 1),
        date(2026, 12, 31),
        base_start=date(2025, 1, 1),
        base_end=date(2025, 12, 31),
    )
    reports.trainings(official, date(2026, 1, 1), date(2026, 12, 31))
    report_profiles.profile(official, date(2026, 1, 1), date(2026, 12, 31))
    report_profiles.esf_indicators(official, date(2026, 1, 1), date(2026, 12, 31))


def test_reports_run_a_fixed_number_of_queries_whatever_the_volume(official):
    project, _member = make_funded_project()
    add_enrolments(project, enrolment_rows(3, "2026-02-01", training_code="A"))
    small = _count(lambda: _all_reports(official))
    other, _member = make_funded_project()
    more = []
    for month in range(1, 13):
        for mode in ("online", "blended", "physical"):
            more += enrolment_rows(
                4,
                f"2026-{month:02d}-03",
                mode=mode,
                training_code=f"T{month}",
                birth_year=1980 + month,
                gender="f",
                education="high",
            )
            more += enrolment_rows(2, f"2025-{month:02d}-03", mode=mode)
    add_enrolments(other, more)
    large = _count(lambda: _all_reports(official))
    assert small == large
    assert large <= 12  # eight report queries, and the actor's roles
