"""A project member's journey in a real browser: upload an enrolment file with an error, read
the errors (line and column), fix the file, upload it again, read the outcome."""

from urllib.parse import urlsplit

import pytest

from tests.factories import DEFAULT_PASSWORD
from tests.monitoring.factories import add_training, csv_bytes, file_row, make_funded_project

pytestmark = pytest.mark.browser


def test_member_uploads_a_file_with_an_error_fixes_it_and_imports(page, check_page, tmp_path):
    project, member = make_funded_project(title="Lassen leren in VR")
    add_training(project, "LAS-1", title="Lassen in virtuele realiteit", planned_mode="blended")

    page.goto("/monitoring/projects")
    assert urlsplit(page.url).path == "/auth/login"
    page.fill("input[name=email]", member.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("main form").last.locator("button[type=submit], input[type=submit]").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/monitoring/projects"
    check_page("projects")

    page.get_by_role("link", name=project.reference).click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Lassen leren in VR"
    check_page("project")

    rows = [
        file_row(
            n,
            training_code="LAS-1",
            started_on=f"2026-01-{n + 10:02d}",
            status_on=f"2026-01-{n + 10:02d}",
        )
        for n in range(1, 6)
    ]
    wrong = [*rows[:3], {**rows[3], "mode": "afstand"}, rows[4]]
    bad_file = tmp_path / "inschrijvingen-januari.csv"
    bad_file.write_bytes(csv_bytes(wrong))
    page.set_input_files("input[type=file]", str(bad_file))
    page.locator("main form button[type=submit], main form input[type=submit]").last.click()
    page.wait_for_load_state("load")
    assert "/imports/" in page.url
    assert "geweigerd" in page.locator("main").inner_text()
    cells = page.locator("main table tbody tr").first.locator("td").all_inner_texts()
    assert cells[:2] == ["5", "mode"]
    assert "afstand" in cells[2]
    check_page("refused")

    good_file = tmp_path / "inschrijvingen-januari-verbeterd.csv"
    good_file.write_bytes(csv_bytes(rows))
    page.get_by_role("link", name="Terug naar het project").first.click()
    page.wait_for_load_state("load")
    page.set_input_files("input[type=file]", str(good_file))
    page.locator("main form button[type=submit], main form input[type=submit]").last.click()
    page.wait_for_load_state("load")
    assert "Het bestand is geïmporteerd" in page.locator("main").inner_text()
    new = page.locator("main table tr", has_text="Nieuwe inschrijvingen").locator("td")
    assert new.inner_text() == "5"
    check_page("imported")

    page.get_by_role("link", name="Terug naar het project").first.click()
    page.wait_for_load_state("load")
    history = page.locator("main table").last.locator("tbody tr")
    assert history.count() == 2
    check_page("history")
