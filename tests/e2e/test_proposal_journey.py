"""The applicant's journey in a real browser: from the call page to the receipt."""

from urllib.parse import urlsplit

import pytest

from app.core.db import db
from app.proposals.models import Proposal, ProposalStatus
from tests.factories import DEFAULT_PASSWORD, make_call, make_user

pytestmark = pytest.mark.browser

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _save_and_continue(page) -> None:
    page.click("main button[name=then][value=next]")
    page.wait_for_load_state("load")


def test_applicant_writes_attaches_submits_and_downloads_the_receipt(page, check_page, tmp_path):
    call = make_call(code="ESF-ELEREN-2027", title="ESF e-leren 2027")
    user = make_user("applicant", email="an.peeters@leerboom.example", name="An Peeters")

    page.goto("/auth/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("load")

    # The call page: deadline in Brussels time and a countdown that ticks.
    page.goto(f"/calls/{call.code}")
    timer = page.locator("main [role=timer]")
    first = timer.inner_text()
    # it ticks within 1.5 s (PlaywrightTimeoutError otherwise)
    page.wait_for_function(
        "first => document.querySelector('main [role=timer]').innerText !== first",
        arg=first,
        timeout=1500,
    )
    assert timer.inner_text() != first, "the countdown does not tick"
    check_page("call")
    page.click(f"main form[action$='/proposals/new/{call.code}'] button")
    page.wait_for_load_state("load")
    proposal_path = urlsplit(page.url).path
    assert proposal_path.startswith("/proposals/")
    check_page("new-draft")

    # General, then every following part with "save and continue".
    page.click("main a[href$='/edit/general']")
    page.wait_for_load_state("load")
    page.fill("input[name=title]", "Heftruck rijden leren met VR")
    page.fill("input[name=acronym]", "HEFVR")
    page.check("input[name=project_type][value=convert]")
    page.fill("input[name=training_name]", "Heftruckchauffeur")
    page.fill("textarea[name=training_current_form]", "Klassikaal met praktijk op de vloer")
    page.fill("input[name=training_hours]", "24")
    check_page("general")
    _save_and_continue(page)

    for name in (
        "learning_objectives",
        "content",
        "didactic_approach",
        "target_group",
        "disadvantaged_groups",
        "practice_explanation",
        "guidance_before",
        "guidance_during",
        "guidance_after",
        "lms_follow_up",
    ):
        page.fill(f"textarea[name={name}]", f"Tekst voor {name.replace('_', ' ')}.")
    page.check("input[name=practice_oriented][value=yes]")
    check_page("design")
    _save_and_continue(page)

    page.check("input[name=technologies][value=vr]")
    page.check("input[name=technologies][value=ai]")
    _save_and_continue(page)

    page.fill("input[name=start_date]", "2030-01-06")
    page.fill("input[name=end_date]", "2030-12-19")
    page.fill("input[name='milestones-0-when']", "2030-06-30")
    page.fill("input[name='milestones-0-description']", "Eerste module online")
    check_page("planning")
    _save_and_continue(page)

    # A wrong amount is refused and kept, then corrected.
    page.fill("input[name=requested_eur]", "veel")
    page.fill("input[name=own_contribution_eur]", "15.000,00")
    _save_and_continue(page)
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.input_value("input[name=requested_eur]") == "veel"
    check_page("budget-error")
    page.fill("input[name=requested_eur]", "85.000,00")
    _save_and_continue(page)

    page.fill("input[name=expected_participants]", "80")
    _save_and_continue(page)
    assert urlsplit(page.url).path == proposal_path

    # Attach a PDF: one over the size limit is refused on the form itself, before sending.
    page.click("main a[href$='/attachments']")
    page.wait_for_load_state("load")
    attachments_url = page.url
    big = tmp_path / "te-groot.pdf"
    big.write_bytes(PDF + b"0" * (10 * 1024 * 1024))
    page.set_input_files("input[type=file]", str(big))
    page.click("main form[enctype] button[type=submit], main form[enctype] input[type=submit]")
    error = page.locator("main .govuk-form-group--error .govuk-error-message")
    error.wait_for()
    assert "groter dan 10 MB" in error.inner_text()
    assert page.url == attachments_url
    check_page("attachment-too-large")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "projectplan.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.click("main form[enctype] button[type=submit], main form[enctype] input[type=submit]")
    page.wait_for_load_state("load")
    assert "projectplan.pdf" in page.locator("main").inner_text()
    check_page("attachments")

    # Check your answers: every answer, an edit link per part, then the declaration.
    page.goto(proposal_path)
    page.click(f"main a[href$='{proposal_path}/check']")
    page.wait_for_load_state("load")
    assert not page.locator(".govuk-error-summary").count()
    main = page.locator("main").inner_text()
    assert "projectplan.pdf" in main and "85.000,00" in main
    for section in ("general", "design", "technologies", "planning", "budget", "partners"):
        assert page.locator(f"main a[href$='{proposal_path}/edit/{section}']").count() == 1
    check_page("check")
    # Submitting without ticking the declaration is refused on the same page.
    page.click(f"main form[action$='{proposal_path}/submit'] button")
    page.wait_for_load_state("load")
    assert page.locator(".govuk-error-summary").is_visible()
    assert "erewoord" in page.locator(".govuk-error-summary").inner_text()
    check_page("check-declaration-error")
    page.check("input[name=declaration]")
    page.click(f"main form[action$='{proposal_path}/submit'] button")
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == proposal_path
    check_page("submitted")

    # The receipt.
    with page.expect_download() as download:
        page.click("main a[href$='/versions/1/receipt.pdf']")
    receipt = download.value.path().read_bytes()
    assert receipt.startswith(b"%PDF-")

    db.session.expire_all()
    proposal = db.session.get(Proposal, int(proposal_path.rsplit("/", 1)[1]))
    assert proposal.status is ProposalStatus.submitted
    assert proposal.technologies == ["vr", "ai"]
    assert str(proposal.requested_eur) == "85000.00"
    assert [v.number for v in proposal.versions] == [1]
    assert proposal.versions[0].data["attachments"][0]["filename"] == "projectplan.pdf"
    assert "erewoord" in proposal.versions[0].declaration["text"]
