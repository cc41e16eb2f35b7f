"""The official's evaluation journey in a real browser: a closed call with submitted
proposals; start the evaluation, the default criteria, admissibility, automatic assignment
(the evaluators' reviews come through the services), the consensus per proposal, the ranking
and publication; then the applicant reads the outcome and downloads the summary report.
axe on every page."""

import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.calls.models import CallPhase
from app.core.db import db
from app.core.email import OutboxMessage
from app.core.time import BRUSSELS, brussels, utcnow
from app.proposals import services as proposals
from app.reviews import facts
from app.reviews.models import DecisionRecord, Outcome
from app.reviews.rules import conflicts as conflicts_rules
from app.reviews.rules import ranking as ranking_rules
from app.reviews.rules import scoring as scoring_rules
from tests.factories import DEFAULT_PASSWORD, complete_fields, make_call, make_user

pytestmark = pytest.mark.browser

OPEN = datetime(2021, 3, 1, tzinfo=UTC)
CODE = "ESF-ELEREN-2021"
EVALUATORS = ("Vera Vermeulen", "Jan Janssens", "Piet Peeters")


def _submitted(call, title: str, amount: str):
    user = make_user("applicant", name=f"Aanvrager {title}")
    organisation_id = sorted(user.organisation_ids)[0]
    proposal = proposals.create_proposal(user, call.id, organisation_id, received_at=OPEN)
    proposals.update_proposal(
        user,
        proposal.id,
        complete_fields(title=title, requested_eur=Decimal(amount)),
        proposal.revision,
        received_at=OPEN,
    )
    proposals.submit_proposal(user, proposal.id, received_at=OPEN)
    return proposal, user


