"""Demo mode in chromium: an export of titles the TMDB double's catalogue has never heard of is identified
entirely and at once by the made-up films of demo mode, every page says the data is demo data, and the home
page's sample export opens a full dashboard in one click. Screenshots at 1280 and 390 px go to
artifacts/screenshots/ (demo-*.png); the dashboard's height at 1280 px is printed."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sessions_app.models import Session
from sessions_app.tests.exports import Export
from sessions_app.tests.test_browser import (  # noqa: F401  (fixtures, used by name)
    Console,
    axe_violations,
    enrichment_worker,
    figures,
    file_database,
    page,
    pytestmark,
    screenshot,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

ADJECTIVES = ("Quiet", "Last", "Blue", "Hidden", "Burning", "Distant", "Paper", "Silver")
NOUNS = ("Orchard", "Harbour", "Station", "Letter", "Lighthouse", "Carnival", "Winter", "Signal")


def export_of_unknown_titles() -> tuple[Export, int]:
    """Sixty-four films no catalogue knows, a diary over two years with ratings, and a watchlist."""
    films = [
        (f"The {a} {n} of Vlaibru", 1960 + 3 * i + j) for i, a in enumerate(ADJECTIVES) for j, n in enumerate(NOUNS)
    ]
    export = Export()
    export.add("profile.csv", ["2020-01-01", "stranger", "", "", "", "", "", "", "", ""])
    export.add("watched.csv", *[["2024-01-01", t, y, f"https://boxd.it/u{k}"] for k, (t, y) in enumerate(films)])
    for k, (title, year) in enumerate(films):
        day = date(2023, 1, 3) + timedelta(days=11 * k)
        rating = str(1 + k % 9 / 2)
        export.add(
            "diary.csv", [day.isoformat(), title, year, f"https://boxd.it/ud{k}", rating, "", "", day.isoformat()]
        )
        export.add("ratings.csv", [day.isoformat(), title, year, f"https://boxd.it/u{k}", rating])
    export.add("watchlist.csv", ["2024-02-01", "The Paper Moon of Drakou", 2025, "https://boxd.it/uw"])
    return export, len(films)


def test_demo_mode_identifies_an_export_the_catalogue_does_not_know_and_says_it_is_demo_data(
    page: Page,  # noqa: F811 (the fixture imported above)
    live_server,
    tmdb_double,
    tmp_path,
    settings,
):
    tab = page
    settings.LBSTATS_DEMO = True
    tmdb_double.configure(demo=True, latency=0.0)
    console = Console(tab)
    export, count = export_of_unknown_titles()
    upload = tmp_path / "letterboxd-stranger-2025-01-01-00-00-utc.zip"
    upload.write_bytes(export.zip_bytes())

    tab.goto(f"{live_server.url}/")
    assert tab.locator(".demo-banner").is_visible()
    screenshot(tab, "demo-home")
    tab.set_input_files("#files", upload)
    tab.click("form.upload button[type=submit]")
    tab.wait_for_url(re.compile(r"/s/[0-9a-f-]{36}/$"))
    tab.wait_for_selector("#progress.status-completed", timeout=30_000)
    tab.reload()

    session = Session.objects.get()
    shown = figures(tab)
    assert shown["Films watched"] == str(count)
    assert shown["Identified on TMDB"] == "100.0%"
    assert int(shown["Hours watched"]) > 0
    assert "Demo:" in tab.inner_text(".demo-banner")
    assert tab.locator("#directors ol.people-ranking li").count() >= 5
    assert tab.locator("#posters img.poster").count() >= 5
    assert session.movies.filter(watched=True, film__isnull=False).count() == count
    height = tab.evaluate("document.body.scrollHeight")
    print(f"\ndemo dashboard of {count} films: {height} px tall at 1280 px")
    assert tab.locator("details.as-table[open]").count() == 0  # every table folded behind its chart
    screenshot(tab, "demo-dashboard")
    accessibility = axe_violations(tab)

    # The sample export, one click from the home page.
    tab.goto(f"{live_server.url}/")
    tab.click("form.sample button[type=submit]")
    tab.wait_for_url(re.compile(r"/s/[0-9a-f-]{36}/$"))
    tab.wait_for_selector("#progress.status-completed", timeout=30_000)
    tab.reload()
    assert figures(tab)["Identified on TMDB"] == "100.0%"
    assert tab.locator(".demo-banner").is_visible()
    screenshot(tab, "demo-sample")

    assert accessibility == []
    assert console.errors == []
