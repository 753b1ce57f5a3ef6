"""End to end in Debian's chromium (Playwright): upload an export through the form, watch enrichment
progress arrive by htmx polling, read the dashboard with posters loaded from the TMDB double's image base,
follow a director to their page and a count into the film explorer, open a film's page, search TMDB and
fix unmatched films in place, switch themes, meet a 404 and a server without TMDB credentials; axe-core
finds no serious or critical violation, no page logs a console error, and desktop and phone screenshots
go to artifacts/screenshots/.

The app runs in pytest-django's live server; TMDB is the loopback test double with latency, and a
thread does what `manage.py qcluster` does. Skipped only without /usr/bin/chromium or playwright.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest
from django.conf import settings
from django.db import connection

from enrichment import worker
from enrichment.matching import MatchStatus
from enrichment.models import FilmFacet
from enrichment.tmdb.catalogue import HARD_CASES, builtin_catalogue, letterboxd_rows
from sessions_app.models import Movie, Session
from sessions_app.tests.exports import Export

if TYPE_CHECKING:
    # for annotations only: at run time playwright is optional (imported below by importorskip)
    from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper
    from playwright.sync_api import Page, Route, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"  # npm ci installs it
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
# Shown instead of TMDB posters: the browser must not reach the internet, and screenshots should look real.
POSTER = '<svg xmlns="http://www.w3.org/2000/svg" width="92" height="138"><rect width="92" height="138" fill="#8a8f98"/></svg>'

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"the browser test needs Debian's chromium at {CHROMIUM} (apt-get install chromium)",
    ),
]
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the browser test needs playwright (pip install playwright)"
)


def export_of_hard_cases() -> tuple[Export, list[tuple[str, int | None]]]:
    """Every title of the TMDB double's hard cases and catalogue (most match; some are ambiguous or unknown),
    with a diary, rewatches, ratings, likes, a watchlist and a review carrying HTML and a script."""
    films = list(
        dict.fromkeys([(title, year) for title, year, *_ in HARD_CASES] + letterboxd_rows(builtin_catalogue()))
    )
    uri = {film: f"https://boxd.it/e2e{i}" for i, film in enumerate(films)}
    export = Export()
    export.add("profile.csv", ["2019-03-01", "cinephile", "Cine", "Phile", "", "", "", "", "", ""])
    export.add("watched.csv", *[["2024-01-01", title, year, uri[title, year]] for title, year in films])
    for i, (title, year) in enumerate(films[:30]):
        day = date(2024, 1, 6) + timedelta(days=10 * (i // 3) + i % 3)  # three days in a row every ten days
        rating = str(0.5 + (i * 7) % 10 / 2)
        export.add(
            "diary.csv", [day.isoformat(), title, year, f"https://boxd.it/d{i}", rating, "", "e2e", day.isoformat()]
        )
        export.add("ratings.csv", [day.isoformat(), title, year, uri[title, year], rating])
        if i % 6 == 0:  # a rewatch a few weeks later
            again = day + timedelta(days=20)
            export.add(
                "diary.csv",
                [again.isoformat(), title, year, f"https://boxd.it/r{i}", rating, "Yes", "", again.isoformat()],
            )
    export.add("likes/films.csv", *[["2024-06-01", title, year, uri[title, year]] for title, year in films[:12:2]])
    export.add(
        "reviews.csv",
        [
            "2024-01-06",
            "Memento",
            2000,
            "https://boxd.it/d0",
            "0.5",
            "",
            "Backwards <i>and</i> forwards.<script>window.reviewScriptRan = true</script>\n\n<b>Remember Sammy Jankis.</b>",
            "",
            "2024-01-06",
        ],
    )
    export.add(
        "watchlist.csv",
        ["2024-02-01", "Perfect Days", 2023, "https://boxd.it/wl1"],
        ["2024-02-02", "Fallen Leaves", 2023, "https://boxd.it/wl2"],
    )
    return export, films


@pytest.fixture
def file_database(transactional_db, live_server, tmp_path) -> Iterator[None]:
    """On SQLite, move this test from the shared in-memory database to a file every thread opens on its own.

    Connections to a shared-cache memory database fail at once with "table is locked" when another
    thread writes (its table locks ignore the busy timeout), and the live server would share the test
    thread's connection. A file with WAL and the project's busy timeout serves web, worker and test."""
    # once the vendor is sqlite, the connection is SQLite's wrapper, which alone has is_in_memory_db()
    if connection.vendor != "sqlite" or not cast("SQLiteDatabaseWrapper", connection).is_in_memory_db():
        yield
        return
    memory_name = connection.settings_dict["NAME"]
    keeper = sqlite3.connect(memory_name, uri=True)  # the memory database lives as long as one connection does
    path = tmp_path / "browser.sqlite3"
    with closing(sqlite3.connect(path)) as copy:
        keeper.backup(copy)  # the migrated schema and its data rows
    # Set when the live server started after the test database was made (it depends on fixture order).
    shared = live_server.thread.connections_override.pop(connection.alias, None)
    connection.settings_dict["NAME"] = str(path)  # one dict for every thread's connection
    connection.close()
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = memory_name
        connection.ensure_connection()
        keeper.close()
        if shared is not None:
            live_server.thread.connections_override[connection.alias] = shared


@pytest.fixture
def enrichment_worker(file_database) -> Iterator[None]:
    """What `manage.py qcluster` does here: run every enriching session until it is done (the queued
    django-q tasks are left unclaimed; this thread does their work)."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            while not stop.is_set():
                for pk in Session.objects.filter(status=Session.Status.ENRICHING).values_list("pk", flat=True):
                    worker.run(pk, budget=2)
                stop.wait(0.1)
        except BaseException as exc:  # re-raised in the test's thread, where pytest sees it
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=work, name="enrichment-worker", daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the enrichment worker did not stop"
    if errors:
        raise errors[0]


