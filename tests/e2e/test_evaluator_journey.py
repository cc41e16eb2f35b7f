"""The evaluator's journey in a real browser: profile, declaration, draft, submission and
the other evaluators' reviews, with axe on every page."""

import io
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from app.core.db import db
from app.core.time import brussels
from app.proposals import services as proposals
from app.reviews.models import (
    Admissibility,
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
from tests.factories import (
    DEFAULT_PASSWORD,
    complete_fields,
    make_call,
    make_organisation,
    make_user,
)

pytestmark = pytest.mark.browser

OPEN = datetime(2021, 3, 1, tzinfo=UTC)
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _scene():
    """A closed call with the default criteria, one admissible proposal (a partner, an
    attachment), our evaluator and two others who have already submitted their reviews."""
    call = make_call(
        code="ESF-ELEREN-2021",
        title="ESF e-leren 2021",
        opens_at=brussels(2021, 1, 1),
        deadline=brussels(2021, 3, 31, 23, 59, 59),
    )
    criteria = criteria_rules.set_criteria(None, call.id, criteria_rules.DEFAULT_CRITERIA)
    partner = make_organisation(legal_name="Werkplaats Lassen vzw")
    applicant = make_user("applicant")
    proposal = proposals.create_proposal(
        applicant, call.id, sorted(applicant.organisation_ids)[0], received_at=OPEN
    )
    proposals.update_proposal(
        applicant,
        proposal.id,
        complete_fields(
            partners=[
                {
                    "name": partner.legal_name,
                    "role": "praktijkpartner",
                    "enterprise_number": partner.enterprise_number,
                }
            ]
        ),
        proposal.revision,
        received_at=OPEN,
    )
    proposals.add_attachment(
        applicant, proposal.id, "projectplan.pdf", io.BytesIO(PDF), received_at=OPEN
    )
    proposals.submit_proposal(applicant, proposal.id, received_at=OPEN)
    official = make_user("official")
    admissibility_rules.decide_admissibility(official, proposal.id, Admissibility.admissible)
    evaluator = make_user("evaluator", email="lies.claes@expert.example", name="Lies Claes")
    others = [make_user("evaluator", name=name) for name in ("Jan Peeters", "Sara Wouters")]
    assignments = [
        assignment_rules.assign(official, proposal.id, e.id) for e in (evaluator, *others)
    ]
    for other, assignment, (score, text) in zip(
        others, assignments[1:], (("3", "Redelijk uitgewerkt."), ("4", "Sterk plan.")), strict=True
    ):
        conflicts_rules.declare(other, assignment.id, False)
        scoring_rules.save_review(
            other,
            assignment.id,
            {c.id: (score, text) for c in criteria},
            "Samen met de werkvloer ontwikkeld.",
        )
        scoring_rules.submit_review(other, assignment.id)
    return call, criteria, proposal, evaluator, assignments[0]


def _click(page, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state("load")


def test_evaluator_declares_scores_submits_and_reads_the_others(page, check_page):
    _call, criteria, proposal, evaluator, assignment = _scene()
    base = f"/evaluation/assignments/{assignment.id}"

    page.goto("/auth/login")
    page.fill("input[name=email]", evaluator.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    _click(page, "main button[type=submit]")

    # The navigation entry, then the list: applicant and partner, no title yet.
    _click(page, "nav a[href='/evaluation/']")
    main = page.locator("main")
    assert proposal.reference in main.inner_text()
    assert "Werkplaats Lassen vzw" in main.inner_text()
    assert "Lassen leren met virtuele realiteit" not in main.inner_text()
    check_page("assignments")

    # The profile: expertise and an affiliation.
    _click(page, "main a[href='/evaluation/profile']")
    page.check("input[name=expertise][value=vr]")
    page.check("input[name=expertise][value=gamification]")
    page.fill("input[name='affiliations-0-organisation_name']", "Hogeschool West")
    page.fill(
        "input[name='affiliations-0-enterprise_number']", make_organisation().enterprise_number
    )
    page.fill("input[name='affiliations-0-relation']", "Gastdocent")
    check_page("profile")
    _click(page, "main form button[type=submit], main form input[type=submit]")
    assert page.locator(".govuk-notification-banner--success").is_visible()
    assert page.input_value("input[name='affiliations-0-organisation_name']") == "Hogeschool West"

    # The declaration: who applies, with the evaluator's own affiliations beside it.
    page.goto("/evaluation/")
    _click(page, f"main a[href='{base}/declare']")
    text = page.locator("main").inner_text()
    assert "Hogeschool West" in text and "Werkplaats Lassen vzw" in text
    assert "Lassen leren met virtuele realiteit" not in text
    page.check("input[name=has_conflict][value=no]")
    check_page("declare")
    # Forgetting the confidentiality promise is caught.
    _click(page, "main form button[type=submit], main form input[type=submit]")
    assert page.locator(".govuk-error-summary").is_visible()
    check_page("declare-error")
    page.check("input[name=has_conflict][value=no]")
    page.check("input[name=confidential]")
    _click(page, "main form button[type=submit], main form input[type=submit]")
    assert urlsplit(page.url).path == base

    # The proposal and the form; the attachment downloads.
    assert "Lassen leren met virtuele realiteit" in page.locator("main h1").inner_text()
    check_page("review")
    with page.expect_download() as download:
        page.click("main a[href*='/files/']")
    assert download.value.path().read_bytes() == PDF

    # A draft with a decimal comma.
    first, second = criteria[0], criteria[1]
    page.fill(f"input[name='score-{first.id}']", "3,5")
    page.fill(
        f"textarea[name='justification-{first.id}']",
        "Sluit aan bij een reële nood aan lassers; veel oefening in VR.",
    )
    page.fill(f"input[name='score-{second.id}']", "4")
    _click(page, "main button[name=action][value=draft]")
    assert page.locator(".govuk-notification-banner--success").is_visible()
    assert page.input_value(f"input[name='score-{first.id}']") == "3,5"
    check_page("draft-saved")

    # Submitting too early: every missing item in one summary, nothing typed lost.
    page.fill("textarea[name=overall_comment]", "Een doordacht project.")
    _click(page, "main button[name=action][value=submit]")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert summary.locator("li").count() == 1 + 2 * (len(criteria) - 2)
    assert page.input_value("textarea[name=overall_comment]") == "Een doordacht project."
    check_page("submit-errors")

    for index, criterion in enumerate(criteria):
        page.fill(f"input[name='score-{criterion.id}']", ["3,5", "4", "3", "4,5", "2"][index])
        page.fill(
            f"textarea[name='justification-{criterion.id}']",
            f"Motivering voor criterium {index + 1}.",
        )
    _click(page, "main button[name=action][value=submit]")
    assert urlsplit(page.url).path == base
    assert page.locator(".govuk-notification-banner--success").is_visible()
    assert not page.locator("main button[name=action]").count()
    check_page("submitted")

    # The others' reviews: numbered, never named.
    _click(page, f"main a[href='{base}/others']")
    text = page.locator("main").inner_text()
    assert "Beoordelaar 2" in text and "Beoordelaar 3" in text
    assert "Jan Peeters" not in text and "Sara Wouters" not in text
    assert "Sterk plan." in text
    check_page("others")

    db.session.expire_all()
    review = db.session.scalar(sa.select(Review).where(Review.assignment_id == assignment.id))
    assert review.status is ReviewStatus.submitted
    assert review.assignment.status is AssignmentStatus.accepted
    assert sorted(s.score for s in review.scores) == [
        Decimal("2"),
        Decimal("3"),
        Decimal("3.5"),
        Decimal("4"),
        Decimal("4.5"),
    ]
    assert db.session.get(EvaluatorProfile, evaluator.id).expertise == ["vr", "gamification"]
