"""TMDB's side: films as TMDB describes them, shared by every session, and what each export title resolved to."""

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from django.db import models, transaction
from django.utils import timezone

from .matching import VERDICTS
from .tmdb import MediaType

# Crew jobs kept as facets beyond the director, by TMDB's job names: Fight Club's "Screenplay" (Jim Uhls) and
# The Witch's "Writer" (Robert Eggers) are both its writers; "Novel" (Chuck Palahniuk) is a source, not a writer.
CREW_JOBS = {
    "Screenplay": "writer",
    "Writer": "writer",
    "Original Music Composer": "composer",
    "Director of Photography": "cinematographer",
    "Editor": "editor",
}

# Cast members kept per film, in billing order, for the film's page; the statistics and the explorer's
# actor filter count only the top-billed (sessions_app.stats.definitions.TOP_BILLED).
CAST_KEPT = 15


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _positive(value) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


TMDB_RETENTION_DAYS = 180  # TMDB's terms: no cached content kept longer than six months


class FilmQuerySet(models.QuerySet["Film"]):
    def delete_stale(self) -> int:
        """Forget TMDB data older than TMDB allows that no live session still shows; returns films deleted."""
        cutoff = timezone.now() - timedelta(days=TMDB_RETENTION_DAYS)
        FilmMatch.objects.filter(updated_at__lt=cutoff).delete()
        FilmLookup.objects.filter(claimed_until__lt=timezone.now()).delete()  # claims a crashed worker left
        Collection.objects.filter(fetched_at__lt=cutoff).delete()
        return self.filter(fetched_at__lt=cutoff, movies__isnull=True).delete()[1].get("enrichment.Film", 0)

    def store(self, media_type: str, details: dict) -> "Film":
        """Create or refresh the Film from a TMDB details answer (credits appended), with its facets."""
        fields = Film.fields_from_details(media_type, details)
        with transaction.atomic():
            # update_or_create survives a race: when another worker created the row first, it updates that row.
            film, _ = self.update_or_create(media_type=media_type, tmdb_id=details["id"], defaults=fields)
            film.facets.all().delete()
            FilmFacet.objects.bulk_create(film.build_facets(details.get("genres") or [], details_facets(details)))
            film.save(update_fields=["facet_kinds"])
        return film


class DirectedBy(models.TextChoices):
    """Who directed a film, from TMDB's gender of its directors (a series': its creators). Never guessed: a film
    with a director TMDB has no gender for, and no woman among the others, is unknown, as is one naming nobody."""

    # at least one director is a woman: Everything Everywhere All at Once would not count, Portrait of a Lady on
    # Fire (Céline Sciamma) does
    WOMEN = "women", "Directed by a woman"
    NOT_WOMEN = "not_women", "No woman among the directors"  # every director known, none a woman
    UNKNOWN = "unknown", "Directors’ gender unknown"

    @classmethod
    def of(cls, directors: list[dict]) -> "DirectedBy":
        """The category of a film from its directors as `Film.directors` keeps them (each with TMDB's gender)."""
        genders = {person.get("gender", Gender.UNKNOWN) for person in directors}
        if Gender.FEMALE in genders:
            return cls.WOMEN
        if not genders or Gender.UNKNOWN in genders:
            return cls.UNKNOWN
        return cls.NOT_WOMEN