@pytest.fixture
def page(live_server, tmdb_double, enrichment_worker, settings, monkeypatch) -> Iterator[Page]:
    """A desktop-sized tab in chromium; the browser starts after the server and worker are up."""
    # Latency and few connections stretch enrichment over several polls, so the bar visibly moves.
    tmdb_double.configure(latency=0.25)
    settings.TMDB_CONCURRENCY = 3
    # Playwright's sync API runs an event loop in this thread, so Django takes the test's ORM calls for
    # async ones: they are synchronous, and they get a connection of their own (closed below).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        # the system preference a person at night has; the theme switch is tested from it
        context = browser.new_context(viewport=DESKTOP, color_scheme="dark")
        context.route(re.compile(r"^https?://(?!localhost|127\.0\.0\.1)"), offline)
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        try:
            yield tab
        finally:
            connection.close()
            browser.close()


def offline(route: Route) -> None:
    """Nothing leaves the machine: TMDB posters get a grey stand-in, anything else fails."""
    if route.request.resource_type == "image":
        route.fulfill(status=200, content_type="image/svg+xml", body=POSTER)
    else:
        route.abort()


def tops(tab: Page, selector: str) -> list[float]:
    """The top edge of each element, in page order: elements side by side share one."""
    return tab.eval_on_selector_all(
        selector, "elements => elements.map(e => Math.round(e.getBoundingClientRect().top))"
    )


def screenshot(tab: Page, name: str) -> None:
    """Desktop and phone screenshots of the page; at phone width nothing may scroll sideways."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=SCREENSHOTS / f"{name}-desktop.png", full_page=True)
    tab.set_viewport_size(PHONE)
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{name} scrolls sideways at 390 px"
    tab.screenshot(path=SCREENSHOTS / f"{name}-phone.png", full_page=True)
    tab.set_viewport_size(DESKTOP)


def figures(tab: Page) -> dict[str, str]:
    """The overview's figures: {label: first value}."""
    return tab.eval_on_selector_all(
        "#overview dl.figures > div",
        "divs => Object.fromEntries(divs.map(d => [d.querySelector('dt').textContent.trim(), d.querySelector('dd').textContent.trim()]))",
    )


def watch_progress(tab: Page, session: Session, timeout: float) -> list[tuple[int, int]]:
    """Sample the progress bar until enrichment ends; returns the (value, max) seen, all in the page never reloaded."""
    seen: list[tuple[int, int]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            sample = tab.evaluate(
                "() => { const bar = document.querySelector('#progress progress');"
                " return window.pageBeforePolling && bar ? [+bar.value, +bar.max] : null }"
            )
        except sync_api.Error:  # the page navigated away under the call
            sample = None
        assert sample is not None, "the page was reloaded: progress must arrive in place"
        if not seen or seen[-1] != tuple(sample):
            seen.append(tuple(sample))
        if sample[0] == sample[1] and tab.query_selector("#progress.status-completed"):
            return seen
        tab.wait_for_timeout(200)
    session.refresh_from_db()
    pytest.fail(f"enrichment did not finish within {timeout}s (session {session.status}, progress {seen})")


class Console:
    """Every console error and uncaught exception of the tab, with the page it happened on."""

    def __init__(self, tab: Page) -> None:
        self.errors: list[str] = []
        tab.on("console", lambda m: self.errors.append(f"{tab.url}: {m.text}") if m.type == "error" else None)
        tab.on("pageerror", lambda e: self.errors.append(f"{tab.url}: {e}"))


def axe_violations(tab: Page) -> list[str]:
    """Serious and critical accessibility violations axe-core finds on the page (WCAG 2 A and AA rules)."""
    if not tab.evaluate("typeof window.axe !== 'undefined'"):
        tab.evaluate(AXE.read_text())  # evaluated by the browser's debugger protocol: the page's CSP does not apply
    results = tab.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))"
    )
    return [f"{tab.url} {r}" for r in results]


