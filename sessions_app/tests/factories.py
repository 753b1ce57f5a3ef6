"""Plain helpers that create rows directly, for tests of any app: no parsing, no enrichment."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from enrichment.matching import MatchStatus
from enrichment.models import DirectedBy, Film, FilmFacet, details_facets
from sessions_app.models import Movie, Session, Viewing

_tmdb_ids = itertools.count(100_000)


def make_session(**fields) -> Session:
    fields.setdefault("status", Session.Status.COMPLETED)
    return Session.objects.create(**fields)


def make_film(
    title: str = "A Film",
    *,
    genres: Sequence[str] = (),
    directors: Sequence[str] = (),
    cast: Sequence[str] = (),
    countries: Sequence[str] = (),
    languages: Sequence[str] = (),
    crew: Sequence[tuple[str, str]] = (),
    genders: dict[str, int] | None = None,
    studios: Sequence[str] = (),
    keywords: Sequence[str] = (),
    collection: tuple[int, str] | None = None,
    **fields,
) -> Film:
    """A TMDB film with its display lists and the FilmFacet rows derived from them, as enrichment stores them
    (keys are the names; a name listed twice in the cast is one actor billed twice). `crew` is (name, TMDB job),
    `genders` TMDB's gender by name (0, unknown, for anyone else), `collection` (TMDB id, name)."""
    fields.setdefault("tmdb_id", next(_tmdb_ids))
    gender = (genders or {}).get
    details = {
        "credits": {
            "crew": [{"id": name[:32], "name": name, "job": job, "gender": gender(name, 0)} for name, job in crew]
        },
        "production_companies": [{"id": name[:32], "name": name} for name in studios],
        "keywords": {"keywords": [{"id": name[:32], "name": name} for name in keywords]},
        "belongs_to_collection": {"id": collection[0], "name": collection[1]} if collection else None,
    }
    people = [{"id": name[:32], "name": name, "gender": gender(name, 0)} for name in directors]
    film = Film.objects.create(
        title=title,
        genres=list(genres),
        directors=people,
        directed_by=DirectedBy.of(people),
        cast=[{"id": name[:32], "name": name, "character": ""} for name in cast],
        production_countries=[{"code": code, "name": code} for code in countries],
        spoken_languages=[{"code": code, "name": code} for code in languages],
        **fields,
    )
    FilmFacet.objects.bulk_create(
        film.build_facets([{"id": name[:32], "name": name} for name in genres], details_facets(details))
    )
    film.save(update_fields=["facet_kinds"])
    return film


def make_movie(session: Session, title: str = "A Film", **fields) -> Movie:
    """A film of the session; watched by default, rating accepts "4.5" or 4.5; film= sets it matched."""
    fields.setdefault("watched", True)
    fields.setdefault("viewing_count", 1 if fields["watched"] else 0)  # as the import counts a watched-only film
    if fields.get("rating") is not None:
        fields["rating"] = Decimal(str(fields["rating"]))
    if fields.get("film") is not None:
        fields.setdefault("match_status", MatchStatus.MATCHED)
    movie = Movie.objects.create(session=session, title=title, **fields)
    Session.tally(session.pk, {movie.match_status: 1})  # as the import counts its films
    return movie


def make_viewing(movie: Movie, watched_date: date | None, **fields) -> Viewing:
    """A diary entry; keeps the movie's viewing/rewatch counts and first/last dates in step, as the import does."""
    if fields.get("rating") is not None:
        fields["rating"] = Decimal(str(fields["rating"]))
    fields.setdefault("logged_date", watched_date)
    viewing = Viewing.objects.create(session=movie.session, movie=movie, watched_date=watched_date, **fields)
    dates = [d for d in movie.viewings.values_list("watched_date", flat=True) if d]
    movie.viewing_count = movie.viewings.count()
    movie.rewatch_count = movie.viewings.filter(rewatch=True).count()
    movie.first_watched, movie.last_watched = (min(dates), max(dates)) if dates else (None, None)
    movie.watched = True
    movie.save(update_fields=["viewing_count", "rewatch_count", "first_watched", "last_watched", "watched"])
    return viewing
