"""In chromium: the watchlist page (analysis and what to watch next) and a list's page, after a real upload
enriched against the TMDB double; screenshots at 1280 and 390 px, no sideways scroll, no console error,
no serious accessibility violation. Skipped, like test_browser.py, without /usr/bin/chromium."""

from __future__ import annotations

import re

import pytest

from sessions_app.models import Session
from sessions_app.tests.exports import Export, list_text
from sessions_app.tests.test_browser import (
    CHROMIUM,
    Console,
    axe_violations,
    enrichment_worker,  # noqa: F401  (fixtures the page fixture needs)
    file_database,  # noqa: F401
    page,  # noqa: F401
    screenshot,
    tops,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"the browser test needs Debian's chromium at {CHROMIUM}"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="the browser test needs playwright")

RATED = [
    ("Fight Club", 1999, "4.5"),
    ("Memento", 2000, "5"),
    ("Suspiria", 1977, "3"),
    ("Moonlight", 2016, "4"),
    ("Enemy at the Gates", 2001, "2.5"),
    ("Nomadland", 2021, "3.5"),
    ("Amélie", 2001, "4"),
    ("Spirited Away", 2001, "5"),
    ("Portrait of a Lady on Fire", 2019, "4.5"),
    ("Léon: The Professional", 1994, "3"),
    ("Schindler's List", 1993, "4"),
    ("Three Colors: Blue", 1993, "4.5"),
    ("Crash", 2004, "1.5"),
    ("Robots", 2005, "2"),
    ("Chernobyl Diaries", 2012, "1"),
]
WANTED = [
    ("WALL·E", 2008),
    ("Everything Everywhere All at Once", 2022),
    ("Mission: Impossible - Dead Reckoning Part One", 2023),
    ("The Unfinished Harbour", None),
]


def uri(title: str) -> str:
    return "https://boxd.it/" + re.sub(r"\W+", "-", title.lower())


def an_export_with_a_watchlist_and_a_list() -> Export:
    export = Export()
    export.add("profile.csv", ["2019-03-01", "cinephile", "", "", "", "", "", "", "", ""])
    export.add("watched.csv", *[["2024-01-01", t, y, uri(t)] for t, y, _ in RATED])
    export.add("ratings.csv", *[["2024-01-01", t, y, uri(t), r] for t, y, r in RATED])
    export.add("watchlist.csv", *[[f"202{i}-02-01", t, y or "", uri(t)] for i, (t, y) in enumerate(WANTED)])
    export.extra["lists/animated-and-beyond.csv"] = list_text(
        "Animated and beyond",
        [
            ("Spirited Away", "2001", uri("Spirited Away")),
            ("WALL·E", "2008", uri("WALL·E")),
            ("Memento", "2000", uri("Memento")),
            ("Everything Everywhere All at Once", "2022", uri("Everything Everywhere All at Once")),
            ("A Film Nobody Knows", "1921", "https://boxd.it/nobody"),
        ],
    )
    return export


def test_the_watchlist_and_a_list_in_a_browser(page, live_server, tmp_path):  # noqa: F811
    tab = page
    console = Console(tab)
    path = tmp_path / "letterboxd-cinephile-2024-03-03-00-00-utc.zip"
    path.write_bytes(an_export_with_a_watchlist_and_a_list().zip_bytes())

    tab.goto(f"{live_server.url}/")
    tab.set_input_files("#files", path)
    tab.click("form.upload button[type=submit]")
    tab.wait_for_url(re.compile(r"/s/[0-9a-f-]{36}/$"))
    tab.wait_for_selector("#progress.status-completed", timeout=60_000)
    session = Session.objects.get()

    tab.click("text=analysed, and what to watch next")
    tab.wait_for_url(f"{live_server.url}/s/{session.public_id}/watchlist/")
    assert tab.locator("#overview dd").first.text_content() == "4"
    picks = tab.locator("ol.picks li.pick")
    assert picks.count() == 4  # every unwatched watchlist film, ranked
    assert tab.locator("ol.picks .reasons li").count() >= 1
    # 15 rated films: the check hides 3 (a fifth) and says how the model did on them
    assert "(3 rated films hidden from it and predicted)" in (tab.locator("#model-check").text_content() or "")
    # what is on it: decades and genres side by side, each table folded under its chart
    decades, genres, _countries = tops(tab, "#what .rankings > div")
    assert decades == genres
    assert tab.locator("#what details.as-table").count() == 3
    assert tab.locator("#what table.groups").first.is_hidden()
    screenshot(tab, "watchlist")

    tab.goto(f"{live_server.url}/s/{session.public_id}/")
    tab.click("#overview dt:text-is('Lists') + dd a")  # the dashboard's Lists figure: how many lists
    tab.wait_for_url(f"{live_server.url}/s/{session.public_id}/lists/")
    tab.click("text=Animated and beyond")
    tab.wait_for_url(f"{live_server.url}/s/{session.public_id}/lists/animated-and-beyond/")
    left = tab.locator("#left li")
    assert [left.nth(i).get_attribute("value") for i in range(left.count())] == ["2", "4", "5"]
    assert tab.locator("#left img.poster").count() == 2  # WALL·E and EEAAO, identified; the unknown film has none
    screenshot(tab, "list")

    assert axe_violations(tab) == []
    assert console.errors == []
