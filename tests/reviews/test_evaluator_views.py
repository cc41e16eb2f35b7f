"""The evaluator's pages over HTTP: profile, declaration, scoring, the others' reviews; and who
may NOT see or do things (strangers 404, other roles 403, nothing before the declaration)."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.core.db import db
from app.core.email import OutboxMessage
from app.reviews import facts
from app.reviews.models import (
    Admissibility,
    Affiliation,
    Assignment,
    AssignmentStatus,
    EvaluatorProfile,
    Review,
    ReviewStatus,
)
from app.reviews.rules import admissibility as admissibility_rules
from app.reviews.rules import assignment as assignment_rules
from app.reviews.rules import conflicts as conflicts_rules
from app.reviews.rules import criteria as criteria_rules
from app.reviews.rules import scoring as scoring_rules
from app.reviews.rules.criteria import CriterionInput
from tests.factories import make_organisation, make_user
from tests.reviews.factories import PDF, evaluation_call, submitted

OPEN = datetime(2021, 3, 1, tzinfo=UTC)


# ---------------------------------------------------------------------------- helpers


def _criteria(call, *weights):
    items = [
        CriterionInput(f"Criterium {i}", f"Criterion {i}", Decimal(w), guidance_en=f"Guidance {i}")
        for i, w in enumerate(weights, start=1)
    ]
    return criteria_rules.set_criteria(None, call.id, items)


def _assign(proposal, official, *evaluators):
    return [assignment_rules.assign(official, proposal.id, e.id) for e in evaluators]


@pytest.fixture
def scene():
    """A call with two criteria (weights 60 and 40, 0-5 in half points), one admissible
    proposal with a partner and an attachment, three evaluators assigned (not declared)."""
    call = evaluation_call()
    criteria = _criteria(call, "60", "40")
    partner = make_organisation(legal_name="Partner Leerwerk")
    proposal, _applicant = submitted(
        call,
        attachment=True,
        title="Lassen leren met VR",
        partners=[
            {
                "name": partner.legal_name,
                "role": "co-promotor",
                "enterprise_number": partner.enterprise_number,
            }
        ],
    )
    official = make_user("official")
    admissibility_rules.decide_admissibility(official, proposal.id, Admissibility.admissible)
    evaluators = [make_user("evaluator", language="en", name=f"Expert {n}") for n in "ABC"]
    assignments = _assign(proposal, official, *evaluators)
    return {
        "call": call,
        "criteria": criteria,
        "proposal": proposal,
        "partner": partner,
        "official": official,
        "evaluators": evaluators,
        "assignments": assignments,
    }


def _text(response) -> str:
    return response.get_data(as_text=True)


def _review_data(criteria, scores, justifications=("", ""), action="draft", overall=""):
    data = {"action": action, "overall_comment": overall}
    for criterion, score, justification in zip(criteria, scores, justifications, strict=True):
        data[f"score-{criterion.id}"] = score
        data[f"justification-{criterion.id}"] = justification
    return data


def _declare_and_submit(evaluator, assignment, criteria, scores, texts):
    conflicts_rules.declare(evaluator, assignment.id, False)
    scoring_rules.save_review(
        evaluator,
        assignment.id,
        {c.id: (s, t) for c, s, t in zip(criteria, scores, texts, strict=True)},
    )
    scoring_rules.submit_review(evaluator, assignment.id)


def _summary(response) -> str:
    match = re.search(r'<div class="govuk-error-summary".*?</div>\s*</div>', _text(response), re.S)
    assert match, "no error summary"
    return match.group(0)


# ---------------------------------------------------------------- the whole flow


def test_the_evaluator_flow_over_http(client, login, scene):
    criteria, proposal = scene["criteria"], scene["proposal"]
    evaluator, other, _third = scene["evaluators"]
    mine, theirs, _ = scene["assignments"]
    login(evaluator)
    base = f"/evaluation/assignments/{mine.id}"

    # The navigation leads to the list: before the declaration the applicant and partner,
    # not the title.
    assert "To evaluate" in _text(client.get("/calls/"))
    page = _text(client.get("/evaluation/"))
    assert proposal.reference in page
    assert proposal.organisation.legal_name in page
    assert "Partner Leerwerk" in page
    assert "Lassen leren met VR" not in page
    assert "Declaration needed" in page
    assert scene["call"].title in page

    # The profile: expertise and an affiliation (with five empty rows to add more).
    page = _text(client.get("/evaluation/profile"))
    assert page.count('name="affiliations-') == 5 * 3
    response = client.post(
        "/evaluation/profile",
        data={
            "expertise": ["vr", "ai"],
            "affiliations-0-organisation_name": "Hogeschool Gent",
            "affiliations-0-enterprise_number": make_organisation().enterprise_number,
            "affiliations-0-relation": "docent",
            "affiliations-2-organisation_name": " ",
        },
    )
    assert response.status_code == 302 and response.location.endswith("/evaluation/profile")
    db.session.expire_all()
    assert db.session.get(EvaluatorProfile, evaluator.id).expertise == ["vr", "ai"]
    page = _text(client.get("/evaluation/profile"))
    assert 'value="Hogeschool Gent"' in page and page.count('name="affiliations-') == 5 * 3

    # Before the declaration: the review page sends to the declaration, no files.
    response = client.get(base)
    assert response.status_code == 302 and response.location.endswith(f"{base}/declare")
    sha = proposal.versions[0].data["attachments"][0]["sha256"]
    assert client.get(f"{base}/files/{sha}").status_code == 404
    assert client.get(f"{base}/others").status_code == 302

    # The declaration page: applicant and partner with enterprise numbers, own affiliations.
    page = _text(client.get(f"{base}/declare"))
    assert proposal.organisation.enterprise_number in page
    assert scene["partner"].enterprise_number in page
    assert "Hogeschool Gent" in page
    assert "Lassen leren met VR" not in page
    # "No conflict" needs the confidentiality promise; nothing changes without it.
    response = client.post(f"{base}/declare", data={"has_conflict": "no"})
    assert response.status_code == 422
    assert "Confirm that you will keep the content confidential." in _summary(response)
    response = client.post(f"{base}/declare", data={})
    assert response.status_code == 422
    assert "Say whether you have a conflict of interest." in _summary(response)
    assert db.session.get(Assignment, mine.id).status is AssignmentStatus.awaiting_declaration
    response = client.post(f"{base}/declare", data={"has_conflict": "no", "confidential": "y"})
    assert response.status_code == 302 and response.location.endswith(base)
    # declared once: the declaration page now leads to the review
    assert client.get(f"{base}/declare").location.endswith(base)

    # The proposal's counting version, with its attachment, and the form.
    page = _text(client.get(base))
    assert "Lassen leren met VR" in page
    assert "Eerst oefenen in VR, daarna in het atelier." in page  # didactic approach
    assert "Guidance 1" in page and "Criterion 2" in page
    assert f'href="{base}/files/{sha}"' in page
    download = client.get(f"{base}/files/{sha}")
    assert "no-store" in download.headers["Cache-Control"]
    assert download.status_code == 200 and download.data == PDF
    assert "projectplan.pdf" in download.headers["Content-Disposition"]
    assert client.get(f"{base}/files/{'0' * 64}").status_code == 404

    # A draft with a Dutch decimal comma.
    response = client.post(base, data=_review_data(criteria, ("3,5", ""), ("Sterk", "")))
    assert response.status_code == 302 and response.location.endswith(base)
    db.session.expire_all()
    review = db.session.scalar(sa.select(Review).where(Review.assignment_id == mine.id))
    assert review.status is ReviewStatus.draft
    assert {s.criterion_id: s.score for s in review.scores}[criteria[0].id] == Decimal("3.5")
    page = _text(client.get(base))
    assert 'value="3.5"' in page and "Sterk" in page  # English: a decimal point

    # The others' reviews stay closed until one's own is submitted.
    response = client.get(f"{base}/others")
    assert response.status_code == 302 and response.location.endswith(base)
    assert "Submit your own review first" in _text(client.get(base))

    # Submitting with a missing score and justifications: every item in one summary.
    response = client.post(
        base, data=_review_data(criteria, ("4", ""), ("", ""), action="submit", overall="Goed plan")
    )
    assert response.status_code == 422
    summary = _summary(response)
    assert f'href="#justification-{criteria[0].id}"' in summary
    assert f'href="#score-{criteria[1].id}"' in summary
    assert f'href="#justification-{criteria[1].id}"' in summary
    assert "Justify your score for “Criterion 1”." in summary
    page = _text(response)
    assert 'value="4"' in page and "Goed plan" in page  # typed input kept
    db.session.expire_all()
    assert db.session.get(Review, review.id).status is ReviewStatus.draft

    response = client.post(
        base,
        data=_review_data(
            criteria,
            ("4,5", "3"),
            ("Sterk praktijkgericht", "Degelijk"),
            action="submit",
            overall="Goed plan",
        ),
    )
    assert response.status_code == 302 and response.location.endswith(base)
    db.session.expire_all()
    review = db.session.get(Review, review.id)
    assert review.status is ReviewStatus.submitted
    assert facts.weighted_total(review.scores) == Decimal("78.00")

    # Read-only afterwards, with the way to the others; a further POST changes nothing.
    page = _text(client.get(base))
    assert "Sterk praktijkgericht" in page and "78" in page
    assert 'name="action"' not in page
    assert f'href="{base}/others"' in page
    response = client.post(base, data=_review_data(criteria, ("1", "1"), ("x", "x")))
    assert response.status_code == 302
    db.session.expire_all()
    assert {s.score for s in db.session.get(Review, review.id).scores} == {
        Decimal("4.5"),
        Decimal("3"),
    }

    # The others: nobody yet, then evaluator 2 (never a name).
    page = _text(client.get(f"{base}/others"))
    assert "No other evaluator has submitted" in page
    _declare_and_submit(other, theirs, criteria, ("1", "2"), ("Zwak uitgewerkt", "Matig"))
    response = client.get(f"{base}/others")
    assert response.status_code == 200
    page = _text(response)
    assert "Evaluator 2" in page and "Zwak uitgewerkt" in page
    assert "28" in page  # 100 * (60 * 1/5 + 40 * 2/5) / 100
    assert other.name not in page and other.email not in page
    assert "Evaluator 3" not in page

    page = _text(client.get("/evaluation/"))
    assert "Lassen leren met VR" in page and "Submitted" in page


def test_a_dutch_evaluator_sees_a_decimal_comma(client, login, scene):
    official = scene["official"]
    evaluator = login(make_user("evaluator", language="nl"))
    [assignment] = _assign(scene["proposal"], official, evaluator)
    conflicts_rules.declare(evaluator, assignment.id, False)
    criterion = scene["criteria"][0]
    scoring_rules.save_review(evaluator, assignment.id, {criterion.id: ("2.5", "")})
    page = _text(client.get(f"/evaluation/assignments/{assignment.id}"))
    assert 'value="2,5"' in page


# ---------------------------------------------------------------- validation keeps input


@pytest.mark.parametrize("action", ["draft", "submit"])
def test_scores_off_the_scale_or_step_are_refused_and_kept(client, login, scene, action):
    criteria = scene["criteria"]
    evaluator = login(scene["evaluators"][0])
    assignment = scene["assignments"][0]
    conflicts_rules.declare(evaluator, assignment.id, False)
    base = f"/evaluation/assignments/{assignment.id}"
    response = client.post(
        base,
        data=_review_data(
            criteria, ("5,5", "3.3"), ("Te hoog gegrepen", "Net niet"), action=action
        ),
    )
    assert response.status_code == 422
    summary = _summary(response)
    assert "Give a score from 0 to 5 in steps of 0.5." in summary
    assert f'href="#score-{criteria[0].id}"' in summary
    assert f'href="#score-{criteria[1].id}"' in summary
    page = _text(response)
    assert 'value="5,5"' in page and 'value="3.3"' in page
    assert "Te hoog gegrepen" in page and "Net niet" in page
    response = client.post(base, data=_review_data(criteria, ("-1", "veel"), action=action))
    assert response.status_code == 422
    assert 'value="veel"' in _text(response)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Review.id))) == 0


def test_a_failed_submit_keeps_valid_scores_as_the_draft(client, login, scene):
    criteria = scene["criteria"]
    evaluator = login(scene["evaluators"][0])
    assignment = scene["assignments"][0]
    conflicts_rules.declare(evaluator, assignment.id, False)
    response = client.post(
        f"/evaluation/assignments/{assignment.id}",
        data=_review_data(criteria, ("4", "2"), ("", ""), action="submit"),
    )
    assert response.status_code == 422
    summary = _summary(response)
    assert summary.count('href="#justification-') == 2
    assert 'href="#score-' not in summary
    db.session.expire_all()
    review = db.session.scalar(sa.select(Review))
    assert review.status is ReviewStatus.draft
    assert sorted(s.score for s in review.scores) == [Decimal("2"), Decimal("4")]


def test_profile_errors_land_on_the_row_typed_and_keep_the_input(client, login, scene):
    evaluator = login(scene["evaluators"][0])
    response = client.post(
        "/evaluation/profile",
        data={
            "expertise": ["vr"],
            "affiliations-0-organisation_name": "Goed BV",
            "affiliations-0-enterprise_number": make_organisation().enterprise_number,
            "affiliations-3-organisation_name": "Fout BV",
            "affiliations-3-enterprise_number": "0123.456.789",
            "affiliations-4-enterprise_number": make_organisation().enterprise_number,
        },
    )
    assert response.status_code == 422
    summary = _summary(response)
    assert 'href="#affiliations-3-enterprise_number"' in summary
    assert 'href="#affiliations-4-organisation_name"' in summary
    page = _text(response)
    assert 'value="0123.456.789"' in page and 'value="Fout BV"' in page
    assert 'value="vr" checked' in page or re.search(r'value="vr"\s+checked', page)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Affiliation.id)).where(Affiliation.user_id == evaluator.id)
        )
        == 0
    )


# ---------------------------------------------------------------- conflicts


def test_a_declared_conflict_needs_a_reason_then_the_assignment_is_gone(client, login, scene):
    evaluator = login(scene["evaluators"][0])
    assignment = scene["assignments"][0]
    base = f"/evaluation/assignments/{assignment.id}"
    response = client.post(f"{base}/declare", data={"has_conflict": "yes", "reason": " "})
    assert response.status_code == 422
    assert 'href="#reason"' in _summary(response)
    response = client.post(
        f"{base}/declare", data={"has_conflict": "yes", "reason": "Ik gaf er vorig jaar les"}
    )
    assert response.status_code == 302 and response.location.endswith("/evaluation/")
    page = _text(client.get(response.location))
    assert "The officials have been told" in page
    assert "No proposals are assigned to you" in page  # the only one is gone
    assert db.session.scalar(
        sa.select(OutboxMessage.kind).where(OutboxMessage.kind == "conflict_declared")
    )
    sha = scene["proposal"].versions[0].data["attachments"][0]["sha256"]
    for method, url in _routes(base, sha):
        assert client.open(url, method=method, data={}).status_code == 404, (method, url)
    assert evaluator  # logged in throughout


def test_a_removed_assignment_is_404(client, login, scene):
    evaluator = login(scene["evaluators"][0])
    assignment = scene["assignments"][0]
    conflicts_rules.declare(evaluator, assignment.id, False)
    assignment_rules.remove_assignment(scene["official"], assignment.id, "Te veel werk")
    base = f"/evaluation/assignments/{assignment.id}"
    sha = scene["proposal"].versions[0].data["attachments"][0]["sha256"]
    for method, url in _routes(base, sha):
        assert client.open(url, method=method, data={}).status_code == 404, (method, url)
    assert scene["proposal"].reference not in _text(client.get("/evaluation/"))


# ---------------------------------------------------------------- who may NOT


def _routes(base, sha):
    return [
        ("GET", f"{base}/declare"),
        ("POST", f"{base}/declare"),
        ("GET", base),
        ("POST", base),
        ("GET", f"{base}/others"),
        ("GET", f"{base}/files/{sha}"),
    ]


def test_a_stranger_evaluator_gets_404_on_every_route_of_an_assignment(client, login, scene):
    owner = scene["evaluators"][0]
    assignment = scene["assignments"][0]
    conflicts_rules.declare(owner, assignment.id, False)
    scoring_rules.save_review(owner, assignment.id, {c.id: ("3", "Ok") for c in scene["criteria"]})
    scoring_rules.submit_review(owner, assignment.id)
    login(make_user("evaluator"))
    base = f"/evaluation/assignments/{assignment.id}"
    sha = scene["proposal"].versions[0].data["attachments"][0]["sha256"]
    for method, url in [*_routes(base, sha), ("GET", "/evaluation/assignments/999999")]:
        response = client.open(url, method=method, data={"has_conflict": "yes", "reason": "x"})
        assert response.status_code == 404, (method, url)
        assert scene["proposal"].reference not in _text(response)
    db.session.expire_all()
    assert db.session.get(Assignment, assignment.id).status is AssignmentStatus.accepted


@pytest.mark.parametrize("role", ["applicant", "official", "admin"])
def test_other_roles_are_refused(client, as_role, scene, role):
    as_role(role)
    base = f"/evaluation/assignments/{scene['assignments'][0].id}"
    sha = scene["proposal"].versions[0].data["attachments"][0]["sha256"]
    for method, url in [
        *_routes(base, sha),
        ("GET", "/evaluation/"),
        ("GET", "/evaluation/profile"),
        ("POST", "/evaluation/profile"),
    ]:
        assert client.open(url, method=method, data={}).status_code == 403, (method, url)
    assert "To evaluate" not in _text(client.get("/calls/"))


def test_anonymous_visitors_are_sent_to_log_in(client, scene):
    base = f"/evaluation/assignments/{scene['assignments'][0].id}"
    sha = scene["proposal"].versions[0].data["attachments"][0]["sha256"]
    for method, url in [
        *_routes(base, sha),
        ("GET", "/evaluation/"),
        ("GET", "/evaluation/profile"),
        ("POST", "/evaluation/profile"),
    ]:
        response = client.open(url, method=method, data={})
        assert response.status_code == 302, (method, url)
        assert "/auth/login" in response.location