def test_it_uploads_enriches_shows_and_fixes_films_in_a_browser(
    page: Page, live_server, tmdb_double, tmp_path, settings
):
    tab = page
    console = Console(tab)
    accessibility: list[str] = []
    export, films = export_of_hard_cases()
    upload = tmp_path / "letterboxd-cinephile-2025-01-01-00-00-utc.zip"
    upload.write_bytes(export.zip_bytes())
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)

    # Upload through the real form.
    tab.goto(f"{live_server.url}/")
    accessibility += axe_violations(tab)
    screenshot(tab, "home")
    tab.set_input_files("#files", upload)
    tab.click("form.upload button[type=submit]")
    tab.wait_for_url(re.compile(r"/s/[0-9a-f-]{36}/$"))
    session = Session.objects.get()
    assert tab.url == f"{live_server.url}/s/{session.public_id}/"
    assert session.total_movies == session.movies.count() == len(films) + 2  # and the watchlist's two

    # Progress arrives by htmx polling into this very page: the marker survives every poll.
    loads: list[str] = []
    tab.on("load", lambda _page: loads.append(tab.url))
    tab.evaluate("window.pageBeforePolling = true")
    assert tab.get_attribute("#progress", "hx-trigger") == "every 1500ms"
    seen = watch_progress(tab, session, timeout=40)
    assert len(seen) >= 2 and seen == sorted(seen), f"the bar should move forward under polling: {seen}"
    assert any(0 < value < total for value, total in seen), f"no intermediate progress was shown: {seen}"
    # When the worker finishes, the poll swaps the finished dashboard into this page: still no reload.
    tab.wait_for_selector("#progress.status-completed")
    assert loads == [] and tab.evaluate("window.pageBeforePolling") is True
    assert seen[-1][0] == seen[-1][1] == session.total_movies
    session.refresh_from_db()
    assert session.status == Session.Status.COMPLETED
    assert not session.movies.filter(match_status=MatchStatus.PENDING).exists()
    bar = tab.locator("#progress progress")
    assert bar.get_attribute("value") == bar.get_attribute("max") == str(session.total_movies)

    # The dashboard's figures are the database's.
    tab.reload()
    movies = session.movies
    library = movies.filter(watched=True)
    identified = library.filter(film__isnull=False, match_status__in=Movie.IDENTIFIED).count()
    assert identified >= len(films) * 2 // 3, "most films should match"
    shown = figures(tab)
    assert shown["Films watched"] == str(library.count()) == str(len(films))
    assert shown["Diary entries"] == str(session.viewings.count())
    assert shown["Liked"] == str(library.filter(liked=True).count())
    assert shown["Watchlist"] == str(movies.filter(in_watchlist=True).count()) == "2"
    assert shown["Reviewed"] == "1"
    assert shown["Identified on TMDB"] == f"{round(100 * identified / library.count(), 1)}%"
    assert tab.locator("main svg").count() >= 3
    assert tab.locator("#genres table.groups tbody tr").count() >= 3
    # Posters are real images, loaded from the image base the double's /configuration names.
    posters = tab.locator("#posters img.poster")
    assert posters.count() >= 5
    posters.first.scroll_into_view_if_needed()
    tab.wait_for_function(
        "() => [...document.querySelectorAll('#posters img.poster')].slice(0, 5).every(i => i.complete && i.naturalWidth > 0)"
    )
    assert (posters.first.get_attribute("src") or "").startswith(tmdb_double.image_base)
    # The review's markup is kept, its script neither shown nor run.
    review = tab.locator("article.review .review-text")
    assert review.locator("i").inner_text() == "and" and review.locator("b").inner_text() == "Remember Sammy Jankis."
    assert review.locator("script").count() == 0 and tab.evaluate("window.reviewScriptRan") is None
    accessibility += axe_violations(tab)
    screenshot(tab, "dashboard")

    # A director's name opens their page: their films as posters, counted as the dashboard counts them.
    link = tab.locator("#directors ol.people-ranking a").first
    director = link.inner_text()
    link.click()
    tab.wait_for_url(re.compile(r"/people/director/[^/]+/$"))
    assert tab.inner_text("h1") == director
    key = tab.url.rstrip("/").rsplit("/", 1)[1]
    facets = FilmFacet.objects.filter(kind=FilmFacet.Kind.DIRECTOR, key=key, name=director)
    theirs = sorted(library.filter(film__facets__in=facets).values_list("title", flat=True))
    assert theirs, f"{director} directed nothing in this session"
    tiles = tab.locator(".poster-grid .tile-title").evaluate_all("els => els.map(e => e.firstChild.textContent.trim())")
    assert sorted(tiles) == theirs
    accessibility += axe_violations(tab)
    screenshot(tab, "person")
    # The count opens the film explorer on exactly those films.
    tab.click("a.count")
    tab.wait_for_url(re.compile(r"/films/\?scope=library&director="))
    assert sorted(tab.locator(".film-grid .film-title").all_inner_texts()) == theirs
    assert tab.inner_text("p.count") == f"{len(theirs)} film{'s' if len(theirs) > 1 else ''}"
    assert "Director" in tab.inner_text("ul.chips")
    accessibility += axe_violations(tab)
    screenshot(tab, "explorer")

    # A film's page: the diary, TMDB's facts, the cast with headshots.
    tab.locator(".film-grid .film-title").first.click()
    tab.wait_for_url(re.compile(r"/films/\d+/$"))
    assert tab.locator("h1").inner_text().startswith(theirs[0])
    assert tab.locator("a", has_text="On TMDB").count() == 1
    accessibility += axe_violations(tab)
    screenshot(tab, "film")

    # The unmatched page: search TMDB for a film and pick one in place, without a reload.
    tab.click("header.site nav >> text=Unmatched")
    tab.wait_for_url(re.compile(r"/unmatched/$"))
    unmatched = movies.unmatched()
    listed = tab.locator("li.unmatched-film h2 a").all_inner_texts()
    assert sorted(listed) == sorted(unmatched.values_list("title", flat=True)) and listed
    accessibility += axe_violations(tab)
    screenshot(tab, "unmatched")
    movie = unmatched.filter(match_status=MatchStatus.AMBIGUOUS).exclude(match_candidates=[]).order_by("pk").first()
    assert movie is not None, "the hard cases hold ambiguous films"
    item = tab.locator(f"#movie-{movie.pk}")
    item.scroll_into_view_if_needed()
    tab.evaluate("window.beforeFix = true")
    scrolled = tab.evaluate("window.scrollY")
    item.locator("form.search input[name=q]").fill(movie.title)
    item.locator("form.search button").click()
    item.locator(".results .candidates li").first.wait_for()
    chosen = item.locator(".results .candidates li input[name=candidate]").first.get_attribute("value") or ""
    item.locator(".results .candidates li button").first.click()
    done = tab.locator(f"#movie-{movie.pk}.done")
    done.wait_for()
    assert tab.evaluate("window.beforeFix") is True and abs(tab.evaluate("window.scrollY") - scrolled) < 200
    movie.refresh_from_db()
    assert movie.match_status == MatchStatus.MANUAL and f"{movie.film.media_type}/{movie.film.tmdb_id}" == chosen
    assert done.inner_text().startswith(f"✓ {movie.title} is now {movie.film.title}")

    # Or paste a TMDB address: the anthology episode is filed under its series.
    episode = unmatched.get(title="Love, Death & Robots: Three Robots")
    item = tab.locator(f"#movie-{episode.pk}")
    item.locator("input[name=tmdb]").fill("https://www.themoviedb.org/tv/86831-love-death-robots")
    item.locator("form.paste button").click()
    tab.locator(f"#movie-{episode.pk}.done").wait_for()
    episode.refresh_from_db()
    assert episode.match_status == MatchStatus.MANUAL and (episode.film.media_type, episode.film.tmdb_id) == (
        "tv",
        86831,
    )

    # The explorer shows both as chosen by hand, among the identified films.
    tab.goto(f"{live_server.url}/s/{session.public_id}/films/?match_status=manual")
    assert sorted(tab.locator(".film-grid .film-title").all_inner_texts()) == sorted([movie.title, episode.title])

    # Light and dark: the switch changes the theme and the choice is remembered.
    tab.goto(f"{live_server.url}/s/{session.public_id}/")
    dark = tab.evaluate("getComputedStyle(document.body).backgroundColor")
    tab.click("#theme-switch")
    assert tab.get_attribute("html", "data-theme") == "light"
    light = tab.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark != light
    tab.reload()
    assert tab.get_attribute("html", "data-theme") == "light"
    accessibility += axe_violations(tab)
    screenshot(tab, "dashboard-light")
    tab.click("#theme-switch")
    assert tab.get_attribute("html", "data-theme") == "dark"

    # An unknown address: a styled page that leads to a new upload.
    missing = f"{live_server.url}/s/00000000-0000-4000-8000-000000000000/"
    tab.goto(missing)
    assert tab.inner_text("h1") == "Nothing here"
    # the browser reports the page's own 404 status as a console error: that one is the point, not a fault
    own_status = f"{missing}: Failed to load resource: the server responded with a status of 404 (Not Found)"
    console.errors = [error for error in console.errors if error != own_status]
    screenshot(tab, "not-found")

    # A server without TMDB credentials: one sentence, no TMDB sections, no contradiction.
    settings.TMDB_READ_TOKEN = settings.TMDB_API_KEY = ""
    tab.goto(f"{live_server.url}/")
    tab.set_input_files("#files", upload)
    tab.click("form.upload button[type=submit]")
    tab.wait_for_url(re.compile(r"/s/[0-9a-f-]{36}/$"))
    assert "Identifying films on TMDB is off on this server" in tab.inner_text("#enrichment-off")
    for absent in ("#progress", "#genres", "#people", "#runtimes"):
        assert tab.locator(absent).count() == 0, absent
    assert "TMDB_READ_TOKEN" not in tab.content()
    screenshot(tab, "dashboard-without-tmdb")

    assert accessibility == []
    assert console.errors == []


