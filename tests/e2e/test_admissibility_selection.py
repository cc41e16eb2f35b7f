"""The admissibility list's selection boxes sit beside their card's title, on its first line,
at 375 and 1,280 px wide, with their accessible name "ADM-… selecteren"; ticking one by its
name ticks that card's box."""

import pytest

from app.core.db import db
from tests.factories import DEFAULT_PASSWORD
from tests.reviews.factories import admissibility_world

pytestmark = pytest.mark.browser

LONG_TITLE = "Lassen leren met virtuele realiteit en begeleiding op de werkvloer voor anderstaligen"


def test_each_selection_box_sits_beside_its_cards_title(page, check_page):
    world = admissibility_world(3, code="SEL-2021")
    world.proposals[2].title = LONG_TITLE
    db.session.commit()
    page.goto("/auth/login")
    page.fill("input[name=email]", world.official.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("main form").last.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/evaluation/calls/SEL-2021/admissibility")
        check_page(f"admissibility-{width}")
        for proposal in world.proposals:
            card = page.locator(f"#proposal-{proposal.id}")
            box = card.locator(".portal-select").bounding_box()
            title = card.locator(".govuk-summary-card__title").bounding_box()
            line = float(
                card.locator(".govuk-summary-card__title").evaluate(
                    "e => parseFloat(getComputedStyle(e).lineHeight)"
                )
            )
            middle = box["y"] + box["height"] / 2
            assert box["x"] + box["width"] <= title["x"], (width, proposal.reference)
            assert title["y"] <= middle <= title["y"] + line, (width, proposal.reference)
            checkbox = page.get_by_role("checkbox", name=f"{proposal.reference} selecteren")
            assert checkbox.count() == 1
        if width == 375:  # the long title wraps beside its box, not under it
            wrapped = page.locator(f"#proposal-{world.proposals[2].id} .govuk-summary-card__title")
            assert wrapped.bounding_box()["height"] > 2 * line
        page.get_by_role("checkbox", name=f"{world.proposals[1].reference} selecteren").check()
        assert page.locator(f"#select-{world.proposals[1].id}").is_checked()
        page.get_by_role("checkbox", name=f"{world.proposals[1].reference} selecteren").uncheck()
