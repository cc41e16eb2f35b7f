"""The official's monitoring journey in a real browser: open the year-over-year report,
read a change against the base year, then the answer sheet and its PDF; in Dutch and in
English, at 1280 and 375 px wide (axe on every page; screenshots with E2E_SCREENSHOTS=1)."""

from urllib.parse import urlsplit

import pytest

from tests.factories import DEFAULT_PASSWORD, make_user
from tests.monitoring.factories import report_world

pytestmark = pytest.mark.browser


def _log_in(page, user):
    page.goto("/monitoring/reports/")
    assert urlsplit(page.url).path == "/auth/login"
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("main form").last.locator("button[type=submit], input[type=submit]").click()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_official_opens_year_over_year_and_the_answer_sheet(page, check_page, language):
    report_world()
    official = make_user("official", name="Olivia Official", language=language)
    _log_in(page, official)
    page.goto("/monitoring/reports/")
    if page.locator("html").get_attribute("lang") != language:
        page.locator(f"button[name=language][value={language}]").click()
    page.fill("input[name=year]", "2026")
    page.fill("input[name=base]", "2025")
    page.fill("input[name=start]", "2026-01-01")
    page.fill("input[name=end]", "2026-12-31")
    page.locator("main form button[type=submit]").click()
    table = page.locator("#table-yoy_totals")
    january = table.locator("tr[data-row='1']")
    assert january.locator("[data-column=base_count]").inner_text() == "14"
    assert january.locator("[data-column=count]").inner_text() == "17"
    assert january.locator("[data-column=change_pct]").inner_text() == (
        "+21,4\u00a0%" if language == "nl" else "+21.4%"
    )
    page.wait_for_load_state("load")
    chart = page.locator("img[src*='charts/yoy.svg']")
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
    check_page(f"reports-{language}-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    check_page(f"reports-{language}-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto("/monitoring/reports/?year=abc")
    assert page.locator("#year-error").is_visible()
    assert page.locator("input[name=year]").input_value() == "abc"
    check_page(f"reports-error-{language}")

    page.goto(
        "/monitoring/reports/answer-sheet?start=2026-01-01&end=2026-02-28"
        "&base_start=2025-01-01&base_end=2025-02-28&day=2026-02-28"
    )
    assert page.locator("#q6").is_visible()
    assert "< 5" in page.locator("#q6").inner_text()  # small counts hidden
    check_page(f"answer-sheet-{language}-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    check_page(f"answer-sheet-{language}-375")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").first.click()
    assert download.value.suggested_filename.endswith(".pdf")
