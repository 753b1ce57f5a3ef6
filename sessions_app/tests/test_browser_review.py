"""In chromium: a Year in Review page, a share link made from it and its public page with the share card
loaded, and a comparison with a friend's upload pasted into the form; desktop and 390 px screenshots
(nothing scrolls sideways), no console error, no serious accessibility violation. Skipped like the main
browser test without /usr/bin/chromium or playwright."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sessions_app.models import ShareLink

# the fixtures come along by name, as pytest finds them: the page, its live server, worker and file database
from sessions_app.tests.test_browser import (  # noqa: F401
    Console,
    axe_violations,
    enrichment_worker,
    file_database,
    page,
    pytestmark,
    screenshot,
)
from sessions_app.tests.test_review import a_friend, a_year_of_films

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_a_year_in_review_its_share_page_and_a_comparison_in_a_browser(page: Page, live_server):
    tab = page
    console = Console(tab)
    me = a_year_of_films()
    friend = a_friend()
    friends_share = ShareLink.objects.create(session=friend)

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
    tab.wait_for_function("[...document.querySelectorAll('#top-films img')].every(i => i.complete && i.naturalWidth)")
    assert tab.locator("#people .headshot").count() == 7
    screenshot(tab, "review-2024")
    violations = axe_violations(tab)

    tab.click("#share button[type=submit]")
    link = ShareLink.objects.get(session=me)
    shared_url = tab.input_value("#share input[readonly]")
    assert shared_url == f"{live_server.url}/share/{link.token}/2024/"
    tab.goto(shared_url)
    tab.wait_for_function("document.querySelector('img.share-card').complete")
    assert tab.evaluate(
        "[document.querySelector('img.share-card').naturalWidth, document.querySelector('img.share-card').naturalHeight]"
    ) == [1200, 630]
    assert str(me.public_id) not in tab.content()
    screenshot(tab, "review-shared")
    violations += axe_violations(tab)

    tab.goto(f"{live_server.url}/s/{me.public_id}/review/")
    tab.fill("#compare-with", f"{live_server.url}/share/{friends_share.token}/")
    tab.click("#compare button[type=submit]")
    tab.wait_for_url("**/compare/?with=*")
    assert tab.inner_text("#compatibility dl").split()[:2] == ["Compatibility", "72/100"]
    screenshot(tab, "review-compare")
    violations += axe_violations(tab)

    assert violations == []
    assert console.errors == []
