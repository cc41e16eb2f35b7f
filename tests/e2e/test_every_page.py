"""Every page each role can open, in a real browser, in Dutch, at 1,280, 800 and 375 px wide.

The pages are the access matrix's GET routes that answer 200 for the role, with the URL
arguments filled from the matrix's own world (some on both of its calls, the open one and
the evaluated one). On each HTML page: no English word in the visible text, nothing wider
than the window (nor, at 1,280 px, than the page's column), and axe finds nothing serious
or critical. At 800 px (a tablet, or a half-screen window) only the width is read.

Axe reads each page (an endpoint, on each call it is walked on) once, for one audience
that can open it: the first of ``AXE_ORDER`` (the fuller views first), so that the six
audiences' walks share the work whichever worker runs them. The words and widths are read
for every audience.
"""

import re

import pytest
from flask import url_for

from app.core.db import db
from tests import snapshots
from tests.access_matrix import (
    ACCESS,
    ALSO_ON_THE_EVALUATED_CALL,
    audience_user,
    build_world,
    rules,
    url_args,
)
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

WIDTHS = (1280, 800, 375)
LAYOUT_ONLY = (800,)  # widths at which only the page's width is read

# English words that never belong on a Dutch page (chosen not to be Dutch words too:
# no "in", "is", "over", "door", "want", "die", "even", "week", "team", "status"; "deadline"
# and "download" are Dutch too).
ENGLISH = re.compile(
    r"\b(the|and|your|you|please|submit|submitted|error|proposals?|calls?|save|cancel|back|"
    r"next|previous|search|page|with|this|that|from|which|there|should|must|will|"
    r"not|been|have|has|are|were|could|would|only|other|yes|none|any|when|"
    r"remaining|characters|edit|delete|remove|upload|show|hide|sign|"
    r"log in|log out|settings|statistics|evaluation|reviews?|ranking|"
    r"milestones?|budget total|total)\b",
    re.IGNORECASE,
)

# Text a Dutch page may show in English: the language switch (lang="en"), code, and stored
# values shown as they are (translate="no": the audit log's before/after data). Those are
# hidden for the moment of reading (through the CSSOM, which the pages' CSP allows) rather
# than removed from a copy of the page, which Chromium would lay out a second time.
VISIBLE_TEXT = """() => {
  const hidden = Array.from(document.body.querySelectorAll(
    '[lang]:not([lang="nl"]), [translate="no"], script, style, template, code, pre'));
  const before = hidden.map(e => [e.style.getPropertyValue('display'),
    e.style.getPropertyPriority('display')]);
  hidden.forEach(e => e.style.setProperty('display', 'none', 'important'));
  const text = document.body.innerText;
  hidden.forEach((e, i) => e.style.setProperty('display', before[i][0], before[i][1]));
  return text;
}"""

HIDDEN_TEXT = """() => Array.from(document.querySelectorAll('.govuk-visually-hidden, [aria-label], title'))
  .map(e => (e.getAttribute('aria-label') || '') + ' ' + e.textContent).join('\\n')"""

WIDTH = "() => document.documentElement.scrollWidth"

DOWNLOADS = (".pdf", ".csv", ".xlsx", ".svg", ".ics", ".json", ".zip")

# The innermost elements that stick out of the window, to say what made a page too wide.
OVERFLOWING = """(width) => Array.from(document.body.querySelectorAll('*'))
  .filter(e => e.getBoundingClientRect().right > width + 1
    && !Array.from(e.children).some(c => c.getBoundingClientRect().right > width + 1))
  .slice(0, 3)
  .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '')
    + ' ' + (e.textContent || '').trim().slice(0, 40))"""


# On a wide window, what sticks out of the page's column (<main>) on the right: the page
# still fits the window, but a table wider than the column runs into the margin. GOV.UK's
# grid rows reach 15 px into it by design.
OUT_OF_COLUMN = """() => { const main = document.querySelector('main');
  if (!main) return [];
  const right = main.getBoundingClientRect().right + 16;
  return Array.from(main.querySelectorAll('*'))
    .filter(e => e.getBoundingClientRect().right > right
      && !Array.from(e.children).some(c => c.getBoundingClientRect().right > right))
    .slice(0, 3)
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '')
      + ' ' + (e.textContent || '').trim().slice(0, 40)) }"""


