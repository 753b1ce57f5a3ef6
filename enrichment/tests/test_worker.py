"""Enrichment end to end: export → import → the worker's runs and the services → TMDB test double over loopback."""

import logging
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_q.models import OrmQ

from enrichment import services, tasks, worker
from enrichment.models import Film, FilmMatch
from enrichment.tmdb import reset_client
from enrichment.tmdb.catalogue import HARD_CASES, letterboxd_rows, synthetic_catalogue
from enrichment.tmdb.double import TmdbDouble
from sessions_app.models import Movie, Session

from .helpers import enrich_now, imported

pytestmark = pytest.mark.django_db


def test_every_hard_case_is_matched_right_or_left_for_a_person(tmdb_double):
    session = enrich_now(imported([(title, year) for title, year, *_ in HARD_CASES]))
    assert session.status == Session.Status.COMPLETED
    for title, year, status, tmdb_id, media_type in HARD_CASES:
        movie = session.movies.select_related("film").get(title=title, year=year)
        assert movie.match_status == status, (title, year, movie.match_candidates)
        if status == "matched":
            assert (movie.film.tmdb_id, movie.film.media_type) == (tmdb_id, media_type), (title, year)
        else:
            assert movie.film is None, (title, year)
    ambiguous = session.movies.get(title="The Witch", year=2015)
    assert len(ambiguous.match_candidates) >= 2
    assert {"tmdb_id", "title", "year", "media_type", "poster_path"} <= set(ambiguous.match_candidates[0])


def test_a_plain_film_costs_one_search_and_one_details_request_and_stores_its_metadata(tmdb_double):
    session = enrich_now(imported([("Memento", 2000)]))
    assert tmdb_double.stats()["by_kind"] == {"search_movie": 1, "movie": 1}
    memento = session.movies.select_related("film").get()
    film = memento.film
    assert memento.match_status == "matched" and memento.match_score > 0.8 and memento.enriched_at
    assert film.tmdb_id == 77 and film.title == "Memento" and film.runtime and film.release_date.year == 2000
    assert film.genres and film.directors and film.directors[0]["name"] == "Christopher Nolan"
    assert len(film.cast) >= 10 or len(film.cast) == film.facets.filter(kind="actor").count()
    assert film.facets.filter(kind="director", name="Christopher Nolan").exists()
    assert film.original_language and film.production_countries and film.imdb_id


def test_a_second_import_of_the_same_export_reaches_tmdb_zero_times(tmdb_double):
    rows = [(title, year) for title, year, *_ in HARD_CASES]
    first = enrich_now(imported(rows))
    sent = tmdb_double.requests
    second = enrich_now(imported(rows))
    assert tmdb_double.requests == sent
    assert second.status == Session.Status.COMPLETED
    assert second.match_counts() == first.match_counts()


def test_films_identified_earlier_are_reused_by_uri_else_by_title_and_year(tmdb_double):
    enrich_now(imported([("Memento", 2000), ("Fight Club", 1999)]))
    sent = tmdb_double.requests
    # new URIs for the same titles: reused by title and year
    session = enrich_now(imported([("Memento", 2000), ("Fight Club", 1999)], uri_prefix="https://boxd.it/other"))
    assert tmdb_double.requests == sent
    assert set(session.movies.values_list("film__tmdb_id", flat=True)) == {77, 550}


def test_a_rejected_key_fails_the_session_with_a_clear_message(tmdb_double, settings):
    settings.TMDB_READ_TOKEN = "wrong-token"
    reset_client()
    session = enrich_now(imported([("Memento", 2000), ("Fight Club", 1999)]))
    assert session.status == Session.Status.FAILED
    assert "TMDB" in session.error_message and "rejected" in session.error_message
    assert "wrong-token" not in session.error_message
    assert session.movies.filter(match_status="pending").count() == 2  # nothing claimed is lost


