"""Journeys in a real browser: register, confirm the email address, log in, switch language."""

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from app.core.db import db
from app.core.email import OutboxMessage
from tests.factories import DEFAULT_PASSWORD, valid_enterprise_number

pytestmark = pytest.mark.browser


def _submit(page) -> None:
    page.locator("main form").last.locator("button[type=submit], input[type=submit]").click()
    page.wait_for_load_state("load")


def _verification_link(email: str) -> str:
    db.session.expire_all()
    message = db.session.scalar(
        sa.select(OutboxMessage).where(
            OutboxMessage.kind == "verify_email", OutboxMessage.recipient == email
        )
    )
    assert message is not None, "no verification email in the outbox"
    link = next(word for word in message.body.split() if "/auth/verify/" in word)
    return urlsplit(link).path  # the path on the live server, whatever SERVER_BASE_URL says


@pytest.mark.browser
def test_register_verify_login_switch_language_logout(page, check_page):
    email = "els.vermeulen@leerboom.example"
    number = valid_enterprise_number()

    # Home page, in Dutch.
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "nl"
    check_page("home")

    # Register a new organisation.
    page.get_by_role("link", name="Registreren").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/auth/register"
    check_page("register")
    page.fill("input[name=name]", "Els Vermeulen")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.check("input[name=mode][value=new]")
    page.fill("input[name=legal_name]", "Vormingscentrum De Leerboom vzw")
    page.fill("input[name=enterprise_number]", number)
    page.check("input[name=provider_type][value=private]")
    page.fill("input[name=street]", "Kouter 12")
    page.fill("input[name=postal_code]", "9000")
    page.fill("input[name=city]", "Gent")
    _submit(page)
    assert email in page.locator("main").inner_text(), page.locator("main").inner_text()
    check_page("registered")

    # Open the link from the email.
    page.goto(_verification_link(email))
    assert urlsplit(page.url).path == "/auth/login"
    assert page.locator(".govuk-notification-banner").count() == 1
    check_page("verified-login")

    # Log in.
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    _submit(page)
    logout = page.locator("nav form[action='/auth/logout'] button")
    assert "Els Vermeulen" in logout.inner_text()
    check_page("logged-in")

    # Switch to English with the button in the header.
    page.locator("header button[name=language]").click()
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Log out" in logout.inner_text()
    check_page("english")

    # Log out; the language stays English.
    logout.click()
    page.wait_for_load_state("load")
    assert page.locator("nav").get_by_role("link", name="Log in").count() == 1
    assert page.locator("html").get_attribute("lang") == "en"
    check_page("logged-out")
