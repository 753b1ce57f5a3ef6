"""Year in Review, its share links and share image, and comparing two uploads: the figures of a library the
test builds, every count followed to the explorer, and what a share link must never give away."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils.text import slugify
from PIL import Image

from sessions_app.models import Session, ShareLink
from sessions_app.stats.review import year_review
from sessions_app.tests.factories import make_film, make_movie, make_session, make_viewing
from sessions_app.tests.test_figures import count_links, explorer_count

pytestmark = pytest.mark.django_db
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def a_year_of_films(username: str = "cinephile") -> Session:
    """2024: Parasite twice, Dune: Part Two, Arrival, Challengers, four of them on Saturdays in March and May.
    Heat and Arrival's first viewing are 2023's."""
    session = make_session(username=username)
    parasite = make_film(
        "Parasite",
        genres=["Thriller", "Drama"],
        directors=["Bong Joon Ho"],
        cast=["Song Kang-ho"],
        countries=["KR"],
        runtime=132,
        poster_path="/parasite.jpg",
    )
    dune = make_film(
        "Dune: Part Two",
        genres=["Science Fiction"],
        directors=["Denis Villeneuve"],
        cast=["Timothée Chalamet", "Zendaya"],
        countries=["US"],
        runtime=166,
        poster_path="/dune.jpg",
    )
    arrival = make_film(
        "Arrival",
        genres=["Science Fiction", "Drama"],
        directors=["Denis Villeneuve"],
        cast=["Amy Adams"],
        countries=["US"],
        runtime=116,
        poster_path="/arrival.jpg",
    )
    challengers = make_film(
        "Challengers",
        genres=["Drama", "Romance"],
        directors=["Luca Guadagnino"],
        cast=["Zendaya"],
        countries=["US"],
        runtime=131,
        poster_path="/challengers.jpg",
    )
    heat = make_film(
        "Heat", genres=["Crime"], directors=["Michael Mann"], cast=["Al Pacino"], countries=["US"], runtime=170
    )
    for film in (parasite, dune, arrival, challengers, heat):
        with_photos(film)
    p = make_movie(
        session, "Parasite", year=2019, rating=5, liked=True, film=parasite, letterboxd_uri="https://boxd.it/parasite"
    )
    make_viewing(p, date(2024, 3, 2), rating=5)
    make_viewing(p, date(2024, 3, 9), rating=5, rewatch=True)
    d = make_movie(session, "Dune: Part Two", year=2024, rating=4, film=dune)
    make_viewing(d, date(2024, 3, 16), rating=4, review="Spice.")
    a = make_movie(session, "Arrival", year=2016, rating=4.5, film=arrival)
    make_viewing(a, date(2023, 12, 30))
    make_viewing(a, date(2024, 3, 20), rating=4.5)
    c = make_movie(session, "Challengers", year=2024, rating=4.5, film=challengers)
    make_viewing(c, date(2024, 5, 4))
    h = make_movie(session, "Heat", year=1995, rating=3, film=heat)
    make_viewing(h, date(2023, 6, 1))
    cache.clear()
    return session


def with_photos(film) -> None:
    """Each credit with a TMDB photo path, as TMDB gives most people (the double draws one for any path)."""
    for credits in (film.directors, film.cast):
        for credit in credits:
            credit["profile_path"] = f"/{slugify(credit['id'])}.jpg"
    film.save(update_fields=["directors", "cast"])


def titles(refs) -> list[str]:
    return [ref.title for ref in refs]


def test_a_year_in_review_tells_the_years_figures_films_people_and_habits(tmdb_double):
    review = year_review(a_year_of_films(), 2024)

    o = review.dashboard.overview
    assert (o.films, o.entries, o.hours, o.reviewed, o.liked) == (4, 5, 11, 1, 1)  # 677 minutes
    assert titles(review.top_films) == ["Parasite", "Arrival", "Challengers", "Dune: Part Two"]
    assert [f.poster for f in review.top_films] == ["/parasite.jpg", "/arrival.jpg", "/challengers.jpg", "/dune.jpg"]
    assert [p.profile_path for p in review.directors] == [
        "/denis-villeneuve.jpg",
        "/bong-joon-ho.jpg",
        "/luca-guadagnino.jpg",
    ]
    assert titles(review.new_releases) == ["Challengers", "Dune: Part Two"]
    assert titles(review.older) == ["Parasite", "Arrival"]
    assert [(p.group.name, p.group.films) for p in review.directors] == [
        ("Denis Villeneuve", 2),
        ("Bong Joon Ho", 1),
        ("Luca Guadagnino", 1),
    ]
    assert [(p.group.name, p.group.films) for p in review.actors] == [
        ("Zendaya", 2),
        ("Song Kang-ho", 1),
        ("Amy Adams", 1),
        ("Timothée Chalamet", 1),
    ]
    assert [(g.name, g.films) for g in review.genres] == [
        ("Drama", 3),
        ("Science Fiction", 2),
        ("Thriller", 1),
        ("Romance", 1),
    ]
    assert [(g.name, g.films) for g in review.countries] == [("US", 3), ("KR", 1)]
    assert review.busiest_month == ("March 2024", 4)
    assert review.busiest_weekday == ("Saturday", 4)
    assert review.milestones == []  # the diary's first film was 2023's
    assert [(e.which, e.day, e.film.title) for e in review.year_ends] == [
        ("first", date(2024, 3, 2), "Parasite"),
        ("last", date(2024, 5, 4), "Challengers"),
    ]


def test_all_time_reviews_the_whole_library_with_the_dashboards_rankings(tmdb_double):
    review = year_review(a_year_of_films(), None)

    assert titles(review.top_films) == ["Parasite", "Arrival", "Challengers", "Dune: Part Two", "Heat"]
    assert (review.new_releases, review.older) == ([], [])
    assert [(g.name, g.films) for g in review.genres][:2] == [("Drama", 3), ("Science Fiction", 2)]
    assert [(m.number, m.day, m.film.title) for m in review.milestones] == [(1, date(2023, 6, 1), "Heat")]


def test_every_count_on_the_review_pages_is_the_number_of_films_its_link_lists(client, tmdb_double):
    session = a_year_of_films()
    base = f"/s/{session.public_id}/"
    checked = 0
    for page in (f"{base}review/", f"{base}review/2024/"):
        links = count_links(client, page)
        assert len(links) >= 12, page
        for href, figure in links:
            assert explorer_count(client, href) == figure, f"{page}: {href} shows {figure}"
            checked += 1
    assert checked >= 24


def test_a_year_outside_any_diary_is_not_found(client):
    session = a_year_of_films()
    assert client.get(f"/s/{session.public_id}/review/1066/").status_code == 404


def share(client: Client, session: Session) -> ShareLink:
    response = client.post(f"/s/{session.public_id}/share/", {"year": "2024"})
    assert response.status_code == 302
    assert response["Location"] == f"/s/{session.public_id}/review/2024/#share"
    return ShareLink.objects.get(session=session)


def test_making_and_revoking_a_share_link_need_the_csrf_token(tmdb_double):
    session = a_year_of_films()
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/s/{session.public_id}/share/").status_code == 403
    page = strict.get(f"/s/{session.public_id}/review/")
    token = page.cookies["csrftoken"].value
    response = strict.post(f"/s/{session.public_id}/share/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    link = ShareLink.objects.get(session=session)
    assert strict.post(f"/s/{session.public_id}/share/{link.token}/revoke/").status_code == 403
    link.refresh_from_db()
    assert link.revoked_at is None


def test_the_share_page_shows_the_summary_with_open_graph_tags_and_nothing_private(client, tmdb_double):
    session = a_year_of_films()
    link = share(client, session)
    assert len(link.token) >= 32

    html = client.get(f"/share/{link.token}/2024/").content.decode()

    assert f'<meta property="og:image" content="http://testserver/share/{link.token}/2024/card.png">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert '<meta property="og:title" content="cinephile’s 2024 on Letterboxd">' in html
    assert "Denis Villeneuve" in html and "Parasite" in html
    assert '<span class="big">First</span> film of 2024: Parasite (2019), 2 March 2024' in html
    assert '<span class="big">Last</span> film of 2024: Challengers (2024), 4 May 2024' in html
    for private in (str(session.public_id), session.public_id.hex, "/s/", "/films/", "/people/"):
        assert private not in html


def test_a_share_page_without_a_username_names_nobody(client, tmdb_double):
    link = share(client, a_year_of_films(username=""))
    html = client.get(f"/share/{link.token}/").content.decode()
    assert '<meta property="og:title" content="Someone’s film life on Letterboxd">' in html


@pytest.mark.parametrize("year", [None, 2024])
def test_the_share_image_is_a_1200_by_630_png_holding_no_private_address(client, tmdb_double, year):
    session = a_year_of_films()
    link = share(client, session)

    response = client.get(f"/share/{link.token}/{year}/card.png" if year else f"/share/{link.token}/card.png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    png = response.content
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    assert (image.format, image.size) == ("PNG", (1200, 630))
    assert image.info == {}  # no text chunk, no metadata at all
    for private in (str(session.public_id), session.public_id.hex, session.public_id.bytes):
        assert (private.encode() if isinstance(private, str) else private) not in png


def test_a_share_link_read_again_costs_a_few_queries_not_the_libraries_rows(
    client, tmdb_double, django_assert_max_num_queries
):
    link = share(client, a_year_of_films())
    for url in (f"/share/{link.token}/2024/", f"/share/{link.token}/2024/card.png"):
        assert client.get(url).status_code == 200
        with django_assert_max_num_queries(3):  # the link with its session, and the data version
            assert client.get(url).status_code == 200


def test_a_revoked_share_link_answers_404_for_its_page_and_its_image(client, tmdb_double):
    session = a_year_of_films()
    link = share(client, session)
    assert client.get(f"/share/{link.token}/").status_code == 200

    response = client.post(f"/s/{session.public_id}/share/{link.token}/revoke/")

    assert response.status_code == 302
    for url in (f"/share/{link.token}/", f"/share/{link.token}/2024/", f"/share/{link.token}/card.png"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/s/{session.public_id}/review/").content.decode().count(link.token) == 0


def test_only_the_sessions_owner_can_revoke_its_link(client, tmdb_double):
    link = share(client, a_year_of_films())
    other = make_session()
    assert client.post(f"/s/{other.public_id}/share/{link.token}/revoke/").status_code == 404
    assert client.get(f"/share/{link.token}/").status_code == 200


def test_share_links_are_throttled_like_other_writes(client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "shares": "2/hour"}
    session = a_year_of_films()
    statuses = [client.post(f"/s/{session.public_id}/share/").status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert ShareLink.objects.filter(session=session).count() == 2


def a_friend() -> Session:
    """Rates Parasite 4.5 and Heat 5 (same TMDB films), Arrival by its Letterboxd URI only; loves Fargo."""
    friend = make_session(username="pal")
    from enrichment.models import Film

    parasite, heat = Film.objects.get(title="Parasite"), Film.objects.get(title="Heat")
    make_movie(friend, "Parasite", year=2019, rating=4.5, film=parasite)
    make_movie(friend, "Heat", year=1995, rating=5, film=heat)
    make_movie(friend, "Fargo", year=1996, rating=5, letterboxd_uri="https://boxd.it/fargo")
    return friend


def test_comparing_with_a_friends_address_shows_every_figure_and_both_favourites(client, tmdb_double):
    me = a_year_of_films()
    friend = a_friend()

    response = client.get(f"/s/{me.public_id}/compare/", {"with": f"http://testserver/s/{friend.public_id}/"})

    html = response.content.decode()
    assert response.status_code == 200
    # Parasite 5 vs 4.5 and Heat 3 vs 5: average gap 1.25; 100 × (1 − 1.25 ÷ 4.5) = 72
    assert "<dt>Compatibility</dt><dd>72<small>/100</small></dd>" in html
    assert "<dt>Films in common</dt><dd>2</dd>" in html
    assert "<dt>Rated by both</dt><dd>2</dd>" in html
    assert "<dt>Rating correlation</dt><dd>-1.00</dd>" in html
    assert "Biggest disagreements" in html and "Fargo" in html


def test_comparing_through_a_share_link_shows_no_rating_of_theirs(client, tmdb_double):
    me = a_year_of_films()
    friend = make_session(username="pal")
    for movie in me.movies.all():  # every film of mine, all rated 4: gaps 1, 0, ½, ½ and 1 star
        make_movie(friend, movie.title, year=movie.year, rating=4, film=movie.film)
    make_movie(friend, "Fargo", year=1996, rating=5)
    link = ShareLink.objects.create(session=friend)

    html = client.get(
        f"/s/{me.public_id}/compare/", {"with": f"https://example.org/share/{link.token}/"}
    ).content.decode()

    assert "<dt>Compatibility</dt><dd>87<small>/100</small></dd>" in html  # 100 × (1 − 0.6 ÷ 4.5)
    assert "<dt>Rating correlation</dt><dd>–</dd>" in html  # their ratings never vary
    assert "Biggest disagreements" not in html
    assert "Fargo" not in html  # their favourite, which their summary does not show
    assert str(friend.public_id) not in html


def test_through_a_share_link_too_few_films_rated_by_both_give_no_figure(client, tmdb_double):
    me = a_year_of_films()
    link = ShareLink.objects.create(session=a_friend())

    html = client.get(f"/s/{me.public_id}/compare/", {"with": f"/share/{link.token}/"}).content.decode()

    assert "<dt>Rated by both</dt><dd>2</dd>" in html
    assert "<dt>Compatibility</dt><dd>–</dd>" in html
    assert "<dt>Rating correlation</dt><dd>–</dd>" in html
    assert "the figures need 5 films you both rated" in html


@pytest.mark.parametrize(
    "link",
    ["", "https://letterboxd.com/pal/", "/s/00000000-0000-0000-0000-000000000000/", "/share/revoked-token-abcdefgh/"],
)
def test_a_link_that_leads_to_no_upload_is_refused_in_words(client, link):
    me = a_year_of_films()
    revoked = ShareLink.objects.create(session=a_friend(), token="revoked-token-abcdefgh")
    revoked.revoked_at = revoked.created_at
    revoked.save()

    response = client.get(f"/s/{me.public_id}/compare/", {"with": link})

    assert response.status_code == 400
    assert 'class="error" role="alert"' in response.content.decode()


def test_comparing_with_yourself_is_refused(client):
    me = a_year_of_films()
    response = client.get(f"/s/{me.public_id}/compare/", {"with": f"/s/{me.public_id}/"})
    assert response.status_code == 400


def test_head_answers_the_review_share_and_comparison_pages_like_get(client, tmdb_double):
    me = a_year_of_films()
    friend = a_friend()
    link = share(client, me)
    for url in (
        f"/s/{me.public_id}/review/",
        f"/s/{me.public_id}/review/2024/",
        f"/s/{me.public_id}/compare/?with=/s/{friend.public_id}/",
        f"/share/{link.token}/",
        f"/share/{link.token}/2024/card.png",
    ):
        got, head = client.get(url), client.head(url)
        assert (head.status_code, got.status_code) == (200, 200), url
        assert head["Content-Type"] == got["Content-Type"] and head.content == b"", url
