"""The films and series the TMDB test double knows, and the matching hard cases they encode.

Real films keep their real TMDB ids where known; ids from 9,000,000 up are the double's own
inventions (shorts, namesakes, decoys) and exist nowhere else. Person ids are
derived from the name, so one person keeps one id across films.

`HARD_CASES` is the contract for the matching code: for a Letterboxd (Name, Year), what a careful
human would conclude from this catalogue. It never accepts a wrong film: when a person would have
to choose, the expectation is "ambiguous".
"""

from __future__ import annotations

import random
import re
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

SYNTHETIC_IDS_FROM = 5_000_000

MOVIE_GENRES = {
    28: "Action",
    12: "Adventure",
    16: "Animation",
    35: "Comedy",
    80: "Crime",
    99: "Documentary",
    18: "Drama",
    10751: "Family",
    14: "Fantasy",
    36: "History",
    27: "Horror",
    10402: "Music",
    9648: "Mystery",
    10749: "Romance",
    878: "Science Fiction",
    10770: "TV Movie",
    53: "Thriller",
    10752: "War",
    37: "Western",
}
TV_GENRES = {
    10759: "Action & Adventure",
    16: "Animation",
    35: "Comedy",
    80: "Crime",
    99: "Documentary",
    18: "Drama",
    9648: "Mystery",
    10765: "Sci-Fi & Fantasy",
    10768: "War & Politics",
}
COUNTRIES = {
    "US": "United States of America",
    "GB": "United Kingdom",
    "FR": "France",
    "KR": "South Korea",
    "IT": "Italy",
    "LV": "Latvia",
    "BE": "Belgium",
    "JP": "Japan",
    "DE": "Germany",
    "CA": "Canada",
    "ES": "Spain",
    "HU": "Hungary",
    "PL": "Poland",
    "CH": "Switzerland",
    "UA": "Ukraine",
    "DK": "Denmark",
    "MX": "Mexico",
    "SE": "Sweden",
}
# iso_639_1 -> (english_name, name in the language), as TMDB's spoken_languages carry both.
LANGUAGES = {
    "en": ("English", "English"),
    "fr": ("French", "Français"),
    "ko": ("Korean", "한국어/조선말"),
    "it": ("Italian", "Italiano"),
    "de": ("German", "Deutsch"),
    "ja": ("Japanese", "日本語"),
    "lv": ("Latvian", "Latviešu"),
    "es": ("Spanish", "Español"),
    "hu": ("Hungarian", "Magyar"),
    "pl": ("Polish", "Polski"),
    "uk": ("Ukrainian", "Український"),
    "ru": ("Russian", "Pусский"),
    "xx": ("No Language", "No Language"),
    "da": ("Danish", "Dansk"),
    "sv": ("Swedish", "svenska"),
}
DEPARTMENTS = {
    "Director": "Directing",
    "Screenplay": "Writing",
    "Writer": "Writing",
    "Novel": "Writing",
    "Producer": "Production",
    "Director of Photography": "Camera",
    "Original Music Composer": "Sound",
    "Editor": "Editing",
}


def person_id(name: str) -> int:
    return 1_000_000 + zlib.crc32(name.encode()) % 3_000_000


def keyword_id(name: str) -> int:
    return 100_000 + zlib.crc32(f"keyword|{name}".encode()) % 300_000


def company_id(name: str) -> int:
    return 200_000 + zlib.crc32(f"company|{name}".encode()) % 300_000


# TMDB's gender per person (1 female, 2 male, 3 non-binary); anyone else answers 0, "not set", as TMDB does
# for many crew members.
GENDERS: dict[str, int] = {
    **dict.fromkeys(
        (
            "Chloé Zhao",
            "Céline Sciamma",
            "Imogen Hale",
            "Marta Wiśniewska",
            "Daria Nicolodi",
            "Helena Bonham Carter",
            "Carrie-Anne Moss",
            "Jessica Harper",
            "Dakota Johnson",
            "Tilda Swinton",
            "Anya Taylor-Joy",
            "Frances McDormand",
            "Noémie Merlant",
            "Michelle Yeoh",
        ),
        1,
    ),
    **dict.fromkeys(
        (
            "David Fincher",
            "Christopher Nolan",
            "Dario Argento",
            "Luca Guadagnino",
            "Gints Zilbalodis",
            "Barry Jenkins",
            "Robert Eggers",
            "Denis Villeneuve",
            "Alfonso Cuarón",
            "Bong Joon-ho",
            "Jean-Pierre Jeunet",
            "Hayao Miyazaki",
            "Andrew Stanton",
            "Luc Besson",
            "Steven Spielberg",
            "Christopher McQuarrie",
            "Krzysztof Kieślowski",
            "Daniel Kwan",
            "Daniel Scheinert",
            "David Cronenberg",
            "Paul Haggis",
            "Chris Wedge",
            "Jean-Jacques Annaud",
            "Edward Norton",
            "Brad Pitt",
            "Guy Pearce",
            "Craig Mazin",
            "Johan Renck",
            "David Benioff",
            "D.B. Weiss",
            "Tim Miller",
        ),
        2,
    ),
}


def gender_of(name: str) -> int:
    return GENDERS.get(name, 0)


def _credit_id(*parts: object) -> str:
    return format(zlib.crc32("|".join(map(str, parts)).encode()), "08x") * 3


def _image_path(*parts: object) -> str:
    return f"/{_credit_id('image', *parts)[:27]}.jpg"


