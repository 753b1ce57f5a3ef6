import io
import re
import uuid
import zipfile
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from enrichment import services as enrichment
from enrichment.matching import MatchStatus
from sessions_app.models import Session
from sessions_app.tests.factories import make_film, make_movie, make_session, make_viewing
from sessions_app.views import parse_tmdb_reference

pytestmark = pytest.mark.django_db

WATCHED = "Date,Name,Year,Letterboxd URI\n2021-01-01,Heat,1995,https://boxd.it/2aJa\n2021-01-02,Alien,1979,https://boxd.it/2b0w\n"
DIARY = (
    "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"
    "2021-03-01,Heat,1995,https://boxd.it/e1,4.5,,cinema,2021-02-28\n"
)


def export_zip() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("watched.csv", WATCHED)
        archive.writestr("diary.csv", DIARY)
    return SimpleUploadedFile("letterboxd-user-2024.zip", buffer.getvalue(), content_type="application/zip")


def page(client: Client, session: Session, suffix: str = "", **params):
    return client.get(f"/s/{session.public_id}/{suffix}", params)


def test_it_imports_an_upload_without_javascript():
    client = Client(enforce_csrf_checks=True)
    form = client.get("/")
    assert form.status_code == 200
    html = form.content.decode()
    assert re.search(r'<input type="file" id="files" name="files" multiple', html)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]

    response = client.post("/", {"files": [export_zip()], "csrfmiddlewaretoken": token})

    session = Session.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/s/{session.public_id}/"
    assert sorted(session.movies.values_list("title", flat=True)) == ["Alien", "Heat"]
    assert session.viewings.get().watched_date == date(2021, 2, 28)
    assert "Diary entries" in client.get(response["Location"]).content.decode()


def test_it_accepts_several_csv_files():
    files = [
        SimpleUploadedFile("watched.csv", WATCHED.encode(), content_type="text/csv"),
        SimpleUploadedFile("diary.csv", DIARY.encode(), content_type="text/csv"),
    ]
    response = Client().post("/", {"files": files})

    assert response.status_code == 302
    assert Session.objects.get().movies.count() == 2


def test_it_explains_an_unusable_upload_next_to_the_form():
    notes = SimpleUploadedFile("notes.txt", b"just some text", content_type="text/plain")
    response = Client().post("/", {"files": [notes]})

    assert response.status_code == 400
    assert re.search(r'<p class="error" id="upload-error" role="alert">[^<]*\S', response.content.decode())
    assert Session.objects.count() == 0


def test_it_asks_for_a_file_when_none_is_sent():
    response = Client().post("/", {})

    assert response.status_code == 400
    assert "Choose your Letterboxd export first" in response.content.decode()
    assert Session.objects.count() == 0


def test_it_polls_progress_while_enriching(client):
    session = make_session(status=Session.Status.ENRICHING)
    make_movie(session, "Heat", film=make_film(runtime=170))
    make_movie(session, "Alien", match_status=MatchStatus.AMBIGUOUS)
    make_movie(session, "Pending")

    html = page(client, session).content.decode()
    assert f'hx-get="/s/{session.public_id}/progress/" hx-trigger="every 1500ms"' in html

    fragment = page(
        client,
        session,
        "progress/",
    )
    text = fragment.content.decode()
    assert fragment.status_code == 200 and "hx-trigger" in text
    assert re.search(r"<strong>2</strong> of 3 films done\s+\(66.7%\): 1 matched,\s+1 unmatched", text)
    assert "HX-Refresh" not in fragment


