"""End to end in Debian's chromium (Playwright): upload an export through the form, watch enrichment
progress arrive by htmx polling, read the dashboard, follow a director into the film explorer, fix an
unmatched film, and save desktop and phone screenshots to artifacts/screenshots/.

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
        context = browser.new_context(viewport=DESKTOP)
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


def test_it_uploads_enriches_shows_and_fixes_films_in_a_browser(page: Page, live_server, tmp_path):
    tab = page
    export, films = export_of_hard_cases()
    upload = tmp_path / "letterboxd-cinephile-2025-01-01-00-00-utc.zip"
    upload.write_bytes(export.zip_bytes())
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)

    # Upload through the real form.
    tab.goto(f"{live_server.url}/")
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
    assert tab.get_attribute("#progress", "hx-trigger") is None
    bar = tab.locator("#progress progress")
    assert bar.get_attribute("value") == bar.get_attribute("max") == str(session.total_movies)
    assert "(100.0%)" in tab.inner_text("#progress .progress-numbers")

    # The dashboard's figures are the database's.
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
    # The review's markup is kept, its script neither shown nor run.
    review = tab.locator("article.review .review-text")
    assert review.locator("i").inner_text() == "and" and review.locator("b").inner_text() == "Remember Sammy Jankis."
    assert review.locator("script").count() == 0 and tab.evaluate("window.reviewScriptRan") is None
    screenshot(tab, "dashboard")

    # A director's name opens the film explorer on their films.
    link = tab.locator("#directors table.groups tbody a").first
    director = link.inner_text()
    link.click()
    tab.wait_for_url(re.compile(r"/films/\?director="))
    key = tab.url.rsplit("director=", 1)[1]
    facets = FilmFacet.objects.filter(kind=FilmFacet.Kind.DIRECTOR, key=key, name=director)
    theirs = sorted(movies.filter(film__facets__in=facets).values_list("title", flat=True))
    assert theirs, f"{director} directed nothing in this session"
    assert sorted(tab.locator(".film-grid .film-title").all_inner_texts()) == theirs
    assert tab.inner_text("p.count") == f"{len(theirs)} film{'s' if len(theirs) > 1 else ''}"
    screenshot(tab, "explorer")

    # The unmatched page lists exactly the films that need a person; pick a candidate for one.
    tab.click("header.site nav >> text=Unmatched")
    tab.wait_for_url(re.compile(r"/unmatched/$"))
    unmatched = movies.unmatched()
    listed = tab.locator("ul.unmatched > li legend strong").all_inner_texts()
    assert sorted(listed) == sorted(unmatched.values_list("title", flat=True)) and listed
    screenshot(tab, "unmatched")
    movie = unmatched.filter(match_status=MatchStatus.AMBIGUOUS).exclude(match_candidates=[]).order_by("pk").first()
    assert movie is not None, "the hard cases hold ambiguous films"
    choice = movie.match_candidates[0]
    item = tab.locator(f"#movie-{movie.pk}")
    item.locator(f"input[name=candidate][value='{choice.get('media_type') or 'movie'}/{choice['tmdb_id']}']").check()
    item.locator("button[type=submit]").click()
    tab.wait_for_selector("ul.messages li.success")

    movie.refresh_from_db()
    assert movie.match_status == MatchStatus.MANUAL and movie.film.tmdb_id == choice["tmdb_id"]
    assert (
        tab.inner_text("ul.messages li.success")
        == f"{movie.title} is now matched to TMDB {movie.film.media_type} {choice['tmdb_id']}."
    )
    assert tab.locator(f"#movie-{movie.pk}").count() == 0
    assert len(tab.locator("ul.unmatched > li legend strong").all_inner_texts()) == len(listed) - 1

    # Or paste a TMDB address: the anthology episode is filed under its series.
    episode = unmatched.get(title="Love, Death & Robots: Three Robots")
    item = tab.locator(f"#movie-{episode.pk}")
    item.locator("input[name=tmdb]").fill("https://www.themoviedb.org/tv/86831-love-death-robots")
    item.locator("button[type=submit]").click()
    tab.wait_for_selector(f"ul.messages li.success >> text={episode.title}")
    episode.refresh_from_db()
    assert episode.match_status == MatchStatus.MANUAL and (episode.film.media_type, episode.film.tmdb_id) == (
        "tv",
        86831,
    )

    # The explorer shows both as chosen by hand, among the identified films.
    tab.goto(f"{live_server.url}/s/{session.public_id}/films/?match_status=manual")
    assert sorted(tab.locator(".film-grid .film-title").all_inner_texts()) == sorted([movie.title, episode.title])
    assert tab.locator(".film-grid .status").count() == 0


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
