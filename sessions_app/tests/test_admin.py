"""The admin's corrections and re-runs go through the same functions as the API and the pages."""

import pytest
from django_q.models import OrmQ

from enrichment.tests.helpers import enrich_now, imported
from sessions_app.admin import MovieCorrectionForm
from sessions_app.models import Movie

pytestmark = pytest.mark.django_db


def run_action(admin_client, action: str, session) -> None:
    response = admin_client.post(
        "/admin/sessions_app/session/", {"action": action, "_selected_action": [session.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "films queued for identification on TMDB" in response.content.decode()


def test_retry_unmatched_films_requeues_only_the_unmatched(
    admin_client, tmdb_double, django_capture_on_commit_callbacks
):
    session = enrich_now(imported([("Memento", 2000), ("Sunday Tapes from Ostrava", 2017)]))
    with django_capture_on_commit_callbacks(execute=True):
        run_action(admin_client, "retry_unmatched", session)
    assert dict(session.movies.values_list("title", "match_status")) == {
        "Memento": "matched",
        "Sunday Tapes from Ostrava": "pending",
    }
    session.refresh_from_db()
    assert session.status == "enriching" and OrmQ.objects.count() == 1
    enrich_now(session)
    assert session.movies.get(title="Sunday Tapes from Ostrava").match_status == "not_found"


def test_reenrich_selected_sessions_requeues_all_but_manual_films(
    admin_client, tmdb_double, django_capture_on_commit_callbacks
):
    session = enrich_now(imported([("Memento", 2000), ("Fight Club", 1999)]))
    Movie.objects.filter(title="Fight Club").update(match_status="manual")
    with django_capture_on_commit_callbacks(execute=True):
        run_action(admin_client, "reenrich_all", session)
    assert dict(session.movies.values_list("title", "match_status")) == {"Memento": "pending", "Fight Club": "manual"}


def test_setting_a_tmdb_id_in_the_admin_fetches_the_film_and_marks_it_manual(admin_client, tmdb_double):
    session = enrich_now(imported([("The Witch", 2015)]))
    movie = session.movies.get()
    assert movie.match_status == "ambiguous"
    chosen = movie.match_candidates[1]["tmdb_id"]
    form = MovieCorrectionForm(instance=movie)
    data = {
        name: field.widget.format_value(form.initial.get(name)) if form.initial.get(name) is not None else ""
        for name, field in form.fields.items()
    }
    data.update(manual_tmdb_id=str(chosen), manual_media_type="movie", watched="on" if movie.watched else "")
    data = {k: v for k, v in data.items() if v not in (None, "", False)}
    response = admin_client.post(f"/admin/sessions_app/movie/{movie.pk}/change/", data, follow=True)
    assert response.status_code == 200
    movie.refresh_from_db()
    assert movie.match_status == "manual" and movie.film.tmdb_id == chosen


def test_the_admin_needs_a_staff_login(client):
    response = client.get("/admin/sessions_app/session/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