@pytest.mark.parametrize(
    "trouble",
    [
        {"rate_limit": 15},
        {"rate_limit": 15, "bare_429": True},
        {"fault_rate": 0.3, "faults": ("500", "503", "drop")},
    ],
)
def test_rate_limit_storms_and_faults_end_with_every_film_settled(tmdb_double, trouble):
    tmdb_double.configure(**trouble)
    catalogue_rows = [(title, year) for title, year, status, *_ in HARD_CASES if status == "matched"][:12]
    session = enrich_now(imported(catalogue_rows))
    assert session.status == Session.Status.COMPLETED
    counts = session.match_counts()
    assert counts["pending"] == 0
    assert counts["matched"] + counts["failed"] == len(catalogue_rows)
    assert counts["matched"] >= len(catalogue_rows) - 1  # retries make persistent failure rare
    for movie in session.movies.filter(match_status="failed"):
        assert movie.match_error and movie.match_attempts == 1


def test_a_task_run_twice_changes_nothing(tmdb_double):
    session = enrich_now(imported([("Memento", 2000), ("Chernobyl", 2019)]))
    before = list(session.movies.values_list("pk", "match_status", "film_id", "match_attempts", "enriched_at"))
    sent = tmdb_double.requests
    assert tasks.enrich_session(session.pk) == "done"
    assert tasks.enrich_session(session.pk) == "done"
    assert list(session.movies.values_list("pk", "match_status", "film_id", "match_attempts", "enriched_at")) == before
    assert tmdb_double.requests == sent


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_session_fetch_each_film_once(tmdb_double, settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent workers need PostgreSQL's row locks (SQLite serialises writers)")
    catalogue = synthetic_catalogue(60, seed=3)
    with TmdbDouble(catalogue) as double:
        settings.TMDB_API_URL = double.url
        reset_client()
        session = imported(letterboxd_rows(catalogue))
        services.start(session, enqueue=False)

        def work():
            try:
                while worker.run(session.pk, budget=2):
                    pass
            finally:
                connection.close()

        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert set(double.movie_fetches().values()) == {1}
        assert len(double.movie_fetches()) == 60
        assert double.stats()["by_kind"]["search_movie"] == 60
    session.refresh_from_db()
    assert session.status == Session.Status.COMPLETED and session.match_counts()["matched"] == 60


def test_enrichment_is_queued_when_the_upload_commits(tmdb_double, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        session = imported([("Memento", 2000)])
    session.refresh_from_db()
    assert session.status == Session.Status.ENRICHING
    assert OrmQ.objects.count() == 1


def test_without_credentials_the_import_completes_and_says_enrichment_is_off(
    settings, django_capture_on_commit_callbacks
):
    settings.TMDB_READ_TOKEN = settings.TMDB_API_KEY = ""
    with django_capture_on_commit_callbacks(execute=True):
        session = imported([("Memento", 2000)])
    session.refresh_from_db()
    assert session.status == Session.Status.COMPLETED and OrmQ.objects.count() == 0
    state = services.enrichment_state(session)
    assert state == {"enabled": False, "message": services.ENRICHMENT_OFF}
    assert "TMDB_READ_TOKEN" not in state["message"]  # advice for the operator is in the README and the admin


def test_the_enrich_command_enriches_a_session_later_with_a_progress_bar(tmdb_double, capsys):
    session = imported([("Memento", 2000), ("Nomadland", 2020), ("Sunday Tapes from Ostrava", 2017)])
    call_command("enrich", str(session.public_id), "--wait")
    out = capsys.readouterr().out
    assert "3/3 films" in out and "completed, 2 identified, 1 unmatched, 0 failed" in out
    session.refresh_from_db()
    assert session.status == Session.Status.COMPLETED


def test_a_manual_tmdb_id_is_fetched_marked_manual_and_never_replaced(tmdb_double, client):
    session = enrich_now(imported([("The Witch", 2015), ("Memento", 2000)]))
    witch = session.movies.get(title="The Witch")
    chosen = witch.match_candidates[0]["tmdb_id"]
    response = client.patch(
        f"/api/session/{session.public_id}/movies/{witch.pk}", {"tmdb_id": chosen}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["match_status"] == "manual" and response.json()["tmdb_id"] == chosen

    response = client.post(f"/api/session/{session.public_id}/reenrich", {"all": True}, content_type="application/json")
    assert response.status_code == 202
    enrich_now(session)
    witch.refresh_from_db()
    assert witch.match_status == "manual" and witch.film.tmdb_id == chosen

    bad = client.patch(
        f"/api/session/{session.public_id}/movies/{witch.pk}", {"tmdb_id": 123456789}, content_type="application/json"
    )
    assert bad.status_code == 400 and "no film with id 123456789" in bad.json()["detail"]


def test_reenrich_retries_unmatched_and_failed_films_only(tmdb_double, client):
    session = enrich_now(imported([("Memento", 2000), ("Sunday Tapes from Ostrava", 2017)]))
    Movie.objects.filter(title="Memento").update(match_status="failed", match_error="boom", film=None)
    remembered_at = FilmMatch.objects.get(title="Sunday Tapes from Ostrava").updated_at
    response = client.post(f"/api/session/{session.public_id}/reenrich", {}, content_type="application/json")
    assert response.status_code == 202 and response.json()["match_counts"]["pending"] == 2
    enrich_now(session)
    assert session.movies.get(title="Memento").match_status == "matched"
    unknown = session.movies.get(title="Sunday Tapes from Ostrava")
    assert unknown.match_status == "not_found" and unknown.match_attempts == 1
    # the remembered outcome was forgotten and decided again (the HTTP cache may answer the search)
    assert FilmMatch.objects.get(title="Sunday Tapes from Ostrava").updated_at > remembered_at


def test_the_recovery_schedule_restarts_quiet_sessions_and_retries_failed_films(tmdb_double):
    session = imported([("Memento", 2000), ("Fight Club", 1999)])
    services.start(session, enqueue=False)
    Session.objects.filter(pk=session.pk).update(enrichment_heartbeat=timezone.now() - timedelta(hours=1))
    assert services.recover()["restarted"] == 1
    assert OrmQ.objects.count() == 1  # one task chain for a session this small

    enrich_now(session)
    long_ago = timezone.now() - timedelta(hours=1)
    Movie.objects.filter(title="Memento").update(match_status="failed", match_attempts=1, enriched_at=long_ago)
    Movie.objects.filter(title="Fight Club").update(match_status="failed", match_attempts=3, enriched_at=long_ago)
    Session.recount(session.pk)  # as the worker counts the films it fails
    assert services.recover()["retried"] == 1
    assert session.movies.get(title="Memento").match_status == "pending"
    assert session.movies.get(title="Fight Club").match_status == "failed"  # out of attempts


def test_no_secret_reaches_logs_cache_rows_or_responses(tmdb_double, client, caplog, settings):
    caplog.set_level(logging.DEBUG)
    settings.TMDB_API_KEY = tmdb_double.config.api_key
    session = enrich_now(imported([("Memento", 2000), ("Sunday Tapes from Ostrava", 2017)]))
    secrets = [tmdb_double.config.read_token, tmdb_double.config.api_key]
    bodies = [
        client.get(f"/api/session/{session.public_id}").content,
        client.get(f"/api/session/{session.public_id}/movies").content,
        client.get(f"/s/{session.public_id}/").content,
    ]
    with open(settings.TMDB_CACHE_PATH, "rb") as cache:
        cache_bytes = cache.read()
    for secret in secrets:
        assert secret not in caplog.text
        assert secret.encode() not in cache_bytes
        assert all(secret.encode() not in body for body in bodies)
    assert FilmMatch.objects.count() == 2 and Film.objects.count() == 1


def test_tmdb_data_older_than_six_months_is_forgotten_unless_a_live_session_shows_it(tmdb_double):
    from django_q.models import Schedule

    session = enrich_now(imported([("Memento", 2000), ("Fight Club", 1999)]))
    long_ago = timezone.now() - timedelta(days=200)
    Film.objects.update(fetched_at=long_ago)
    FilmMatch.objects.update(updated_at=long_ago)
    session.movies.filter(title="Fight Club").update(film=None)  # its session no longer shows it
    assert tasks.forget_stale_tmdb_data() == 1
    assert list(Film.objects.values_list("tmdb_id", flat=True)) == [77]
    assert FilmMatch.objects.count() == 0
    assert Schedule.objects.filter(func="enrichment.tasks.forget_stale_tmdb_data", schedule_type="D").exists()
