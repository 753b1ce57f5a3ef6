"""TMDB's side: films as TMDB describes them, shared by every session, and what each export title resolved to."""

from django.db import models


class MediaType(models.TextChoices):
    MOVIE = "movie"
    TV = "tv"


class Film(models.Model):
    """A TMDB movie or TV series, fetched once and shared by every session that holds it."""

    media_type = models.CharField(max_length=8, choices=MediaType.choices, default=MediaType.MOVIE)
    tmdb_id = models.PositiveIntegerField()
    title = models.TextField(blank=True)
    original_title = models.TextField(blank=True)
    release_date = models.DateField(null=True, blank=True)
    runtime = models.PositiveIntegerField(null=True, blank=True)  # minutes; None when TMDB says 0 or nothing
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
    directors = models.JSONField(default=list, blank=True)  # [{"id": 1, "name": "..."}]
    cast = models.JSONField(default=list, blank=True)  # [{"id": 1, "name": "...", "character": "..."}] billing order
    spoken_languages = models.JSONField(default=list, blank=True)  # [{"code": "en", "name": "English"}]
    production_countries = models.JSONField(default=list, blank=True)  # [{"code": "US", "name": "..."}]
    fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["media_type", "tmdb_id"], name="film_unique_tmdb")]

    def __str__(self) -> str:
        year = f" ({self.release_date.year})" if self.release_date else ""
        return f"{self.title}{year} [{self.media_type} {self.tmdb_id}]"

    @property
    def year(self) -> int | None:
        return self.release_date.year if self.release_date else None


class FilmFacet(models.Model):
    """One genre, director, actor, country or language of a film: a row so both SQLite and PostgreSQL filter and group in SQL."""

    class Kind(models.TextChoices):
        GENRE = "genre"
        DIRECTOR = "director"
        ACTOR = "actor"
        COUNTRY = "country"
        LANGUAGE = "language"  # spoken languages; the original language is Film.original_language

    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="facets")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=32)  # TMDB person/genre id, or ISO code
    name = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)  # billing order for actors

    class Meta:
        indexes = [
            # movie filters (?director=...) and people/genre statistics
            models.Index(fields=["kind", "name"], name="facet_kind_name"),
            models.Index(fields=["kind", "key"], name="facet_kind_key"),
            models.Index(fields=["film", "kind"], name="facet_film_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.name}"


class FilmMatch(models.Model):
    """What an export title resolved to, kept beyond any session so the same film is never searched twice."""

    class Outcome(models.TextChoices):
        MATCHED = "matched"
        AMBIGUOUS = "ambiguous"
        NOT_FOUND = "not_found"

    letterboxd_uri = models.CharField(max_length=200, blank=True)
    title = models.TextField()
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
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
