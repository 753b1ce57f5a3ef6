"""In chromium: a Year in Review page, a share link made from it and its public page with the share card
loaded, and a comparison with a friend's upload pasted into the form; desktop and 390 px screenshots
(nothing scrolls sideways), no console error, no serious accessibility violation. Skipped like the main
browser test without /usr/bin/chromium or playwright."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sessions_app.models import ShareLink
from sessions_app.tests import test_browser as browser
from sessions_app.tests.test_review import a_friend, a_year_of_films

if TYPE_CHECKING:
    from playwright.sync_api import Page

# pytest finds fixtures by their names here: the main browser test's tab, with its live server, worker and database
page = browser.page
enrichment_worker = browser.enrichment_worker
file_database = browser.file_database
pytestmark = browser.pytestmark
Console, axe_violations, screenshot = browser.Console, browser.axe_violations, browser.screenshot


def test_a_year_in_review_its_share_page_and_a_comparison_in_a_browser(page: Page, live_server):
    tab = page
    console = Console(tab)
    me = a_year_of_films()
    friend = a_friend()

    tab.goto(f"{live_server.url}/s/{me.public_id}/review/2024/")
    assert tab.inner_text("#headline h1") == "cinephile’s 2024"
    assert tab.inner_text("#headline dl").split() == [
        "Films",
        "4",
        "Hours",
        "11",
        "Diary",
        "entries",
        "5",
        "Reviews",
        "1",
        "Likes",
        "1",
    ]
    tab.wait_for_function(
        "() => [...document.querySelectorAll('#top-films img')].every(i => i.complete && i.naturalWidth)"
    )
    assert tab.locator("#people img.headshot").count() == 7
    tab.locator("#people").scroll_into_view_if_needed()  # the photos load lazily, once in view
    tab.wait_for_function(
        "() => [...document.querySelectorAll('#people img')].every(i => i.complete && i.naturalWidth)"
    )
    screenshot(tab, "review-2024")
    violations = axe_violations(tab)

    tab.click("#share button[type=submit]")
    link = ShareLink.objects.get(session=me)
    shared_url = tab.input_value("#share input[readonly]")
    assert shared_url == f"{live_server.url}/share/{link.token}/2024/"
    tab.goto(shared_url)
    tab.wait_for_function("() => document.querySelector('img.share-card').complete")
    assert tab.evaluate(
        "[document.querySelector('img.share-card').naturalWidth, document.querySelector('img.share-card').naturalHeight]"
    ) == [1200, 630]
    assert str(me.public_id) not in tab.content()
    screenshot(tab, "review-shared")
    violations += axe_violations(tab)

    tab.goto(f"{live_server.url}/s/{me.public_id}/review/")
    tab.fill("#compare-with", f"{live_server.url}/s/{friend.public_id}/")
    tab.click("#compare button[type=submit]")
    tab.wait_for_url("**/compare/?with=*")
    assert tab.inner_text("#compatibility dl").split()[:2] == ["Compatibility", "72/100"]
    assert tab.locator("#agreements tbody tr").all_inner_texts() == [
        "Parasite (2019)\t★★★★★\t★★★★½",
        "Heat (1995)\t★★★\t★★★★★",
    ]
    screenshot(tab, "review-compare")
    violations += axe_violations(tab)

    assert violations == []
    assert console.errors == []