def _cast_json(owner: int, cast: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    return [
        {
            "adult": False,
            "gender": gender_of(name),
            "id": person_id(name),
            "known_for_department": "Acting",
            "name": name,
            "original_name": name,
            "popularity": 1.5,
            "profile_path": _image_path(name),
            "cast_id": order + 1,
            "character": character,
            "credit_id": _credit_id(owner, name, character),
            "order": order,
        }
        for order, (name, character) in enumerate(cast)
    ]


def _crew_json(owner: int, crew: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    return [
        {
            "adult": False,
            "gender": gender_of(name),
            "id": person_id(name),
            "known_for_department": DEPARTMENTS[job],
            "name": name,
            "original_name": name,
            "popularity": 1.0,
            "profile_path": _image_path(name),
            "credit_id": _credit_id(owner, name, job),
            "department": DEPARTMENTS[job],
            "job": job,
        }
        for name, job in crew
    ]


def _languages_json(codes: Iterable[str]) -> list[dict[str, str]]:
    return [{"english_name": LANGUAGES[c][0], "iso_639_1": c, "name": LANGUAGES[c][1]} for c in codes]


def _countries_json(codes: Iterable[str]) -> list[dict[str, str]]:
    return [{"iso_3166_1": c, "name": COUNTRIES[c]} for c in codes]


def _companies_json(names: Iterable[str], countries: tuple[str, ...]) -> list[dict[str, Any]]:
    # TMDB has no logo for many small companies: every third one here has none either
    return [
        {
            "id": company_id(name),
            "logo_path": _image_path("logo", name) if company_id(name) % 3 else None,
            "name": name,
            "origin_country": countries[0] if countries else "",
        }
        for name in names
    ]


def _keywords_json(names: Iterable[str]) -> list[dict[str, Any]]:
    return [{"id": keyword_id(name), "name": name} for name in names]


@dataclass(frozen=True)
class CatalogueCollection:
    """A TMDB collection (franchise): its parts are movie search items, released or announced."""

    id: int
    name: str
    parts: tuple[tuple[int, str, str], ...]  # (tmdb id, title, release date or "")

    def reference(self) -> dict[str, Any]:
        """As a film's details name it under `belongs_to_collection`."""
        return {
            "id": self.id,
            "name": self.name,
            "poster_path": _image_path("collection", self.id),
            "backdrop_path": _image_path("collection-backdrop", self.id),
        }

    def details(self) -> dict[str, Any]:
        return self.reference() | {
            "overview": "",
            "parts": [
                {
                    "adult": False,
                    "backdrop_path": _image_path("backdrop", tmdb_id),
                    "id": tmdb_id,
                    "media_type": "movie",
                    "original_language": "en",
                    "original_title": title,
                    "overview": "",
                    "popularity": 1.0,
                    "poster_path": _image_path("poster", tmdb_id),
                    "release_date": released,
                    "title": title,
                    "video": False,
                    "vote_average": 0.0,
                    "vote_count": 0,
                }
                for tmdb_id, title, released in self.parts
            ],
        }


def words(text: str) -> frozenset[str]:
    """Search words roughly as TMDB's index sees them: accents, case, apostrophes and punctuation ignored."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"['\u2018\u2019\u02bc`´]", "", text.casefold().replace("&", " and "))
    return frozenset(re.findall(r"\w+", text))


@dataclass(frozen=True)
class CatalogueMovie:
    id: int
    title: str
    release_date: str  # the primary release, what `primary_release_year` filters on; "" when unknown
    original_title: str = ""
    original_language: str = "en"
    other_release_dates: tuple[str, ...] = ()  # festivals, re-releases: visible to `year=` only
    alternative_titles: tuple[str, ...] = ()
    popularity: float = 1.0
    vote_count: int = 0
    vote_average: float = 0.0
    runtime: int = 0
    budget: int = 0
    revenue: int = 0
    genre_ids: tuple[int, ...] = ()
    countries: tuple[str, ...] = ("US",)
    languages: tuple[str, ...] = ("en",)
    crew: tuple[tuple[str, str], ...] = ()  # (name, job)
    cast: tuple[tuple[str, str], ...] = ()  # (name, character), billing order
    imdb_id: str = ""
    adult: bool = False
    overview: str = ""
    keywords: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()  # production companies
    collection: CatalogueCollection | None = None

    media_type: Literal["movie"] = field(default="movie", init=False)

    @property
    def years(self) -> frozenset[int]:
        return frozenset(int(d[:4]) for d in (self.release_date, *self.other_release_dates) if d)

    @property
    def primary_year(self) -> int | None:
        return int(self.release_date[:4]) if self.release_date else None

    @property
    def searchable_titles(self) -> tuple[str, ...]:
        return (self.title, self.original_title or self.title, *self.alternative_titles)

    def search_item(self) -> dict[str, Any]:
        return {
            "adult": self.adult,
            "backdrop_path": _image_path("backdrop", self.id),
            "genre_ids": list(self.genre_ids),
            "id": self.id,
            "original_language": self.original_language,
            "original_title": self.original_title or self.title,
            "overview": self.overview,
            "popularity": self.popularity,
            "poster_path": _image_path("poster", self.id),
            "release_date": self.release_date,
            "title": self.title,
            "video": False,
            "vote_average": self.vote_average,
            "vote_count": self.vote_count,
        }

    def details(self) -> dict[str, Any]:
        item = self.search_item()
        del item["genre_ids"]
        return item | {
            "belongs_to_collection": self.collection.reference() if self.collection else None,
            "budget": self.budget,
            "genres": [{"id": g, "name": MOVIE_GENRES[g]} for g in self.genre_ids],
            "homepage": "",
            "imdb_id": self.imdb_id or None,
            "origin_country": list(self.countries[:1]),
            "production_companies": _companies_json(self.companies, self.countries),
            "production_countries": _countries_json(self.countries),
            "revenue": self.revenue,
            "runtime": self.runtime,
            "spoken_languages": _languages_json(self.languages),
            "status": "Released",
            "tagline": "",
            "credits": {"cast": _cast_json(self.id, self.cast), "crew": _crew_json(self.id, self.crew)},
            "keywords": {"keywords": _keywords_json(self.keywords)},
        }


@dataclass(frozen=True)
class CatalogueSeries:
    id: int
    name: str
    first_air_date: str
    last_air_date: str
    type: str  # "Scripted", "Miniseries", ...
    number_of_seasons: int
    number_of_episodes: int
    original_name: str = ""
    original_language: str = "en"
    episode_run_time: tuple[int, ...] = ()  # TMDB often leaves it empty
    popularity: float = 1.0
    vote_count: int = 0
    vote_average: float = 0.0
    genre_ids: tuple[int, ...] = ()
    countries: tuple[str, ...] = ("US",)
    languages: tuple[str, ...] = ("en",)
    created_by: tuple[str, ...] = ()
    crew: tuple[tuple[str, str], ...] = ()
    cast: tuple[tuple[str, str], ...] = ()
    overview: str = ""
    keywords: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()

    media_type: Literal["tv"] = field(default="tv", init=False)

    @property
    def searchable_titles(self) -> tuple[str, ...]:
        return (self.name, self.original_name or self.name)

    @property
    def first_air_year(self) -> int:
        return int(self.first_air_date[:4])

    def search_item(self) -> dict[str, Any]:
        return {
            "adult": False,
            "backdrop_path": _image_path("backdrop", "tv", self.id),
            "genre_ids": list(self.genre_ids),
            "id": self.id,
            "origin_country": list(self.countries[:1]),
            "original_language": self.original_language,
            "original_name": self.original_name or self.name,
            "overview": self.overview,
            "popularity": self.popularity,
            "poster_path": _image_path("poster", "tv", self.id),
            "first_air_date": self.first_air_date,
            "name": self.name,
            "vote_average": self.vote_average,
            "vote_count": self.vote_count,
        }

    def details(self) -> dict[str, Any]:
        item = self.search_item()
        del item["genre_ids"]
        return item | {
            "created_by": [
                {
                    "id": person_id(n),
                    "credit_id": _credit_id(self.id, n, "creator"),
                    "name": n,
                    "gender": gender_of(n),
                    "profile_path": _image_path(n),
                }
                for n in self.created_by
            ],
            "episode_run_time": list(self.episode_run_time),
            "genres": [{"id": g, "name": TV_GENRES[g]} for g in self.genre_ids],
            "homepage": "",
            "in_production": False,
            "languages": list(self.languages),
            "last_air_date": self.last_air_date,
            "networks": [],
            "number_of_episodes": self.number_of_episodes,
            "number_of_seasons": self.number_of_seasons,
            "production_companies": _companies_json(self.companies, self.countries),
            "production_countries": _countries_json(self.countries),
            "spoken_languages": _languages_json(self.languages),
            "status": "Ended",
            "tagline": "",
            "type": self.type,
            "credits": {"cast": _cast_json(self.id, self.cast), "crew": _crew_json(self.id, self.crew)},
            # series name their keywords "results", films "keywords"
            "keywords": {"results": _keywords_json(self.keywords)},
        }


class Catalogue:
    """Films and series with a word index, searched the way TMDB roughly does."""

    def __init__(self, movies: Iterable[CatalogueMovie] = (), series: Iterable[CatalogueSeries] = ()) -> None:
        self.movies = {m.id: m for m in movies}
        self.series = {s.id: s for s in series}
        # the collections its films belong to, answered at /collection/{id}
        self.collections = {m.collection.id: m.collection for m in self.movies.values() if m.collection}
        self._movie_index = self._index(self.movies.values())
        self._series_index = self._index(self.series.values())

    def __add__(self, other: Catalogue) -> Catalogue:
        return Catalogue(
            [*self.movies.values(), *other.movies.values()], [*self.series.values(), *other.series.values()]
        )

    @staticmethod
    def _index(entries: Iterable[CatalogueMovie | CatalogueSeries]) -> dict[str, set[int]]:
        index: dict[str, set[int]] = {}
        for entry in entries:
            for title in entry.searchable_titles:
                for word in words(title):
                    index.setdefault(word, set()).add(entry.id)
        return index

    @staticmethod
    def _title_hits(index: dict[str, set[int]], entries: dict[int, Any], query: str) -> list[Any]:
        """Entries with every query word in one of their titles, by popularity (TMDB's relevance leans on it)."""
        query_words = words(query)
        if not query_words:
            return []
        hits: set[int] = set.intersection(*(index.get(w, set()) for w in query_words))
        # the index merges an entry's titles: keep it only if one single title holds all the words
        found = [entries[i] for i in hits if any(query_words <= words(t) for t in entries[i].searchable_titles)]
        return sorted(found, key=lambda e: (-e.popularity, e.id))

    def search_movies(
        self,
        query: str,
        *,
        year: int | None = None,
        primary_release_year: int | None = None,
        include_adult: bool = False,
    ) -> list[CatalogueMovie]:
        return [
            m
            for m in self._title_hits(self._movie_index, self.movies, query)
            if (include_adult or not m.adult)
            and (year is None or year in m.years)
            and (primary_release_year is None or m.primary_year == primary_release_year)
        ]

    def search_series(self, query: str, *, first_air_date_year: int | None = None) -> list[CatalogueSeries]:
        return [
            s
            for s in self._title_hits(self._series_index, self.series, query)
            if first_air_date_year is None or s.first_air_year == first_air_date_year
        ]


def _m(tmdb_id: int, title: str, release_date: str, **fields: Any) -> CatalogueMovie:
    for key in (
        "other_release_dates",
        "alternative_titles",
        "genre_ids",
        "countries",
        "languages",
        "crew",
        "cast",
        "keywords",
        "companies",
    ):
        if key in fields:
            fields[key] = tuple(fields[key])
    return CatalogueMovie(id=tmdb_id, title=title, release_date=release_date, **fields)


BUILTIN_MOVIES: tuple[CatalogueMovie, ...] = (
    _m(
        550,
        "Fight Club",
        "1999-10-15",
        popularity=61.4,
        vote_count=29800,
        vote_average=8.4,
        runtime=139,
        budget=63000000,
        revenue=100853753,
        genre_ids=[18],
        imdb_id="tt0137523",
        alternative_titles=["El club de la lucha", "Clube da Luta", "Podziemny krąg"],
        crew=[("David Fincher", "Director"), ("Jim Uhls", "Screenplay"), ("Chuck Palahniuk", "Novel")],
        cast=[("Edward Norton", "Narrator"), ("Brad Pitt", "Tyler Durden"), ("Helena Bonham Carter", "Marla Singer")],
    ),
    _m(
        77,
        "Memento",
        "2000-10-11",
        popularity=38.33,
        vote_count=14735,
        vote_average=8.2,
        runtime=113,
        budget=9000000,
        revenue=40047236,
        genre_ids=[9648, 53],
        imdb_id="tt0209144",
        crew=[("Christopher Nolan", "Director"), ("Christopher Nolan", "Screenplay")],
        cast=[("Guy Pearce", "Leonard Shelby"), ("Carrie-Anne Moss", "Natalie"), ("Joe Pantoliano", "Teddy Gammell")],
    ),
    # Same-title remakes: only the year tells them apart.
    _m(
        11906,
        "Suspiria",
        "1977-02-01",
        original_language="it",
        popularity=22.1,
        vote_count=2900,
        vote_average=7.3,
        runtime=99,
        genre_ids=[27],
        countries=["IT"],
        languages=["it", "en"],
        imdb_id="tt0076786",
        crew=[("Dario Argento", "Director"), ("Dario Argento", "Screenplay"), ("Daria Nicolodi", "Screenplay")],
        cast=[("Jessica Harper", "Suzy Bannion"), ("Stefania Casini", "Sara"), ("Alida Valli", "Miss Tanner")],
    ),
    _m(
        361292,
        "Suspiria",
        "2018-10-26",
        other_release_dates=["2018-09-01"],
        popularity=18.6,
        vote_count=2700,
        vote_average=6.7,
        runtime=152,
        budget=20000000,
        revenue=7900000,
        genre_ids=[27, 9648],
        countries=["IT", "US"],
        languages=["en", "de", "fr"],
        imdb_id="tt1034415",
        crew=[("Luca Guadagnino", "Director"), ("David Kajganich", "Screenplay")],
        cast=[("Dakota Johnson", "Susie Bannion"), ("Tilda Swinton", "Madame Blanc"), ("Mia Goth", "Sara")],
    ),
    # Shorts with a feature's title and year: a handful of votes against thousands.
    _m(
        823219,
        "Flow",
        "2024-08-29",
        original_title="Straume",
        original_language="lv",
        other_release_dates=["2024-05-22"],
        alternative_titles=["Straume"],
        popularity=45.2,
        vote_count=1650,
        vote_average=8.2,
        runtime=85,
        budget=3700000,
        revenue=36000000,
        genre_ids=[16, 14, 12],
        countries=["LV", "FR", "BE"],
        languages=["xx"],
        imdb_id="tt4772188",
        crew=[("Gints Zilbalodis", "Director"), ("Gints Zilbalodis", "Screenplay"), ("Matīss Kaža", "Screenplay")],
    ),
    _m(
        9000001,
        "Flow",
        "2024-03-14",
        popularity=0.6,
        vote_count=3,
        vote_average=6.0,
        runtime=7,
        genre_ids=[99],
        countries=["GB"],
        crew=[("Imogen Hale", "Director")],
        cast=[("Rosa Pike", "Swimmer")],
    ),
    _m(
        376867,
        "Moonlight",
        "2016-10-21",
        other_release_dates=["2016-09-02"],
        popularity=25.7,
        vote_count=7400,
        vote_average=7.4,
        runtime=111,
        budget=4000000,
        revenue=65046687,
        genre_ids=[18],
        imdb_id="tt4975722",
        crew=[("Barry Jenkins", "Director"), ("Barry Jenkins", "Screenplay")],
        cast=[("Trevante Rhodes", "Chiron"), ("André Holland", "Kevin"), ("Mahershala Ali", "Juan")],
    ),
    _m(
        9000002,
        "Moonlight",
        "2016-05-05",
        popularity=0.4,
        vote_count=1,
        vote_average=7.0,
        runtime=14,
        genre_ids=[18],
        countries=["CA"],
        crew=[("Owen Marsh", "Director")],
        cast=[("Lena Ward", "June")],
    ),
    # Same-title, same-year namesakes with comparable followings: a person must choose.
    _m(
        310131,
        "The Witch",
        "2015-01-27",
        other_release_dates=["2016-02-19"],
        alternative_titles=["The VVitch: A New-England Folktale"],
        popularity=20.3,
        vote_count=7600,
        vote_average=6.7,
        runtime=92,
        budget=4000000,
        revenue=40400000,
        genre_ids=[27, 9648, 14],
        countries=["US", "CA"],
        imdb_id="tt4263482",
        crew=[("Robert Eggers", "Director"), ("Robert Eggers", "Writer")],
        cast=[("Anya Taylor-Joy", "Thomasin"), ("Ralph Ineson", "William"), ("Kate Dickie", "Katherine")],
    ),
    _m(
        9000003,
        "The Witch",
        "2015-10-08",
        original_title="A boszorkány",
        original_language="hu",
        popularity=14.9,
        vote_count=4100,
        vote_average=6.9,
        runtime=104,
        genre_ids=[18, 36],
        countries=["HU"],
        languages=["hu"],
        crew=[("Kornél Szabados", "Director")],
        cast=[("Dóra Veres", "Ilona"), ("Bence Kardos", "Mátyás")],
    ),
    _m(
        181886,
        "Enemy",
        "2013-09-08",
        other_release_dates=["2014-03-14"],
        popularity=19.8,
        vote_count=6500,
        vote_average=6.9,
        runtime=91,
        budget=15000000,
        revenue=3400000,
        genre_ids=[9648, 53],
        countries=["CA", "ES"],
        imdb_id="tt2316411",
        crew=[("Denis Villeneuve", "Director"), ("Javier Gullón", "Screenplay")],
        cast=[("Jake Gyllenhaal", "Adam / Anthony"), ("Mélanie Laurent", "Mary"), ("Sarah Gadon", "Helen")],
    ),
    _m(
        9000004,
        "Enemy",
        "2013-04-19",
        original_title="Wróg",
        original_language="pl",
        popularity=12.5,
        vote_count=2300,
        vote_average=6.5,
        runtime=118,
        genre_ids=[10752, 18],
        countries=["PL"],
        languages=["pl", "de"],
        crew=[("Marta Wiśniewska", "Director")],
        cast=[("Tomasz Lis", "Jan")],
    ),
    _m(
        853,
        "Enemy at the Gates",
        "2001-03-13",
        popularity=30.1,
        vote_count=4100,
        vote_average=7.2,
        runtime=131,
        genre_ids=[10752, 36],
        countries=["DE", "GB", "US"],
        imdb_id="tt0215750",
        crew=[("Jean-Jacques Annaud", "Director")],
        cast=[("Jude Law", "Vassili Zaitsev")],
    ),
    # Same title and year, but one is a real release and the other a stub almost nobody logged.
    _m(
        49047,
        "Gravity",
        "2013-10-03",
        other_release_dates=["2013-08-28"],
        popularity=33.0,
        vote_count=15000,
        vote_average=7.2,
        runtime=91,
        budget=105000000,
        revenue=723192705,
        genre_ids=[878, 53, 18],
        countries=["GB", "US"],
        imdb_id="tt1454468",
        crew=[("Alfonso Cuarón", "Director"), ("Alfonso Cuarón", "Screenplay"), ("Jonás Cuarón", "Screenplay")],
        cast=[("Sandra Bullock", "Ryan Stone"), ("George Clooney", "Matt Kowalski")],
    ),
    _m(
        9000005,
        "Gravity",
        "2013-06-01",
        popularity=0.8,
        vote_count=6,
        vote_average=4.5,
        runtime=84,
        genre_ids=[18],
        crew=[("Dale Whitcombe", "Director")],
        cast=[("Nina Kotler", "Alex")],
    ),
    # Letterboxd dates Nomadland by its 2020 Venice premiere, TMDB by its 2021 release.
    _m(
        581734,
        "Nomadland",
        "2021-02-19",
        other_release_dates=["2020-09-11", "2020-12-04"],
        popularity=15.2,
        vote_count=3900,
        vote_average=7.1,
        runtime=108,
        budget=5000000,
        revenue=39500000,
        genre_ids=[18],
        imdb_id="tt9770150",
        crew=[("Chloé Zhao", "Director"), ("Chloé Zhao", "Screenplay"), ("Chloé Zhao", "Editor")],
        cast=[("Frances McDormand", "Fern"), ("David Strathairn", "Dave")],
    ),
    # Original titles in another language or script.
    _m(
        496243,
        "Parasite",
        "2019-05-30",
        original_title="기생충",
        original_language="ko",
        popularity=70.2,
        vote_count=19000,
        vote_average=8.5,
        runtime=133,
        budget=11400000,
        revenue=257591776,
        genre_ids=[35, 53, 18],
        countries=["KR"],
        languages=["ko", "en"],
        imdb_id="tt6751668",
        crew=[("Bong Joon-ho", "Director"), ("Bong Joon-ho", "Screenplay"), ("Han Jin-won", "Screenplay")],
        cast=[("Song Kang-ho", "Kim Ki-taek"), ("Lee Sun-kyun", "Park Dong-ik"), ("Cho Yeo-jeong", "Choi Yeon-gyo")],
    ),
    _m(
        9000006,
        "Parasite",
        "1982-03-12",
        popularity=5.1,
        vote_count=140,
        vote_average=4.4,
        runtime=85,
        genre_ids=[27, 878],
        crew=[("Charles Band", "Director")],
        cast=[("Robert Glaudini", "Paul Dean")],
    ),
    _m(
        194,
        "Amélie",
        "2001-04-25",
        original_title="Le Fabuleux Destin d'Amélie Poulain",
        original_language="fr",
        popularity=29.3,
        vote_count=11500,
        vote_average=7.9,
        runtime=122,
        budget=10000000,
        revenue=174000000,
        genre_ids=[35, 10749],
        countries=["FR", "DE"],
        languages=["fr"],
        imdb_id="tt0211915",
        crew=[("Jean-Pierre Jeunet", "Director"), ("Guillaume Laurant", "Screenplay")],
        cast=[("Audrey Tautou", "Amélie Poulain"), ("Mathieu Kassovitz", "Nino Quincampoix")],
    ),
    _m(
        129,
        "Spirited Away",
        "2001-07-20",
        original_title="千と千尋の神隠し",
        original_language="ja",
        popularity=95.6,
        vote_count=17000,
        vote_average=8.5,
        runtime=125,
        budget=19000000,
        revenue=274925095,
        genre_ids=[16, 10751, 14],
        countries=["JP"],
        languages=["ja"],
        imdb_id="tt0245429",
        crew=[("Hayao Miyazaki", "Director"), ("Hayao Miyazaki", "Screenplay")],
        cast=[("Rumi Hiiragi", "Chihiro Ogino (voice)"), ("Miyu Irino", "Haku (voice)")],
    ),
    _m(
        531428,
        "Portrait of a Lady on Fire",
        "2019-09-18",
        other_release_dates=["2019-05-19"],
        original_title="Portrait de la jeune fille en feu",
        original_language="fr",
        popularity=18.4,
        vote_count=3300,
        vote_average=8.1,
        runtime=122,
        genre_ids=[18, 10749, 36],
        countries=["FR"],
        languages=["fr", "it"],
        imdb_id="tt8613070",
        crew=[("Céline Sciamma", "Director"), ("Céline Sciamma", "Screenplay")],
        cast=[("Noémie Merlant", "Marianne"), ("Adèle Haenel", "Héloïse")],
    ),
    # Typography: dots, accents, curly apostrophes, en dashes, British spellings in alternative titles.
    _m(
        10681,
        "WALL·E",
        "2008-06-22",
        popularity=70.9,
        vote_count=19000,
        vote_average=8.1,
        runtime=98,
        budget=180000000,
        revenue=521311860,
        genre_ids=[16, 10751, 878],
        imdb_id="tt0910970",
        alternative_titles=["WALL-E"],
        crew=[("Andrew Stanton", "Director"), ("Andrew Stanton", "Screenplay")],
        cast=[("Ben Burtt", "WALL·E / M-O (voice)"), ("Elissa Knight", "EVE (voice)")],
    ),
    _m(
        101,
        "Léon: The Professional",
        "1994-09-14",
        original_title="Léon",
        original_language="fr",
        popularity=46.5,
        vote_count=15000,
        vote_average=8.3,
        runtime=111,
        budget=16000000,
        revenue=45284974,
        genre_ids=[80, 18, 28],
        countries=["FR"],
        languages=["en", "it"],
        imdb_id="tt0110413",
        crew=[("Luc Besson", "Director"), ("Luc Besson", "Screenplay")],
        cast=[("Jean Reno", "Léon Montana"), ("Natalie Portman", "Mathilda"), ("Gary Oldman", "Norman Stansfield")],
    ),
    _m(
        424,
        "Schindler's List",
        "1993-12-15",
        popularity=48.1,
        vote_count=16500,
        vote_average=8.6,
        runtime=195,
        budget=22000000,
        revenue=321365567,
        genre_ids=[18, 36, 10752],
        languages=["en", "de", "pl"],
        imdb_id="tt0108052",
        crew=[("Steven Spielberg", "Director"), ("Steven Spielberg", "Producer"), ("Steven Zaillian", "Screenplay")],
        cast=[("Liam Neeson", "Oskar Schindler"), ("Ben Kingsley", "Itzhak Stern"), ("Ralph Fiennes", "Amon Goeth")],
    ),
    _m(
        575264,
        "Mission: Impossible - Dead Reckoning Part One",
        "2023-07-08",
        popularity=80.3,
        vote_count=4200,
        vote_average=7.5,
        runtime=164,
        budget=291000000,
        revenue=567535383,
        genre_ids=[28, 53],
        imdb_id="tt9603212",
        crew=[("Christopher McQuarrie", "Director"), ("Erik Jendresen", "Screenplay")],
        cast=[("Tom Cruise", "Ethan Hunt"), ("Hayley Atwell", "Grace"), ("Ving Rhames", "Luther Stickell")],
    ),
    _m(
        108,
        "Three Colors: Blue",
        "1993-09-08",
        original_title="Trois couleurs : Bleu",
        original_language="fr",
        alternative_titles=["Three Colours: Blue"],
        popularity=14.0,
        vote_count=2300,
        vote_average=7.8,
        runtime=98,
        genre_ids=[18],
        countries=["FR", "PL", "CH"],
        languages=["fr"],
        imdb_id="tt0108394",
        crew=[("Krzysztof Kieślowski", "Director"), ("Krzysztof Piesiewicz", "Screenplay")],
        cast=[("Juliette Binoche", "Julie Vignon"), ("Benoît Régent", "Olivier Benoit")],
    ),
    # Co-directors; one person holding two jobs.
    _m(
        545611,
        "Everything Everywhere All at Once",
        "2022-03-24",
        other_release_dates=["2022-03-11"],
        popularity=40.1,
        vote_count=6800,
        vote_average=7.8,
        runtime=140,
        budget=14300000,
        revenue=141200000,
        genre_ids=[28, 12, 878],
        imdb_id="tt6710474",
        crew=[
            ("Daniel Kwan", "Director"),
            ("Daniel Scheinert", "Director"),
            ("Daniel Kwan", "Screenplay"),
            ("Daniel Scheinert", "Screenplay"),
        ],
        cast=[("Michelle Yeoh", "Evelyn Wang"), ("Ke Huy Quan", "Waymond Wang"), ("Stephanie Hsu", "Joy Wang")],
    ),
    # Same title, different years, unrelated films.
    _m(
        884,
        "Crash",
        "1996-07-18",
        other_release_dates=["1996-05-17"],
        popularity=15.0,
        vote_count=1700,
        vote_average=6.2,
        runtime=100,
        genre_ids=[18, 53],
        countries=["CA", "GB"],
        imdb_id="tt0115964",
        crew=[("David Cronenberg", "Director"), ("David Cronenberg", "Screenplay")],
        cast=[("James Spader", "James Ballard"), ("Holly Hunter", "Helen Remington")],
    ),
    _m(
        1640,
        "Crash",
        "2004-09-10",
        popularity=17.0,
        vote_count=3900,
        vote_average=6.9,
        runtime=112,
        genre_ids=[18],
        imdb_id="tt0375679",
        crew=[("Paul Haggis", "Director"), ("Paul Haggis", "Screenplay")],
        cast=[("Sandra Bullock", "Jean Cabot"), ("Don Cheadle", "Graham Waters"), ("Matt Dillon", "Officer Ryan")],
    ),
    # Decoys for loose matchers: a film named like part of an episode or series title.
    _m(
        9928,
        "Robots",
        "2005-03-10",
        popularity=25.0,
        vote_count=5000,
        vote_average=6.4,
        runtime=91,
        genre_ids=[16, 10751],
        imdb_id="tt0358082",
        crew=[("Chris Wedge", "Director")],
        cast=[("Ewan McGregor", "Rodney Copperbottom (voice)")],
    ),
    _m(
        9000007,
        "Chernobyl Diaries",
        "2012-05-25",
        popularity=12.0,
        vote_count=2000,
        vote_average=5.0,
        runtime=86,
        genre_ids=[27],
        crew=[("Bradley Parker", "Director")],
        cast=[("Jesse McCartney", "Chris")],
    ),
    # A film TMDB knows without a release date (announced, never dated).
    _m(
        9000008,
        "The Unfinished Harbour",
        "",
        popularity=0.3,
        vote_count=0,
        runtime=0,
        crew=[("Pia Lund", "Director")],
        countries=["DK"],
        languages=["da"],
    ),
)

BUILTIN_SERIES: tuple[CatalogueSeries, ...] = (
    CatalogueSeries(
        id=1399,
        name="Game of Thrones",
        first_air_date="2011-04-17",
        last_air_date="2019-05-19",
        type="Scripted",
        number_of_seasons=8,
        number_of_episodes=73,
        popularity=639.9,
        vote_count=22527,
        vote_average=8.4,
        genre_ids=(10765, 18, 10759),
        countries=("US",),
        created_by=("David Benioff", "D.B. Weiss"),
        cast=(("Emilia Clarke", "Daenerys Targaryen"), ("Kit Harington", "Jon Snow")),
    ),
    CatalogueSeries(
        id=87108,
        name="Chernobyl",
        first_air_date="2019-05-06",
        last_air_date="2019-06-03",
        type="Miniseries",
        number_of_seasons=1,
        number_of_episodes=5,
        episode_run_time=(65,),
        popularity=60.0,
        vote_count=6200,
        vote_average=8.7,
        genre_ids=(18,),
        countries=("GB", "US"),
        created_by=("Craig Mazin",),
        crew=(("Johan Renck", "Director"), ("Craig Mazin", "Writer")),
        cast=(
            ("Jared Harris", "Valery Legasov"),
            ("Stellan Skarsgård", "Boris Shcherbina"),
            ("Emily Watson", "Ulana Khomyuk"),
        ),
    ),
    CatalogueSeries(
        id=86831,
        name="Love, Death & Robots",
        first_air_date="2019-03-15",
        last_air_date="2025-05-15",
        type="Scripted",
        number_of_seasons=4,
        number_of_episodes=45,
        popularity=45.0,
        vote_count=3000,
        vote_average=8.1,
        genre_ids=(16, 10765),
        created_by=("Tim Miller",),
        cast=(("Josh Brener", "K-VRC (voice)"),),
    ),
)


MISSION_IMPOSSIBLE = CatalogueCollection(
    87359,
    "Mission: Impossible Collection",
    (
        (954, "Mission: Impossible", "1996-05-22"),
        (955, "Mission: Impossible II", "2000-05-24"),
        (956, "Mission: Impossible III", "2006-05-03"),
        (56292, "Mission: Impossible - Ghost Protocol", "2011-12-07"),
        (177677, "Mission: Impossible - Rogue Nation", "2015-07-23"),
        (353081, "Mission: Impossible - Fallout", "2018-07-13"),
        (575264, "Mission: Impossible - Dead Reckoning Part One", "2023-07-08"),
        (575265, "Mission: Impossible - The Final Reckoning", "2025-05-17"),
    ),
)
# What TMDB's details add for the deeper statistics, by film: keywords, production companies, the collection.
BUILTIN_EXTRAS: dict[int, dict[str, Any]] = {
    550: {"keywords": ("dual identity", "nihilism", "based on novel or book"), "companies": ("Fox 2000 Pictures",)},
    77: {"keywords": ("amnesia", "nonlinear timeline"), "companies": ("Summit Entertainment", "Newmarket Films")},
    11906: {"keywords": ("witch", "ballet", "giallo"), "companies": ("Seda Spettacoli",)},
    361292: {"keywords": ("witch", "ballet", "remake"), "companies": ("Amazon Studios",)},
    823219: {"keywords": ("cat", "flood", "no dialogue")},
    376867: {"keywords": ("coming of age", "lgbt"), "companies": ("A24", "Plan B Entertainment")},
    310131: {"keywords": ("witch", "puritan", "folk horror"), "companies": ("A24",)},
    181886: {"keywords": ("doppelgänger", "based on novel or book")},
    49047: {"keywords": ("space", "survival"), "companies": ("Warner Bros. Pictures",)},
    581734: {"keywords": ("road movie", "nomad"), "companies": ("Searchlight Pictures",)},
    496243: {"keywords": ("class differences", "dark comedy"), "companies": ("Barunson E&A",)},
    129: {"keywords": ("spirit", "bathhouse"), "companies": ("Studio Ghibli",)},
    531428: {"keywords": ("painter", "lgbt"), "companies": ("Lilies Films",)},
    10681: {"keywords": ("robot", "space"), "companies": ("Pixar",)},
    575264: {"keywords": ("spy", "artificial intelligence"), "collection": MISSION_IMPOSSIBLE},
    545611: {"keywords": ("multiverse", "martial arts"), "companies": ("A24",)},
}
BUILTIN_SERIES_EXTRAS: dict[int, dict[str, Any]] = {
    87108: {"keywords": ("nuclear disaster", "miniseries"), "companies": ("HBO", "Sky")},
    1399: {"keywords": ("dragon", "based on novel or book"), "companies": ("HBO",)},
}


def builtin_catalogue() -> Catalogue:
    return Catalogue(
        [replace(m, **BUILTIN_EXTRAS.get(m.id, {})) for m in BUILTIN_MOVIES],
        [replace(s, **BUILTIN_SERIES_EXTRAS.get(s.id, {})) for s in BUILTIN_SERIES],
    )


Status = Literal["matched", "ambiguous", "not_found"]

# (letterboxd_title, letterboxd_year, expected_status, expected_tmdb_id, expected_media_type)
# The media type is the matched film's, or for "ambiguous" the candidates'; None for "not_found".
HARD_CASES: list[tuple[str, int | None, Status, int | None, str | None]] = [
    ("Memento", 2000, "matched", 77, "movie"),
    ("Fight Club", 1999, "matched", 550, "movie"),
    # remakes: the year decides
    ("Suspiria", 1977, "matched", 11906, "movie"),
    ("Suspiria", 2018, "matched", 361292, "movie"),
    # no year, two films of equal standing: a person must choose
    ("Suspiria", None, "ambiguous", None, "movie"),
    ("Crash", 1996, "matched", 884, "movie"),
    ("Crash", 2004, "matched", 1640, "movie"),
    # the feature, not the same-year short with a handful of votes
    ("Flow", 2024, "matched", 823219, "movie"),
    ("Moonlight", 2016, "matched", 376867, "movie"),
    # same title, same year, comparable followings (7600 vs 4100 votes, 6500 vs 2300)
    ("The Witch", 2015, "ambiguous", None, "movie"),
    ("Enemy", 2013, "ambiguous", None, "movie"),
    # same title, same year, 15000 votes against 6: nobody logged the stub
    ("Gravity", 2013, "matched", 49047, "movie"),
    # TMDB's primary release is 2021; only `year=2020` (any release date) finds it
    ("Nomadland", 2020, "matched", 581734, "movie"),
    # English title on Letterboxd, another language in original_title (and an older namesake)
    ("Parasite", 2019, "matched", 496243, "movie"),
    ("Amélie", 2001, "matched", 194, "movie"),
    ("Le Fabuleux Destin d'Amélie Poulain", 2001, "matched", 194, "movie"),
    ("Spirited Away", 2001, "matched", 129, "movie"),
    ("Portrait of a Lady on Fire", 2019, "matched", 531428, "movie"),
    # typography: interpuncts, accents, curly apostrophes, en dashes, a British alternative title
    ("WALL·E", 2008, "matched", 10681, "movie"),
    ("Léon: The Professional", 1994, "matched", 101, "movie"),
    ("Schindler\u2019s List", 1993, "matched", 424, "movie"),
    ("Mission: Impossible \u2013 Dead Reckoning Part One", 2023, "matched", 575264, "movie"),
    ("Three Colours: Blue", 1993, "matched", 108, "movie"),
    # series and a miniseries, found by the TV fallback
    ("Chernobyl", 2019, "matched", 87108, "tv"),
    ("Love, Death & Robots", 2019, "matched", 86831, "tv"),
    # an episode: neither the series nor the film "Robots" is the thing watched
    ("Love, Death & Robots: Three Robots", 2019, "not_found", None, None),
    # TMDB has nothing like these
    ("Sunday Tapes from Ostrava", 2017, "not_found", None, None),
    ("The Quiet Orchard of Velmora", 1987, "not_found", None, None),
]


# --- Synthetic catalogues for benchmarks --------------------------------------------------------

_ADJECTIVES = (
    "Crimson",
    "Silent",
    "Hollow",
    "Golden",
    "Bitter",
    "Distant",
    "Burning",
    "Frozen",
    "Hidden",
    "Last",
    "Broken",
    "Velvet",
    "Wild",
    "Pale",
    "Endless",
    "Secret",
    "Lonely",
    "Savage",
    "Quiet",
    "Electric",
)
_NOUNS = (
    "River",
    "Harbour",
    "Garden",
    "Mirror",
    "Kingdom",
    "Summer",
    "Station",
    "Letter",
    "Orchard",
    "Frontier",
    "Lighthouse",
    "Carnival",
    "Machine",
    "Horizon",
    "Island",
    "Winter",
    "Hotel",
    "Highway",
    "Window",
    "Signal",
)
_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "kr", "st", "tr", "vl")
_VOWELS = ("a", "e", "i", "o", "u", "é", "ou", "ai")
_KEYWORDS = (
    "heist", "revenge", "small town", "road trip", "time travel", "coming of age", "haunted house", "family",
    "based on novel or book", "lighthouse", "winter", "island", "survival", "friendship", "grief", "war",
)  # fmt: skip
_COMPANIES = ("Harbour Films", "Velvet Pictures", "North Station", "Orchard Studio", "Signal Works", "Kingdom Films")
_FEMALE_FIRST_NAMES = frozenset(("Anna", "Léa", "Ingrid", "Yuki", "Sofia", "Mira", "Ada"))
_FIRST_NAMES = ("Anna", "Marek", "Léa", "Tomas", "Ingrid", "Yuki", "Omar", "Sofia", "Jonas", "Mira", "Paolo", "Ada")
_LAST_NAMES = ("Novak", "Laurent", "Sato", "Berg", "Haddad", "Rossi", "Kowalski", "Lindqvist", "Moreau", "Tanaka")


def _made_up_name(rng: random.Random) -> str:
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(rng.randint(2, 3))).capitalize()


def synthetic_catalogue(n: int, seed: int = 0) -> Catalogue:
    """n distinct films for benchmarks, each with a made-up name in its title that no other film shares.

    The unique word means a search for a film's exact title finds that film alone, so matching
    is unambiguous and the benchmark measures throughput, not judgement.
    """
    rng = random.Random(seed)
    extras = random.Random(seed + 1)  # a second stream: the fields added later leave the first one's films as they were
    people = [f"{first} {last}" for first in _FIRST_NAMES for last in _LAST_NAMES]
    for person in people:  # a tenth of them unknown to TMDB's gender field, as many crew members are
        if not person.endswith("Tanaka"):
            GENDERS.setdefault(person, 1 if person.split()[0] in _FEMALE_FIRST_NAMES else 2)
    collection: CatalogueCollection | None = None
    used: set[frozenset[str]] = set()
    movies = []
    for i in range(n):
        name = _made_up_name(rng)
        while words(name) in used:  # unique as the search sees it, accents ignored
            name = _made_up_name(rng)
        used.add(words(name))
        adjective, noun = rng.choice(_ADJECTIVES), rng.choice(_NOUNS)
        title = rng.choice((f"The {adjective} {noun} of {name}", f"{name}: {adjective} {noun}", f"{name}"))
        year = rng.randint(1950, 2024)
        country = rng.choice(tuple(COUNTRIES))
        language = rng.choice(tuple(LANGUAGES)[:12])
        tmdb_id = SYNTHETIC_IDS_FROM + i
        movies.append(
            _m(
                tmdb_id,
                title,
                f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                original_language=language,
                popularity=round(rng.uniform(0.5, 60), 2),
                vote_count=rng.randint(20, 20000),
                vote_average=round(rng.uniform(4, 8.8), 1),
                runtime=rng.randint(75, 180),
                budget=rng.choice((0, rng.randint(1, 200) * 1_000_000)),
                revenue=rng.choice((0, rng.randint(1, 800) * 1_000_000)),
                genre_ids=rng.sample(tuple(MOVIE_GENRES), rng.randint(1, 3)),
                countries=rng.sample(tuple(COUNTRIES), rng.randint(1, 2)) if rng.random() < 0.3 else [country],
                languages=[language],
                imdb_id=f"tt{9_100_000 + i}",
                crew=[(d, "Director") for d in rng.sample(people, rng.choice((1, 1, 1, 2)))]
                + [(rng.choice(people), "Screenplay")],
                cast=[(a, f"Role {k + 1}") for k, a in enumerate(rng.sample(people, rng.randint(3, 8)))],
            )
        )
        # a fifth of the films in collections of three, each film's own; an editor, composer and cinematographer each
        if i % 15 == 0:
            collection = CatalogueCollection(7_000_000 + i // 15, f"The {name} Collection", ())
        movies[-1] = replace(
            movies[-1],
            crew=movies[-1].crew
            + tuple(
                (extras.choice(people), job) for job in ("Original Music Composer", "Director of Photography", "Editor")
            ),
            keywords=tuple(extras.sample(_KEYWORDS, extras.randint(0, 4))),
            companies=tuple(extras.sample(_COMPANIES, extras.randint(0, 2))),
            collection=collection if i % 15 < 3 else None,
        )
    # each collection's parts: its films, known only once they are all made
    parts: dict[int, list[tuple[int, str, str]]] = {}
    for m in movies:
        if m.collection:
            parts.setdefault(m.collection.id, []).append((m.id, m.title, m.release_date))
    return Catalogue(
        replace(m, collection=replace(m.collection, parts=tuple(parts[m.collection.id]))) if m.collection else m
        for m in movies
    )


def letterboxd_rows(catalogue: Catalogue) -> list[tuple[str, int | None]]:
    """The (Name, Year) a Letterboxd export would hold for every film of the catalogue."""
    return [(m.title, m.primary_year) for m in catalogue.movies.values()]


# Demo mode: ids of the films the double makes up for titles it does not know, above every other id.
DEMO_IDS_FROM = 20_000_000
DEMO_IDS = 10_000_000
_DEMO_PEOPLE = tuple(f"{first} {last}" for first in _FIRST_NAMES for last in _LAST_NAMES)


def demo_film(title: str, year: int | None) -> CatalogueMovie:
    """A made-up film of that title and year, the same every time: everything about it is drawn from a
    generator seeded with the title and year (crc32, stable across processes, unlike hash()). A title given
    without a year gets a year from the same seed. Its vote count is high enough for the first search to
    settle, so a demo identifies each film with one search and one details request.

    Directors and actors come from a pool of 120 names, so a demo library of a few hundred films has people
    who recur, as real ones do."""
    seed = zlib.crc32(f"{title}|{year}".encode())
    rng = random.Random(seed)
    year = year or rng.randint(1950, 2024)
    language = rng.choice(tuple(LANGUAGES)[:12])
    country = rng.choice(tuple(COUNTRIES))
    return _m(
        DEMO_IDS_FROM + seed % DEMO_IDS,
        title,
        f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        original_language=language,
        popularity=round(rng.uniform(0.5, 60), 2),
        vote_count=rng.randint(200, 20000),
        vote_average=round(rng.uniform(4, 8.8), 1),
        runtime=rng.randint(75, 180),
        genre_ids=rng.sample(tuple(g for g in MOVIE_GENRES if g != 10770), rng.randint(1, 3)),
        countries=rng.sample(tuple(COUNTRIES), 2) if rng.random() < 0.3 else [country],
        languages=[language],
        crew=[(d, "Director") for d in rng.sample(_DEMO_PEOPLE, rng.choice((1, 1, 1, 2)))],
        cast=[(a, f"Role {k + 1}") for k, a in enumerate(rng.sample(_DEMO_PEOPLE, rng.randint(4, 8)))],
        overview=f"A made-up film for lbstats' demo: TMDB was not asked about {title}.",
    )