def _log_in(page, user) -> None:
    page.goto("/auth/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("main form").last.locator("button[type=submit]").click()
    page.wait_for_load_state("load")


def _submit(page, form_selector: str) -> None:
    page.locator(f"{form_selector} button[type=submit]").first.click()
    page.wait_for_load_state("load")


def _evaluators_review(call) -> None:
    """What the evaluators do on their own pages, done here through the services."""
    criteria = facts.criteria_of(call.id)
    for n, name in enumerate(EVALUATORS):
        evaluator = next(u for u in facts.evaluators() if u.name == name)
        for assignment in facts.my_assignments(evaluator):
            conflicts_rules.declare(evaluator, assignment.id, False)
            scoring_rules.save_review(
                evaluator,
                assignment.id,
                {
                    c.id: (str(3 + n * Decimal("0.5")), f"Motivering van {name} bij {c.name_nl}")
                    for c in criteria
                },
                "Een degelijk voorstel.",
            )
            scoring_rules.submit_review(evaluator, assignment.id)


def test_official_runs_the_evaluation_and_the_applicant_reads_the_result(
    page, check_page, tmp_path
):
    call = make_call(
        code=CODE,
        title="E-leren: oproep 2021",
        opens_at=brussels(2021, 1, 1),
        deadline=brussels(2021, 3, 31, 23, 59, 59),
        budget_eur=Decimal("200000.00"),
    )
    made = [
        _submitted(call, "Lassen met VR", "90000.00"),
        _submitted(call, "Klantgesprekken met AI", "90000.00"),
        _submitted(call, "Heftruck in AR", "90000.00"),
    ]
    for name in EVALUATORS:
        make_user("evaluator", name=name)
    official = make_user("official", name="Olivia Official")

    # The evaluation index through the navigation, then the call's steps.
    _log_in(page, official)
    page.click("nav a[href='/evaluation/calls']")
    page.wait_for_load_state("load")
    check_page("index")
    page.click(f"main a[href='/evaluation/calls/{CODE}']")
    page.wait_for_load_state("load")
    check_page("home")
    _submit(page, f"main form[action$='/evaluation/calls/{CODE}/start']")
    db.session.expire_all()
    assert call.phase is CallPhase.evaluation
    assert page.locator(".govuk-notification-banner").count() == 1

    # Criteria: the default set.
    page.click(f"main a[href='/evaluation/calls/{CODE}/criteria']")
    page.wait_for_load_state("load")
    check_page("criteria-empty")
    _submit(page, "main form[action$='/criteria/default']")
    assert (
        page.locator("input[name='criteria-4-name_en']").input_value()
        == "Reach of disadvantaged groups"
    )
    check_page("criteria")

    # Admissibility: every proposal admissible.
    page.goto(f"/evaluation/calls/{CODE}")
    page.click(f"main a[href='/evaluation/calls/{CODE}/admissibility']")
    page.wait_for_load_state("load")
    check_page("admissibility")
    # the first one on its own, the other two ticked and decided at once
    first = made[0][0]
    page.check(f"input[name='p{first.id}-result'][value=admissible]")
    _submit(page, f"#proposal-{first.id} form")
    page.click("a[data-select-all]")  # ticks every box on the page (script)
    assert page.locator("input[name='bulk-proposal_ids']:checked").count() == 3
    page.uncheck(f"#select-{first.id}")
    page.check("input[name='bulk-result'][value=admissible]")
    _submit(page, "#bulk-admissibility")
    assert len(facts.admissible_proposals(call.id)) == 3
    admissibility_mail = OutboxMessage.kind.in_(["proposal_admissible", "proposal_inadmissible"])
    assert db.session.query(OutboxMessage).filter(admissibility_mail).count() == 0  # a draft
    check_page("admissibility-done")

    # Release the results: the preview counts three letters, the box confirms.
    page.click(f"main a[href='/evaluation/calls/{CODE}/admissibility/release']")
    page.wait_for_load_state("load")
    assert "Voorbeeld van één brief" in page.inner_text("main")
    check_page("admissibility-release")
    page.check("input[name=confirm]")
    _submit(page, "main form[action$='/admissibility/release']")
    assert db.session.query(OutboxMessage).filter_by(kind="proposal_admissible").count() == 3

    # Automatic assignment: three evaluators on each proposal.
    page.goto(f"/evaluation/calls/{CODE}/assignments")
    check_page("assignments-empty")
    _submit(page, "main form[action$='/assignments/auto']")
    assert page.locator("main table tbody tr").count() == 3 * 3
    check_page("assignments")

    _evaluators_review(call)

    # The review overview, then the consensus on each proposal through the page.
    page.goto(f"/evaluation/calls/{CODE}")
    check_page("home-reviewed")
    page.click(f"main a[href='/evaluation/calls/{CODE}/overview']")
    page.wait_for_load_state("load")
    check_page("overview")
    criteria = facts.criteria_of(call.id)
    for index, (proposal, _user) in enumerate(made):
        page.goto(f"/evaluation/calls/{CODE}/overview")
        page.click(f"main a[href$='/proposals/{proposal.id}/consensus']")
        page.wait_for_load_state("load")
        if index == 0:
            check_page("consensus")
            # a score off the scale: the error summary links the field, the text is kept
            page.fill(f"input[name='score-{criteria[0].id}']", "7")
            page.fill(f"textarea[name='justification-{criteria[0].id}']", "Te hoog")
            _submit(page, "main form[method=post]")
            assert (
                page.locator(f".govuk-error-summary a[href='#score-{criteria[0].id}']").count() == 1
            )
            assert page.locator(f"input[name='score-{criteria[0].id}']").input_value() == "7"
            check_page("consensus-error")
        score = ("4", "3,5", "3")[index]
        for criterion in criteria:
            page.fill(f"input[name='score-{criterion.id}']", score)
            page.fill(
                f"textarea[name='justification-{criterion.id}']",
                f"Het panel is het eens over {criterion.name_nl.lower()}.",
            )
        page.fill(f"textarea[name='minority-{criteria[2].id}']", "Eén evaluator gaf 2.")
        _submit(page, "main form[method=post]")
        assert page.locator(".govuk-notification-banner").count() == 1
    check_page("consensus-saved")

    # The ranking with the budget line, then publication.
    page.goto(f"/evaluation/calls/{CODE}/ranking")
    rows = page.locator("#ranking tbody tr")
    assert rows.count() == 4  # three proposals and the budget line
    assert "Budgetlijn" in rows.nth(2).inner_text()
    check_page("ranking")
    page.click(f"main a[href='/evaluation/calls/{CODE}/decision/publish']")
    page.wait_for_load_state("load")
    assert "Wat wordt gepubliceerd" in page.inner_text("main")
    check_page("publish-preview")
    page.check("input[name=confirm]")
    _submit(page, "main form[action$='/ranking/publish']")
    [record] = db.session.query(DecisionRecord).all()
    assert page.locator(f"text={record.fingerprint}").count() == 1
    check_page("published")
    rows = ranking_rules.ranking(call.id)
    assert [r.outcome for r in rows] == [Outcome.funded, Outcome.funded, Outcome.reserve]

    # The applicant of the first proposal: the outcome, the legal clock and the report.
    page.locator("header form, nav form").last.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    proposal, applicant = made[0]
    _log_in(page, applicant)
    page.goto(f"/proposals/{proposal.id}")
    decision = page.locator("#decision")
    today = utcnow().astimezone(BRUSSELS).date()
    assert today.strftime("%d-%m-%Y") in decision.inner_text()
    assert record.objection_until.strftime("%d-%m-%Y") in decision.inner_text()
    assert "80 / 100" in decision.inner_text()
    check_page("applicant-proposal")
    with page.expect_download() as download_info:
        page.click(f"#decision a[href='/evaluation/summary/{proposal.id}.pdf']")
    download = download_info.value
    assert download.suggested_filename == f"beoordelingsverslag-{proposal.reference}.pdf"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        path = tmp_path / "summary.pdf"
        path.write_bytes(data)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert proposal.reference in text  # the report is readable
        for name in (*EVALUATORS, official.name):
            assert name not in text
    assert urlsplit(page.url).path == f"/proposals/{proposal.id}"

    # The applicant objects in the portal; the official answers it there.
    page.click(f"#objections a[href='/evaluation/proposals/{proposal.id}/objections/new']")
    page.wait_for_load_state("load")
    check_page("objection-new")
    _submit(page, "main form[method=post]")  # nothing chosen: the error summary
    assert page.locator(".govuk-error-summary").count() == 1
    check_page("objection-error")
    page.check("input[name=kind][value=objection]")
    page.fill(
        "textarea[name=text]", "Het praktijkluik staat op pagina 4 en werd over het hoofd gezien."
    )
    _submit(page, "main form[method=post]")
    assert page.locator(".govuk-notification-banner").count() == 1
    check_page("objection-lodged")
    page.locator("header form, nav form").last.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    _log_in(page, official)
    page.goto(f"/evaluation/calls/{CODE}")
    page.click(f"main a[href='/evaluation/calls/{CODE}/objections']")
    page.wait_for_load_state("load")
    assert proposal.reference in page.locator("main table").inner_text()
    check_page("objection-queue")
    page.click(f"main table a:has-text('{proposal.reference}')")
    page.wait_for_load_state("load")
    page.fill("textarea[name=answer]", "Het praktijkluik is herlezen; de score blijft.")
    page.check("input[name=outcome][value=rejected]")
    _submit(page, "main form[action$='/answer']")
    assert page.locator(".govuk-notification-banner").count() == 1
    check_page("objection-answered")