def test_it_stops_polling_once_completed(client):
    session = make_session(status=Session.Status.COMPLETED)
    make_movie(session, "Heat", film=make_film(runtime=170))

    assert "hx-trigger" not in page(client, session).content.decode()
    fragment = client.get(f"/s/{session.public_id}/progress/?year=2020", headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert "hx-trigger" not in body
    # the polling page gets the finished dashboard swapped into its <main>, in place: no reload
    assert (fragment["HX-Retarget"], fragment["HX-Reselect"], fragment["HX-Reswap"]) == ("main", "main", "outerHTML")
    assert "<main>" in body and 'id="overview"' in body and "year 2020" in body
    assert "HX-Refresh" not in fragment


def test_it_answers_404_for_unknown_and_expired_sessions(client):
    expired = make_session(expires_at=timezone.now() - timedelta(minutes=1))

    assert client.get(f"/s/{uuid.uuid4()}/").status_code == 404
    for suffix in ("", "progress/", "films/", "unmatched/"):
        assert page(client, expired, suffix).status_code == 404


def test_it_scopes_the_dashboard_to_a_year(client):
    session = make_session()
    heat = make_movie(session, "Heat")
    make_viewing(heat, date(2020, 1, 5))
    make_viewing(heat, date(2021, 6, 1), rewatch=True)

    html = page(client, session, year=2021).content.decode()

    assert "Letterboxd year 2021" in html and "Diary: dated entries in 2021" in html
    assert '<a href="?year=2020">2020</a>' in html


def test_without_credentials_it_says_enrichment_is_off_once_and_hides_what_needs_tmdb(client, settings):
    settings.TMDB_READ_TOKEN = settings.TMDB_API_KEY = ""
    session = make_session(
        warnings=[{"file": "diary.csv", "line": 7, "message": "rating 7 is not a Letterboxd rating"}]
    )

    html = page(client, session).content.decode()

    assert html.count(enrichment.ENRICHMENT_OFF) == 1 and "TMDB_READ_TOKEN" not in html
    for tmdb_only in (
        'id="genres"',
        'id="people"',
        'id="runtimes"',
        "Hours watched",
        "Identified on TMDB",
        'id="progress"',
    ):
        assert tmdb_only not in html
    assert "All films processed" not in html and 'id="decades"' in html
    assert "diary.csv, line 7: rating 7 is not a Letterboxd rating" in html


def test_it_escapes_export_text(client):
    session = make_session()
    movie = make_movie(session, "<script>alert('title')</script>", rating=4)
    make_viewing(
        movie,
        date(2022, 1, 1),
        rating=3,
        tags=["<script>alert('tag')</script>"],
        review='<i>fine</i><script>alert("review")</script><a href="javascript:alert(1)" onclick="x()">link</a>',
    )
    html = page(client, session).content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in html  # the drift table and review title
    assert "&lt;script&gt;alert(&#x27;tag&#x27;)" in html
    assert "<i>fine</i>" in html and "javascript:" not in html and "onclick" not in html
    films = page(client, session, "films/").content.decode()
    assert "<script>alert" not in films and "&lt;script&gt;" in films


def test_it_filters_and_pages_the_film_explorer(client, settings):
    settings.TMDB_IMAGE_BASE_URL = "https://images.example/t/p/"
    session = make_session()
    make_movie(session, "Alien", year=1979, film=make_film(genres=["Horror"], poster_path="/alien.jpg"))
    make_movie(session, "Heat", year=1995, film=make_film(genres=["Crime"]))
    make_movie(session, "The Thing", year=1982, rating=5, film=make_film(genres=["Horror"]))
    make_movie(make_session(), "Elsewhere", film=make_film(genres=["Horror"]))  # another session's film

    html = page(client, session, "films/", genre="Horror", ordering="-rating").content.decode()

    titles = re.findall(r'class="film-title" href="[^"]+">([^<]+)</a>', html)
    assert titles == ["The Thing", "Alien"]
    assert 'src="https://images.example/t/p/w185/alien.jpg"' in html
    assert '<span class="poster placeholder"' in html
    decade = page(client, session, "films/", decade=1990).content.decode()
    assert re.findall(r'class="film-title" href="[^"]+">([^<]+)</a>', decade) == ["Heat"]


def test_it_pages_the_film_explorer_keeping_filters(client):
    session = make_session()
    for i in range(50):
        make_movie(session, f"Film {i:02}", liked=True)

    html = page(client, session, "films/", liked="true").content.decode()

    assert "Page 1 of 2" in html and "?liked=true&amp;page=2" in html
    second = page(client, session, "films/", liked="true", page=2).content.decode()
    assert len(re.findall(r'class="film-title"', second)) == 2


def test_it_links_people_to_their_pages(client):
    session = make_session()
    make_movie(session, "Heat", film=make_film(directors=["Michael Mann"], cast=["Al Pacino"]))

    html = page(client, session, "people/director/").content.decode()
    assert f'href="/s/{session.public_id}/people/director/Michael%20Mann/">Michael Mann</a>' in html
    assert page(client, session, "people/writer/").status_code == 404
    films = page(client, session, "films/", director="Michael Mann").content.decode()
    assert re.findall(r'class="film-title" href="[^"]+">([^<]+)</a>', films) == ["Heat"]


def test_it_lists_unmatched_films_with_their_candidates(client):
    session = make_session()
    make_movie(
        session,
        "The Witch",
        year=2015,
        match_status=MatchStatus.AMBIGUOUS,
        match_candidates=[
            {
                "tmdb_id": 310131,
                "media_type": "movie",
                "title": "The Witch",
                "year": 2015,
                "poster_path": "",
                "score": 0.8,
            },
            {"tmdb_id": 1399, "media_type": "tv", "title": "The Witch", "year": 2015, "poster_path": "", "score": 0.7},
        ],
    )
    make_movie(session, "Obscure", match_status=MatchStatus.NOT_FOUND)
    make_movie(session, "Heat", film=make_film())

    html = page(client, session, "unmatched/").content.decode()

    assert 'value="movie/310131"' in html and 'value="tv/1399"' in html
    assert "Obscure" in html and "Heat" not in html


def test_it_rejects_an_unreadable_tmdb_reference(client):
    session = make_session()
    movie = make_movie(session, "Obscure", match_status=MatchStatus.NOT_FOUND)

    response = client.post(f"/s/{session.public_id}/unmatched/", {"movie": movie.pk, "tmdb": "the matrix please"})

    assert response.status_code == 400
    assert "paste a TMDB id" in response.content.decode()
    movie.refresh_from_db()
    assert movie.match_status == MatchStatus.NOT_FOUND and movie.film is None


def test_it_refuses_to_correct_another_sessions_film(client):
    session, other = make_session(), make_session()
    movie = make_movie(other, "Not yours", match_status=MatchStatus.NOT_FOUND)

    response = client.post(f"/s/{session.public_id}/unmatched/", {"movie": movie.pk, "tmdb": "603"})

    assert response.status_code == 404
    movie.refresh_from_db()
    assert movie.match_status == MatchStatus.NOT_FOUND


@pytest.mark.parametrize(
    "text, expected",
    [
        ("603", (603, "movie")),
        ("https://www.themoviedb.org/movie/603-the-matrix", (603, "movie")),
        ("https://www.themoviedb.org/movie/603-the-matrix?language=en-US", (603, "movie")),
        ("themoviedb.org/tv/1399", (1399, "tv")),
        ("/tv/1399", (1399, "tv")),
        ("  tv/1399-game-of-thrones/  ", (1399, "tv")),
        ("https://example.com/movie/603", None),
        ("the matrix", None),
        ("", None),
    ],
)
def test_it_reads_pasted_tmdb_references(text, expected):
    assert parse_tmdb_reference(text) == expected


def test_it_corrects_a_match_from_a_pasted_address(client):
    session = make_session()
    movie = make_movie(session, "Obscure", match_status=MatchStatus.NOT_FOUND)
    film = make_film("The Matrix", tmdb_id=603, fetched_at=timezone.now())  # already fetched: no TMDB call

    response = client.post(
        f"/s/{session.public_id}/unmatched/",
        {"movie": movie.pk, "tmdb": "https://www.themoviedb.org/movie/603-the-matrix"},
    )

    assert response.status_code == 302 and response["Location"] == f"/s/{session.public_id}/unmatched/"
    movie.refresh_from_db()
    assert (movie.match_status, movie.film) == (MatchStatus.MANUAL, film)
    assert "Obscure is now The Matrix, TMDB film 603." in client.get(response["Location"]).content.decode()


def test_it_renders_the_dashboard_in_the_same_number_of_queries_at_any_size(client, django_assert_num_queries):
    def build(films: int) -> Session:
        session = make_session()
        for i in range(films):
            film = make_film(
                f"F{i}",
                runtime=90 + i,
                genres=["Drama", f"G{i % 7}"],
                directors=[f"D{i % 11}"],
                cast=[f"A{i % 13}", f"B{i % 17}"],
                countries=["US"],
                original_language="en",
            )
            movie = make_movie(session, f"Film {i}", year=1950 + i % 70, rating=(i % 10 + 1) / 2, film=film)
            make_viewing(movie, date(2015, 1, 1) + timedelta(days=i * 3), rating=3, tags=["t"], review="Nice.")
        return session

    small, large = build(5), build(500)
    for session in (small, large):
        cache.clear()
        # session, progress counts, cache version, and stats.dashboard's five
        with django_assert_num_queries(8):
            response = page(client, session)
        assert response.status_code == 200
    assert "Film 499" in page(client, large, "films/", q="Film 499").content.decode()


def test_a_year_page_takes_the_facet_rankings_its_data_version_already_grouped(client, django_assert_num_queries):
    session = make_session(status=Session.Status.COMPLETED)
    for i, genre in enumerate(["Drama", "Drama", "Comedy"]):
        film = make_film(f"F{i}", genres=[genre], directors=["Varda"], cast=["Bonnaire"])
        make_viewing(make_movie(session, f"Film {i}", rating=4, film=film), date(2020 + i, 5, 1))
    cache.clear()

    assert page(client, session).status_code == 200
    # session, progress counts, cache version, and stats.dashboard's five but the facets and their people's photos
    with django_assert_num_queries(6):
        year = page(client, session, year=2021)
    assert [(g.name, g.films) for g in year.context["dashboard"].genres.most_watched] == [("Drama", 2), ("Comedy", 1)]

    session.movies.filter(title="Film 2").update(enriched_at=timezone.now())  # identified again: a new data version
    with django_assert_num_queries(8):
        page(client, session, year=2021)


def test_a_correction_for_a_film_that_is_not_there_is_a_404(client):
    session = make_session(status=Session.Status.COMPLETED)
    for movie in ("abc", "", "999999"):
        response = client.post(f"/s/{session.public_id}/unmatched/", {"movie": movie, "tmdb": "603"})
        assert response.status_code == 404


def test_a_year_page_keeps_its_year_while_polling_and_ignores_impossible_years(client):
    session = make_session(status=Session.Status.ENRICHING)
    movie = make_movie(session, "Heat", film=make_film(runtime=170))
    make_viewing(movie, date(2021, 3, 1))
    progress_url = f"/s/{session.public_id}/progress/"

    assert f'{progress_url}?year=2021"' in page(client, session, year=2021).content.decode()
    fragment = client.get(f"{progress_url}?year=2021", headers={"HX-Request": "true"}).content.decode()
    assert f'hx-get="{progress_url}?year=2021"' in fragment  # the next poll still asks for 2021

    Session.objects.filter(pk=session.pk).update(status=Session.Status.COMPLETED)
    finished = client.get(f"{progress_url}?year=2021", headers={"HX-Request": "true"}).content.decode()
    assert "year 2021" in finished  # the dashboard swapped in at the end is the year's

    for impossible in ("0", "99999"):
        assert "Letterboxd statistics" in page(client, session, year=impossible).content.decode()


def test_an_unknown_address_gets_a_styled_page_leading_to_a_new_upload(client, settings):
    settings.SESSION_LIFETIME_DAYS = 30
    for path in (f"/s/{uuid.uuid4()}/", "/no/such/page/", f"/s/{uuid.uuid4()}/films/"):
        response = client.get(path)
        html = response.content.decode()
        assert response.status_code == 404 and "<h1>Nothing here</h1>" in html, path
        assert (
            "deleted 30 days after their last visit" in html and 'href="/">Upload your Letterboxd export again' in html
        )
        assert 'rel="icon" href="/static/lbstats/favicon.svg"' in html


def test_the_api_has_an_index_and_a_readable_schema_page_served_from_the_app(client):
    index = client.get("/api/", HTTP_ACCEPT="application/json").json()
    assert index["upload"] == "http://testserver/api/upload" and index["schema"] == "http://testserver/api/schema/"
    docs = client.get("/api/docs/")
    html = docs.content.decode()
    assert docs.status_code == 200 and "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "<script>" not in html.replace(" ", "")  # its start-up script is a file, as the CSP requires
    assert client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200


def test_too_few_dated_days_say_so_instead_of_a_streak(client):
    session = make_session()
    make_viewing(make_movie(session, "Heat"), date(2021, 2, 28))

    html = page(client, session).content.decode()

    assert "Too few dated days for a streak or a busiest day yet: a streak takes two days in a row" in html
    assert "Longest streak" not in html and "Busiest day" not in html


def test_tmdb_figures_of_a_half_identified_session_show_so_far_with_how_many_films_are_identified(client, tmdb_double):
    session = make_session(status=Session.Status.ENRICHING)
    make_movie(session, "Heat", film=make_film(runtime=170, genres=["Crime"], directors=["Michael Mann"]))
    make_movie(session, "Alien", film=make_film(runtime=117, genres=["Horror"], directors=["Ridley Scott"]))
    make_movie(session, "Zodiac")  # still pending
    make_movie(session, "Memento")  # still pending

    html = page(client, session).content.decode()
    hours = re.search(r"<dt>Hours watched</dt><dd>(\d+)</dd><dd class=\"note so-far\">([^<]+)</dd>", html)
    assert hours and hours.groups() == ("5", "so far — 2 of 4 films identified")  # 287 minutes
    assert html.count('class="note so-far"') == 3  # hours, what you watch, people
    assert "without a known runtime" not in html  # the pending films are not "without a runtime" yet


def test_a_finished_session_shows_its_tmdb_figures_without_so_far(client, tmdb_double):
    session = make_session(status=Session.Status.COMPLETED)
    make_movie(session, "Heat", film=make_film(runtime=170))
    make_movie(session, "Obscure", match_status=MatchStatus.NOT_FOUND)

    html = page(client, session).content.decode()
    assert "<dt>Hours watched</dt><dd>3</dd>" in html
    assert "so far" not in html
    assert "1 film without a known runtime not counted" in html


def test_without_credentials_the_explorer_and_people_index_never_promise_what_will_not_come(client, settings):
    settings.TMDB_READ_TOKEN = settings.TMDB_API_KEY = ""
    session = make_session(status=Session.Status.COMPLETED)
    make_movie(session, "Heat", year=1995)  # pending for good: nothing will look it up

    films = page(client, session, "films/").content.decode()
    people = page(client, session, "people/director/").content.decode()

    assert "Pending" not in films and '<span class="status">' not in films
    assert 'name="identified"' not in films  # no film will ever be identified
    assert "TMDB users’ rating" not in films and "Longest first" not in films  # nor sorted by TMDB's figures
    assert enrichment.ENRICHMENT_OFF in people and "once your films are identified" not in people


def test_while_enriching_the_explorer_marks_films_not_yet_identified(client, tmdb_double):
    session = make_session(status=Session.Status.ENRICHING)
    make_movie(session, "Heat", year=1995)

    films = page(client, session, "films/").content.decode()
    assert '<span class="status">Pending</span>' in films
    assert 'name="identified"' in films and "TMDB users’ rating" in films