class Film(models.Model):
    """A TMDB movie or TV series, fetched once and shared by every session that holds it."""

    media_type = models.CharField(max_length=8, choices=MediaType.choices, default=MediaType.MOVIE)
    tmdb_id = models.PositiveIntegerField()
    title = models.TextField(blank=True)
    original_title = models.TextField(blank=True)
    release_date = models.DateField(null=True, blank=True)
    runtime = models.PositiveIntegerField(null=True, blank=True)  # minutes; None when TMDB says 0 or nothing
    # A series' kind as TMDB's tv details name it ("Scripted", "Miniseries", "Documentary", "Reality"...): Chernobyl
    # is a "Miniseries", Game of Thrones "Scripted". Blank for movies, and for series TMDB gives no type.
    tv_type = models.CharField(max_length=32, blank=True)
    budget = models.BigIntegerField(null=True, blank=True)  # None when TMDB says 0 (unknown)
    revenue = models.BigIntegerField(null=True, blank=True)
    popularity = models.FloatField(null=True, blank=True)
    vote_average = models.FloatField(null=True, blank=True)
    vote_count = models.PositiveIntegerField(null=True, blank=True)
    original_language = models.CharField(max_length=16, blank=True)
    poster_path = models.CharField(max_length=200, blank=True)
    imdb_id = models.CharField(max_length=20, blank=True)
    # Display copies, in TMDB's order; FilmFacet holds the same for filtering and grouping in SQL.
    genres = models.JSONField(default=list, blank=True)  # ["Drama", ...]
    directors = models.JSONField(default=list, blank=True)  # [{"id": 1, "name": "...", "profile_path": "/x.jpg"}]
    # From the directors' genders, once when the film is stored: the dashboard and the explorer read this one column.
    directed_by = models.CharField(max_length=9, choices=DirectedBy.choices, default=DirectedBy.UNKNOWN)
    # [{"id": 1, "name": "...", "character": "...", "profile_path": "/x.jpg"}] in billing order
    cast = models.JSONField(default=list, blank=True)
    spoken_languages = models.JSONField(default=list, blank=True)  # [{"code": "en", "name": "English"}]
    production_countries = models.JSONField(default=list, blank=True)  # [{"code": "US", "name": "..."}]
    # The kinds of its facets, each between spaces (" genre director country "), set with them: "TMDB gave no
    # writer" is then a test on the film's own row, not a look-up in the facets (`facet_kinds()`).
    facet_kinds = models.CharField(max_length=200, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    objects = FilmQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["media_type", "tmdb_id"], name="film_unique_tmdb")]

    def __str__(self) -> str:
        year = f" ({self.release_date.year})" if self.release_date else ""
        return f"{self.title}{year} [{self.media_type} {self.tmdb_id}]"

    @property
    def year(self) -> int | None:
        return self.release_date.year if self.release_date else None

    @staticmethod
    def fields_from_details(media_type: str, d: dict) -> dict:
        credits = d.get("credits") or {}
        if media_type == MediaType.TV:
            # TV has creators rather than a film director, and runtimes per episode.
            directors = [_person(p) for p in d.get("created_by") or []]
            runtimes = d.get("episode_run_time") or []
            title, original, released = d.get("name", ""), d.get("original_name", ""), d.get("first_air_date")
            runtime = _positive(runtimes[0]) if runtimes else None
            tv_type = d.get("type") or ""
        else:
            directors = []
            for person in credits.get("crew") or []:
                if person.get("job") == "Director" and all(p["id"] != person["id"] for p in directors):
                    directors.append(_person(person))
            title, original, released = d.get("title", ""), d.get("original_title", ""), d.get("release_date")
            runtime = _positive(d.get("runtime"))
            tv_type = ""
        cast = sorted(credits.get("cast") or [], key=lambda p: p.get("order", 0))[:CAST_KEPT]
        return {
            "title": title or "",
            "original_title": original or "",
            "release_date": _date(released),
            "runtime": runtime,
            "tv_type": tv_type,
            "budget": _positive(d.get("budget")),
            "revenue": _positive(d.get("revenue")),
            "popularity": d.get("popularity"),
            "vote_average": d.get("vote_average"),
            "vote_count": d.get("vote_count"),
            "original_language": d.get("original_language") or "",
            "poster_path": d.get("poster_path") or "",
            "imdb_id": d.get("imdb_id") or (d.get("external_ids") or {}).get("imdb_id") or "",
            "genres": [g["name"] for g in d.get("genres") or []],
            "directors": directors,
            "directed_by": DirectedBy.of(directors),
            "cast": [
                {
                    "id": p["id"],
                    "name": p["name"],
                    "character": p.get("character", ""),
                    "profile_path": p.get("profile_path") or "",
                    "gender": _gender(p.get("gender")),
                }
                for p in cast
            ],
            "spoken_languages": [
                {"code": lang.get("iso_639_1", ""), "name": lang.get("english_name") or lang.get("name", "")}
                for lang in d.get("spoken_languages") or []
            ],
            "production_countries": [
                {"code": c.get("iso_3166_1", ""), "name": c.get("name", "")}
                for c in d.get("production_countries") or []
            ],
            "fetched_at": timezone.now(),
        }

    def in_unfetched_collection(self) -> bool:
        """Whether the film belongs to a collection no one has fetched yet (`worker.fetch_collections`)."""
        keys = [int(key) for key in self.facets.filter(kind=FilmFacet.Kind.COLLECTION).values_list("key", flat=True)]
        return Collection.objects.filter(tmdb_id__in=keys, fetched_at__isnull=False).count() < len(keys)

    def build_facets(self, genres: list[dict], details: Sequence["FilmFacet"] = ()) -> list["FilmFacet"]:
        """Facet rows from this film's fields; `genres` is TMDB's [{id, name}] (the film keeps names only);
        `details` the rows only a details answer carries (`details_facets`: crew, studios, keywords, collection).
        Notes their kinds on the film (`facet_kinds`), to be saved with the rows."""
        kind = FilmFacet.Kind
        rows = [FilmFacet(film=self, kind=kind.GENRE, key=str(g["id"]), name=g["name"]) for g in genres]
        rows += [
            FilmFacet(
                film=self,
                kind=kind.DIRECTOR,
                key=str(p["id"]),
                name=p["name"],
                gender=p.get("gender", Gender.UNKNOWN),
                image_path=p.get("profile_path") or "",
            )
            for p in self.directors
        ]
        rows += [
            FilmFacet(
                film=self,
                kind=kind.ACTOR,
                key=str(p["id"]),
                name=p["name"],
                position=i,
                gender=p.get("gender", Gender.UNKNOWN),
                image_path=p.get("profile_path") or "",
            )
            for i, p in enumerate(self.cast)
        ]
        rows += [
            FilmFacet(film=self, kind=kind.COUNTRY, key=c["code"], name=c["name"]) for c in self.production_countries
        ]
        rows += [
            FilmFacet(film=self, kind=kind.LANGUAGE, key=lang["code"], name=lang["name"])
            for lang in self.spoken_languages
        ]
        for row in details:
            row.film = self
        rows += list(details)
        # One row per genre, person, country or language of a film: an actor playing two roles is one actor
        # of the film (billed at their first role), so no count counts them twice.
        first: dict[tuple[str, str], FilmFacet] = {}
        for row in rows:
            first.setdefault((row.kind, row.key), row)
        self.facet_kinds = facet_kinds(kind for kind, _ in first)
        return list(first.values())