def test_it_takes_a_newer_export_through_the_dashboard_form(page: Page, live_server, tmp_path):
    tab = page
    first, newer = Export(), Export()
    for export, films, entries in ((first, 2, 1), (newer, 3, 3)):
        export.add("profile.csv", ["2019-03-01", "cinephile", "", "", "", "", "", "", "", ""])
        export.add("watched.csv", *[["2024-01-01", title, year, uri] for title, year, uri in FOLLOWED[:films]])
        export.add(
            "diary.csv",
            *[
                [
                    f"2024-0{i + 1}-02",
                    FOLLOWED[i][0],
                    FOLLOWED[i][1],
                    f"https://boxd.it/f{i}",
                    "4",
                    "",
                    "",
                    f"2024-0{i + 1}-01",
                ]
                for i in range(entries)
            ],
        )
    older, later = (
        tmp_path / "letterboxd-cinephile-2024-01-03-00-00-utc.zip",
        tmp_path / "letterboxd-cinephile-2024-03-03-00-00-utc.zip",
    )
    older.write_bytes(first.zip_bytes())
    later.write_bytes(newer.zip_bytes())
    tab.goto(f"{live_server.url}/")
    tab.set_input_files("#files", older)
    tab.click("form.upload button[type=submit]")
    tab.wait_for_url(re.compile(r"/s/[0-9a-f-]{36}/$"))
    tab.wait_for_selector("#progress.status-completed")

    tab.set_input_files("#newer-files", later)
    tab.click("#uploads form.upload button[type=submit]")
    tab.wait_for_selector("ul.messages li.success")
    session = Session.objects.get()
    assert tab.url == f"{live_server.url}/s/{session.public_id}/#uploads"
    changes = tab.eval_on_selector_all(
        "#uploads dl.figures > div",
        "divs => Object.fromEntries(divs.map(d => [d.querySelector('dt').textContent.trim(), d.querySelector('dd').textContent.trim()]))",
    )
    assert changes["Films watched"] == "1" and changes["Diary entries added"] == "2"
    assert tab.locator("#uploads table.upload-history tbody tr").count() == 2
    tab.wait_for_selector("#progress.status-completed")
    assert session.movies.filter(match_status=MatchStatus.MATCHED).count() == 3
    tab.locator("#uploads").scroll_into_view_if_needed()
    screenshot(tab, "uploads")


FOLLOWED = [
    ("Memento", 2000, "https://boxd.it/m"),
    ("Fight Club", 1999, "https://boxd.it/fc"),
    ("Moonlight", 2016, "https://boxd.it/ml"),
]
