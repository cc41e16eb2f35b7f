"""The official's journey in a real browser: log in, open the statistics during the
submission period, read how many proposals use VR, AI or both, export them, verify one."""

import csv
import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.calls.models import ProjectType
from app.core.time import utcnow
from app.organisations.models import ProviderType
from app.proposals import services as proposals
from tests.factories import (
    DEFAULT_PASSWORD,
    complete_fields,
    make_call,
    make_organisation,
    make_user,
)

pytestmark = pytest.mark.browser


def _proposal(user, call, at, technologies, **fields):
    organisation_id = sorted(user.organisation_ids)[0]
    proposal = proposals.create_proposal(user, call.id, organisation_id, received_at=at)
    proposal = proposals.update_proposal(
        user,
        proposal.id,
        complete_fields(technologies=technologies, **fields),
        proposal.revision,
        received_at=at,
    )
    proposals.submit_proposal(user, proposal.id, received_at=at + timedelta(hours=1))
    return proposal


@pytest.fixture
def open_call():
    """A call open now, with proposals submitted over the last days (VR 3, AI 3, both 1)."""
    now = utcnow()
    call = make_call(
        code="ESF-ELEREN-LIVE",
        title="E-leren: oproep dit jaar",
        opens_at=now - timedelta(days=20),
        deadline=now + timedelta(days=10),
    )
    public = make_user(
        "applicant",
        organisation=make_organisation(
            legal_name="VDAB-partner", provider_type=ProviderType.public
        ),
    )
    private = make_user(
        "applicant",
        organisation=make_organisation(
            legal_name="Leerhuis bv", provider_type=ProviderType.private
        ),
    )
    plan = [
        (public, 18, ["vr", "lms"], ProjectType.convert, "60000.00"),
        (private, 15, ["ai", "blended"], ProjectType.new, "45000.00"),
        (private, 12, ["vr", "ai", "lms"], ProjectType.adapt, "120000.00"),
        (public, 9, ["gamification", "webinar"], ProjectType.convert, "30000.00"),
        (private, 6, ["vr"], ProjectType.adapt, "75000.00"),
        (public, 3, ["ai", "group_work"], ProjectType.new, "52500.50"),
        (private, 2, ["webinar", "lms"], ProjectType.convert, "20000.00"),
    ]
    for user, days_ago, technologies, project_type, amount in plan:
        fields = {"project_type": project_type, "requested_eur": Decimal(amount)}
        if project_type is ProjectType.new:
            fields.update(training_current_form="", training_hours=None)
        _proposal(user, call, now - timedelta(days=days_ago, hours=3), technologies, **fields)
    mention = _proposal(
        private,
        call,
        now - timedelta(days=1, hours=3),
        ["webinar"],
        title="Klantgesprekken oefenen",
        content="Cursisten oefenen gesprekken met een chatbot.",
    )
    last_year = make_call(
        code="ESF-ELEREN-VORIG",
        title="E-leren: oproep vorig jaar",
        opens_at=now - timedelta(days=385),
        deadline=now - timedelta(days=355),
    )
    _proposal(public, last_year, now - timedelta(days=370), ["vr", "ai"])
    _proposal(private, last_year, now - timedelta(days=368), ["lms"])
    official = make_user("official", name="Olivia Official", email="olivia@esf.example")
    return call, official, mention


def test_official_reads_vr_and_ai_counts_and_exports(page, check_page, open_call):
    call, official, mention = open_call

    page.goto("/reporting/")
    assert urlsplit(page.url).path == "/auth/login"
    page.fill("input[name=email]", official.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("main form").last.locator("button[type=submit], input[type=submit]").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == f"/reporting/calls/{call.code}"

    # The figures, live during the submission period.
    assert page.locator("[data-figure=submitted]").inner_text() == "8"
    assert page.locator("[data-figure=vr_or_ai]").inner_text() == "5"
    assert page.locator("[data-figure=vr_and_ai]").inner_text() == "1"
    charts = page.locator("main img")
    assert charts.count() == 2
    for i in range(charts.count()):  # the SVG charts load (their CSP lets them style)
        assert charts.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
    check_page("dashboard")

    # Export the figures as CSV.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").first.click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"cijfers-{call.code}-")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    delimiter = ";" if ";" in text.splitlines()[0] else ","  # the Excel variant for Dutch
    values = {
        (r["table"], r["row"], r["column"]): r["value"]
        for r in csv.DictReader(io.StringIO(text), delimiter=delimiter)
    }
    assert values[("technologies", "vr_or_ai", "declared")] == "5"
    assert values[("technologies", "vr_and_ai", "declared")] == "1"
    assert values[("technologies", "vr", "declared")] == "3"
    assert values[("technologies", "ai", "declared")] == "3"

    # The texts that name a technology nobody declared.
    page.goto(f"/reporting/calls/{call.code}/mentions")
    marks = page.locator(f"[data-reference='{mention.reference}'] mark").all_inner_texts()
    assert "chatbot" in marks
    check_page("mentions")

    # Verify that proposal: it does use AI.
    page.locator(f"[data-reference='{mention.reference}'] a").first.click()
    page.wait_for_load_state("load")
    check_page("verify")
    page.check("input[name=technologies][value=ai]")
    page.fill("textarea[name=note]", "Chatbot als gesprekspartner")
    page.locator("main form button[type=submit], main form input[type=submit]").last.click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == f"/reporting/calls/{call.code}/mentions"
    assert page.locator(".govuk-notification-banner").count() == 1

    page.goto(f"/reporting/calls/{call.code}/proposals")
    check_page("proposals")
    page.goto(f"/reporting/calls/{call.code}")
    row = page.locator("#table-technologies tr[data-row=ai] td[data-column=verified]")
    assert row.inner_text() == "1"

    # Compare with last year's call at the same point of its submission period.
    page.select_option("select#compare", "ESF-ELEREN-VORIG")
    page.locator("select#compare").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).click()
    page.wait_for_load_state("load")
    comparison = page.locator("#table-comparison tr[data-row=vr_or_ai] td")
    assert comparison.all_inner_texts() == ["1", "5", "+400,0\u00a0%"]
    assert page.locator("main img").count() == 3
    check_page("comparison")

    # A moment that is not a date: the form says so.
    page.fill("input#as_of", "gisteren")
    page.locator("input#as_of").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).click()
    page.wait_for_load_state("load")
    assert page.locator(".govuk-error-summary a[href='#as_of']").count() == 1
    check_page("bad-moment")