def facet_kinds(kinds: Iterable[str]) -> str:
    """`Film.facet_kinds` for facets of these kinds: each kind once, between spaces, so that `facet_kind_token(kind)`
    is in it exactly when the film has a facet of that kind."""
    present = set(kinds)
    return f" {' '.join(kind for kind in FilmFacet.Kind.values if kind in present)} " if present else ""


def facet_kind_token(kind: str) -> str:
    """What `Film.facet_kinds` holds of a kind: the kind between spaces, found whole, never inside another."""
    return f" {kind} "


def _person(credit: dict) -> dict:
    """A director or creator as Film.directors keeps them: TMDB's gender kept as given (0 when not set)."""
    return {
        "id": credit["id"],
        "name": credit["name"],
        "profile_path": credit.get("profile_path") or "",
        "gender": _gender(credit.get("gender")),
    }


def _gender(value) -> int:
    return value if value in Gender.values else Gender.UNKNOWN


def details_facets(details: dict) -> list["FilmFacet"]:
    """The facets only a details answer carries (films are attached by `Film.build_facets`): writers, composers,
    cinematographers and editors from the credits' crew, production companies, TMDB keywords (movies answer
    `keywords.keywords`, series `keywords.results`) and the collection (franchise) a film belongs to."""
    kind = FilmFacet.Kind
    rows = [
        FilmFacet(
            kind=CREW_JOBS[person["job"]],
            key=str(person["id"]),
            name=person["name"],
            gender=_gender(person.get("gender")),
            image_path=person.get("profile_path") or "",
        )
        for person in (details.get("credits") or {}).get("crew") or []
        if person.get("job") in CREW_JOBS
    ]
    rows += [
        FilmFacet(kind=kind.STUDIO, key=str(c["id"]), name=c["name"], image_path=c.get("logo_path") or "")
        for c in details.get("production_companies") or []
    ]
    keywords = details.get("keywords") or {}
    rows += [
        FilmFacet(kind=kind.KEYWORD, key=str(k["id"]), name=k["name"])
        for k in keywords.get("keywords") or keywords.get("results") or []
    ]
    if collection := details.get("belongs_to_collection"):
        rows.append(
            FilmFacet(
                kind=kind.COLLECTION,
                key=str(collection["id"]),
                name=collection["name"],
                image_path=collection.get("poster_path") or "",
            )
        )
    return rows


class Gender(models.IntegerChoices):
    """TMDB's gender of a person, as credits give it: 0 when TMDB does not know, never guessed from a name."""

    UNKNOWN = 0, "Unknown"
    FEMALE = 1, "Female"
    MALE = 2, "Male"
    NON_BINARY = 3, "Non-binary"


