"""The deeper sections in a real browser, at 1280 and 390 px: shown, readable without sideways scrolling, and
the switch that leaves TV series and shorts out. Screenshots go to artifacts/screenshots/depth-*."""

import pytest
from playwright.sync_api import Page

from sessions_app.tests.test_browser import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    Console,
    axe_violations,
    enrichment_worker,
    file_database,
    page,
    screenshot,
)
from sessions_app.tests.test_depth import a_library_of_every_kind

__all__ = ["enrichment_worker", "file_database", "page"]  # fixtures, used by name

pytestmark = pytest.mark.django_db(transaction=True)

SECTIONS = ("released", "kinds", "taste", "rewatched", "new-old", "tags")


def shoot_sections(tab: Page, name: str) -> None:
    """Each new section on its own, at desktop and phone width; nothing scrolls sideways at either."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for viewport, width in ((DESKTOP, "desktop"), (PHONE, "phone")):
        tab.set_viewport_size(viewport)
        assert tab.evaluate("document.documentElement.scrollWidth") <= viewport["width"], f"{name} at {width}"
        for section in SECTIONS:
            element = tab.locator(f"#{section}")
            assert element.is_visible(), f"#{section} at {width}"
            element.screenshot(path=SCREENSHOTS / f"{name}-{section}-{width}.png")
    tab.set_viewport_size(DESKTOP)


def test_the_deeper_sections_show_at_both_widths_and_the_switch_leaves_tv_and_shorts_out(page: Page, live_server):
    tab = page
    console = Console(tab)
    session = a_library_of_every_kind()
    url = f"{live_server.url}/s/{session.public_id}/"

    tab.goto(url)
    kinds = tab.eval_on_selector_all(
        "#kinds dl.figures > div",
        "divs => Object.fromEntries(divs.map(d => [d.querySelector('dt').textContent.trim(), d.querySelector('dd').textContent.trim()]))",
    )
    assert kinds == {
        "Features": "5",
        "Shorts (40 min or less)": "2",
        "Documentaries": "1",
        "TV series": "1",
        "Miniseries": "1",
        "Not identified on TMDB": "1",
    }
    assert "correlate at 0.67" in tab.locator("#taste").inner_text()
    shoot_sections(tab, "depth")
    screenshot(tab, "depth-dashboard")

    tab.click("form.kinds-switch button[type=submit]")
    tab.wait_for_url(f"{url}#kinds")
    assert tab.locator("#kinds dl.figures > div:has-text('TV series') dd").inner_text() == "0"
    assert "left out of every figure" in tab.locator("form.kinds-switch").inner_text()
    tab.goto(f"{url}?year=2020")
    shoot_sections(tab, "depth-2020-without-tv-shorts")
    assert not axe_violations(tab)
    assert not console.errors
