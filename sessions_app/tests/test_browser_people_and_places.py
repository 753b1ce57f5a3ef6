"""The sections from TMDB's details in chromium: behind the camera, themes, who directs, the world map and
collections, at 1280 and 390 px, nothing scrolling sideways, no serious accessibility violation and no console
error. Screenshots of each section go to artifacts/screenshots/people-places-*.png."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from sessions_app.tests import test_browser
from sessions_app.tests.test_browser import (  # noqa: F401 (the fixtures the tab needs, found by pytest by name)
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    Console,
    axe_violations,
    enrichment_worker,
    file_database,
    page,
    screenshot,
    tops,
)
from sessions_app.tests.test_people_and_places import a_library_of_details

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = test_browser.pytestmark


@pytest.fixture
def tab(request) -> Page:
    """test_browser's chromium tab (its `page` fixture, imported above)."""
    return request.getfixturevalue("page")


SECTIONS = ("crew", "themes", "who-directs", "where", "collections")


def test_the_details_sections_show_on_a_desktop_and_a_phone(tab: Page, live_server):
    session = a_library_of_details()
    console = Console(tab)
    tab.goto(f"{live_server.url}/s/{session.public_id}/")

    for anchor in SECTIONS:
        assert tab.locator(f"nav.sections a[href='#{anchor}']").count() == 1
    assert tab.locator("#where svg.world-map path.country").count() == 176
    assert tab.locator("#where svg.world-map path.country.l4").count() == 1  # the United States: 4 films
    assert tab.locator("#where svg.world-map path.country.l3").count() == 1  # France: 2
    assert tab.locator("#collections progress").get_attribute("max") == "3"
    assert tab.locator("#who-directs table.who-directs tbody tr").count() == 4  # the library, then 2020, 2021 and 2022
    screenshot(tab, "people-places-dashboard")  # asserts nothing scrolls sideways at 390 px
    # one badge per ranking, none repeated over the section; the crew ranked two by two, as genres are
    assert tab.locator("#crew > .basis").count() == 0
    writers, composers, cinematographers, editors, studios = tops(tab, "#crew .rankings > div")
    assert writers == composers < cinematographers == editors < studios
    tab.set_viewport_size(PHONE)
    first, second = tops(tab, "#directors ol.people-ranking > li")[:2]
    assert first == second  # two faces across on a phone
    tab.set_viewport_size(DESKTOP)
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        tab.set_viewport_size(viewport)
        for anchor in SECTIONS:
            section = tab.locator(f"section#{anchor}")
            assert section.is_visible()
            box = section.bounding_box()
            assert box is not None and box["x"] + box["width"] <= viewport["width"], (anchor, name)
            section.screenshot(path=SCREENSHOTS / f"people-places-{anchor}-{name}.png")
    tab.set_viewport_size(DESKTOP)

    tab.goto(f"{live_server.url}/s/{session.public_id}/?year=2021")
    assert tab.locator("#who-directs table.who-directs tbody tr").count() == 2  # the library and 2021
    assert tab.locator("#who-directs").inner_text().count("50.0%") == 1
    tab.set_viewport_size(PHONE)
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(tab) == []
    assert console.errors == []
