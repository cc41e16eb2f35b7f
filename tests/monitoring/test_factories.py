"""The monitoring fixtures hold together (and satisfy the database constraints)."""

from app.monitoring.models import Enrolment, EnrolmentStatusChange
from tests.monitoring.factories import add_enrolments, make_funded_project


def test_a_funded_project_with_an_enrolment_and_its_status_history():
    project, member = make_funded_project()
    [enrolment] = add_enrolments(
        project,
        [
            {
                "started_on": "2025-03-04",
                "mode": "blended",
                "birth_year": 1990,
                "history": [("enrolled", "2025-03-04")],
                "status": "completed",
                "status_on": "2025-05-01",
            }
        ],
    )
    assert project.organisation_id in member.organisation_ids
    assert (enrolment.started_year, enrolment.started_month, enrolment.age_at_start) == (
        2025,
        3,
        35,
    )
    changes = (
        EnrolmentStatusChange.query.filter_by(enrolment_pk=enrolment.id)
        .order_by(EnrolmentStatusChange.status_on)
        .all()
    )
    assert [(c.status.value, str(c.until_on)) for c in changes] == [
        ("enrolled", "2025-05-01"),
        ("completed", "None"),
    ]
    assert Enrolment.query.count() == 1