def _pages(app, world, audience):
    """(endpoint, url, whether axe reads it) of the GET routes that answer 200 for
    ``audience``."""
    found = []
    with app.test_request_context():
        for rule, method in rules(app):
            if method != "GET" or rule.rule.startswith("/api"):
                continue
            if ACCESS[(rule.endpoint, method)][audience] != 200:
                continue
            axe = _axe_audience(rule.endpoint) == audience
            found.append((rule.endpoint, url_for(rule.endpoint, **url_args(rule, world)), axe))
            if rule.endpoint in ALSO_ON_THE_EVALUATED_CALL:
                args = url_args(rule, world, evaluated=True)
                found.append((rule.endpoint, url_for(rule.endpoint, **args), axe))
    return sorted(found)


# The audience whose walk runs axe on an endpoint's pages: the first of these that opens it.
AXE_ORDER = ("official", "admin", "applicant", "evaluator", "other_applicant", "anon")


def _axe_audience(endpoint: str) -> str:
    expected = ACCESS[(endpoint, "GET")]
    return next(audience for audience in AXE_ORDER if expected[audience] == 200)


def _english(text: str) -> list[str]:
    hits = []
    for line in text.splitlines():
        if "@" in line:  # e-mail addresses of the world's users
            line = re.sub(r"\S+@\S+", "", line)
        line = re.sub(r"https?://\S+", "", line)  # links in a letter's preview: not words
        match = ENGLISH.search(line)
        if match:
            hits.append(f"{match.group(0)!r} in {line.strip()[:120]!r}")
    return hits


AUDIENCES = ("anon", "applicant", "other_applicant", "evaluator", "official", "admin")
_BUILT: dict = {}  # the matrix's world, built by the first walk in this process


@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_page(app, browser, live_server, audience):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Error as PlaywrightError

    world = snapshots.kept(_BUILT, "world", build_world)
    user = audience_user(audience, world)
    db.session.commit()
    pages = _pages(app, world, audience)
    assert pages, audience
    axe = Axe()
    problems = []
    # One visit per page, read at each width in turn (the window resized in place): a
    # resize lays the page out again as a load at that width would.
    context = browser.new_context(
        base_url=live_server, locale="nl-BE", viewport={"width": WIDTHS[0], "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    if user is not None:
        page.goto("/auth/login")
        page.fill("#email", user.email)
        page.fill("#password", DEFAULT_PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_load_state("load")
    for _endpoint, url, run_axe in pages:
        if url.endswith(DOWNLOADS):  # files, not pages: never rendered here
            continue
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        try:
            response = page.goto(url)
        except PlaywrightError as error:  # other downloads: an attachment is not a page
            if "Download is starting" in error.message:
                continue
            raise
        if response is None or response.status != 200:
            problems.append(f"{audience} {url}: status {response and response.status}")
            continue
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue  # a file shown inline, not a page
        for width in WIDTHS:
            where = f"{audience} {width}px {url}"
            if width != WIDTHS[0]:
                page.set_viewport_size({"width": width, "height": 900})
            if width not in LAYOUT_ONLY:
                for hit in _english(page.evaluate(VISIBLE_TEXT)):
                    problems.append(f"{where}: English {hit}")
                for hit in _english(page.evaluate(HIDDEN_TEXT)):
                    problems.append(f"{where}: English (screen readers) {hit}")
            scroll_width = page.evaluate(WIDTH)
            if scroll_width > width:
                culprits = page.evaluate(OVERFLOWING, width)
                problems.append(f"{where}: {scroll_width}px wide, {culprits}")
            if width == WIDTHS[0]:
                culprits = page.evaluate(OUT_OF_COLUMN)
                if culprits:
                    problems.append(f"{where}: wider than the page's column, {culprits}")
            if width == WIDTHS[0] and run_axe:
                violations = axe.run(page).response["violations"]
                for violation in violations:
                    if violation.get("impact") in ("serious", "critical"):
                        targets = [", ".join(map(str, n["target"])) for n in violation["nodes"][:3]]
                        problems.append(f"{where}: axe {violation['id']} at {targets}")
    context.close()
    assert not problems, "\n".join(problems)