class FilmFacet(models.Model):
    """One genre, person, studio, keyword, collection, country or language of a film: a row so both SQLite and
    PostgreSQL filter and group in SQL."""

    class Kind(models.TextChoices):
        GENRE = "genre"
        DIRECTOR = "director"
        ACTOR = "actor"
        COUNTRY = "country"
        LANGUAGE = "language"  # spoken languages; the original language is Film.original_language
        WRITER = "writer"  # crew jobs: see CREW_JOBS
        COMPOSER = "composer"
        CINEMATOGRAPHER = "cinematographer"
        EDITOR = "editor"
        STUDIO = "studio"  # production companies
        KEYWORD = "keyword"  # TMDB keywords: a film's themes
        COLLECTION = "collection"  # the franchise a film belongs to (TMDB's belongs_to_collection)

    # indexed first in facet_film_covering: an index of its own would only tempt SQLite into reading every facet
    # of a film from the table to find the one kind it wants
    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="facets", db_index=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=32)  # TMDB person/genre/company/keyword/collection id, or ISO code
    name = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)  # billing order for actors
    gender = models.PositiveSmallIntegerField(choices=Gender.choices, default=Gender.UNKNOWN)  # people only
    image_path = models.CharField(max_length=200, blank=True)  # TMDB's profile, logo or poster path

    class Meta:
        indexes = [
            # movie filters (?director=...) and people/genre statistics
            models.Index(fields=["kind", "name"], name="facet_kind_name"),
            # a person's films from this index alone: the explorer's ?director=..., the ranked people's photos
            models.Index(fields=["kind", "key", "film"], name="facet_kind_key_film"),
            # the dashboard's facet rankings read every facet of a session's films from this index alone
            # (no table lookups): a third less time for 200,000 facets
            models.Index(fields=["film", "kind", "position", "key", "name"], name="facet_film_covering"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.name}"


class CollectionQuerySet(models.QuerySet["Collection"]):
    def claim_unfetched(self, collection_ids: set[int]) -> list[int]:
        """Claim the fetch of the collections among `collection_ids` that no one has fetched or is fetching:
        each is fetched once system-wide. A claim expires like a film's lease, so a crashed worker loses none."""
        now = timezone.now()
        self.bulk_create([self.model(tmdb_id=i) for i in collection_ids], ignore_conflicts=True)
        open_ids = self.filter(tmdb_id__in=collection_ids, fetched_at=None).filter(
            models.Q(claimed_until=None) | models.Q(claimed_until__lt=now)
        )
        claimed = []
        for tmdb_id, until in open_ids.values_list("tmdb_id", "claimed_until"):
            # only one worker's update finds the row as it read it
            if self.filter(tmdb_id=tmdb_id, claimed_until=until, fetched_at=None).update(
                claimed_until=now + COLLECTION_CLAIM
            ):
                claimed.append(tmdb_id)
        return claimed

    def store(self, details: dict) -> None:
        """Keep a `GET /collection/{id}` answer: its parts, by release date."""
        parts = [
            {
                "id": p["id"],
                "title": p.get("title") or "",
                "release_date": p.get("release_date") or "",
                "poster_path": p.get("poster_path") or "",
            }
            for p in details.get("parts") or []
        ]
        parts.sort(key=lambda p: (p["release_date"] or "9999", p["title"]))
        self.filter(tmdb_id=details["id"]).update(
            name=details.get("name") or "",
            poster_path=details.get("poster_path") or "",
            parts=parts,
            fetched_at=timezone.now(),
            claimed_until=None,
        )


COLLECTION_CLAIM = timedelta(minutes=2)


class Collection(models.Model):
    """A TMDB collection (a franchise: "The Lord of the Rings Collection"), fetched once system-wide after the
    films that belong to it, so the dashboard can say how much of it a person has seen."""

    tmdb_id = models.PositiveIntegerField(unique=True)
    name = models.TextField(blank=True)
    poster_path = models.CharField(max_length=200, blank=True)
    parts = models.JSONField(default=list, blank=True)  # [{"id", "title", "release_date", "poster_path"}]
    fetched_at = models.DateTimeField(null=True, blank=True)  # None until fetched
    claimed_until = models.DateTimeField(null=True, blank=True)  # a worker is fetching it until then

    objects = CollectionQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name or 'collection'} [{self.tmdb_id}]"

    def released_parts(self, today: date) -> list[dict]:
        """Parts out by `today`: an announced sequel is not one you could have seen."""
        return [p for p in self.parts if (released := _date(p["release_date"])) is not None and released <= today]


class FilmMatch(models.Model):
    """What an export title resolved to, kept beyond any session so the same film is never searched twice."""

    letterboxd_uri = models.CharField(max_length=200, blank=True)
    title = models.TextField()
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=[(verdict.value, verdict.label) for verdict in VERDICTS])
    film = models.ForeignKey(Film, null=True, blank=True, on_delete=models.CASCADE, related_name="matches")
    score = models.FloatField(null=True, blank=True)
    candidates = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["letterboxd_uri"], name="filmmatch_uri"),  # lookup by film URI first
            models.Index(fields=["title", "year"], name="filmmatch_title_year"),  # then by title and year
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year}) → {self.outcome}"


class FilmLookup(models.Model):
    """A claim on looking one film up on TMDB, system-wide: while a worker holds it, every other session
    that needs the same film (same key as FilmMatch: film URI, else title and year) waits for the answer
    instead of asking TMDB again. It expires like a film's lease, so a crashed worker loses no film; the
    row is deleted with the answer, in the transaction that remembers it."""

    key = models.CharField(max_length=64, unique=True)  # sha256 of the film's identity (`worker.lookup_key`)
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"lookup {self.key[:12]} until {self.claimed_until}"
