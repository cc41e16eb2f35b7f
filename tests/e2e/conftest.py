"""Browser fixtures: the session app served on a free local port, and a Chromium page.

Debian's chromium only (``make browser`` installs it); a browser is never downloaded.
"""

import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# A full-page screenshot of every checked step (E2E_SCREENSHOTS=1), to look at; without it
# only a step that fails its check leaves one.
SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require_chromium() -> None:
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def live_server(app):
    """The session ``app`` (temporary SQLite file or PostgreSQL) served in a daemon thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server, locale="nl-BE", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def check_page(page, request):
    """Assert axe finds nothing serious on the current page; screenshot it into
    test-artifacts/ when it does (or always, with E2E_SCREENSHOTS=1)."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    ARTIFACTS.mkdir(exist_ok=True)
    counter = iter(range(1, 1000))

    def _check(label: str) -> None:
        page.wait_for_load_state("load")
        name = f"{request.node.name}-{next(counter):02d}-{label}".lower()
        shot = ARTIFACTS / f"{re.sub(r'[^a-z0-9]+', '-', name).strip('-')}.png"
        if SCREENSHOTS:
            page.screenshot(path=str(shot), full_page=True)
        results = axe.run(page)
        serious = [
            v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
        ]
        if serious:
            page.screenshot(path=str(shot), full_page=True)
            lines = [f"axe: {len(serious)} serious/critical violation(s) on {label} ({page.url}):"]
            for violation in serious:
                lines.append(
                    f"- [{violation['impact']}] {violation['id']}: {violation['help']}"
                    f" ({violation['helpUrl']})"
                )
                for node in violation["nodes"][:5]:
                    lines.append(
                        f"    {', '.join(map(str, node['target']))}: "
                        f"{node.get('failureSummary', '').splitlines()[-1:]}"
                    )
            pytest.fail("\n".join(lines), pytrace=False)

    return _check
