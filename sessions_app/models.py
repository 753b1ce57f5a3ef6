"""One upload session of a Letterboxd export, its films and its diary."""

import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.models import Count, Q
from django.utils import timezone

from lbstats import metrics


def default_expiry():
    return timezone.now() + timedelta(days=settings.SESSION_LIFETIME_DAYS)


def bulk_insert(model: type[models.Model], rows, batch_size: int = 5000) -> None:
    """INSERT rows (dicts of attname → value; model defaults fill the rest) in bulk: COPY on PostgreSQL,
    one prepared statement run many times elsewhere.

    Values are prepared per column exactly as the ORM would, but without building a model instance
    and compiling SQL for every row: for an export's 40,000 rows that was most of the import's time."""
    db = connections[router.db_for_write(model)]  # the wrapper itself: the `connection` proxy costs a lookup per use
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    quote = db.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    prepare = [(f.attname, f.get_db_prep_save) for f in fields]
    prepared = ([prep(row.get(name, defaults[name]), db) for name, prep in prepare] for row in rows)
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            # COPY streams the rows in one statement, several times faster than row-by-row INSERTs.
            with db.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in prepared:
                    copy.write_row(values)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        batch: list[list] = []
        for values in prepared:
            batch.append(values)
            if len(batch) == batch_size:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


class SessionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(expires_at__gt=timezone.now())

    def expired(self):
        return self.filter(expires_at__lte=timezone.now())

    def visit(self, public_id) -> "Session":
        """The live session with this public id (404 otherwise); a visit pushes its expiry back."""
        from django.shortcuts import get_object_or_404

        session = get_object_or_404(self.active(), public_id=public_id)
        session.touch()
        return session

    def delete_expired(self) -> int:
        """Delete expired sessions with their films and diary; returns how many sessions went."""
        expired = list(self.expired().values_list("pk", flat=True))
        for pk in expired:  # one session at a time keeps the cascade's memory bounded
            Session.objects.filter(pk=pk).delete()
        return len(expired)


class Session(models.Model):
    class Status(models.TextChoices):
        PROCESSING = "processing"
        ENRICHING = "enriching"
        COMPLETED = "completed"
        FAILED = "failed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROCESSING)
    total_movies = models.PositiveIntegerField(default=0)
    error_message = models.TextField(blank=True)
    username = models.CharField(max_length=200, blank=True)
    # files [{name, size}], rows {file: count}, skipped {deleted: n, orphaned: n}, lists [...]
    metadata = models.JSONField(default=dict, blank=True)
    # [{file, line, message}] for values that could not be read
    warnings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_accessed_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=default_expiry, db_index=True)  # cleanup_sessions
    enrichment_started_at = models.DateTimeField(null=True, blank=True)
    enrichment_finished_at = models.DateTimeField(null=True, blank=True)
    # Last time a worker ran for this session: the recovery schedule restarts sessions whose workers went quiet.
    enrichment_heartbeat = models.DateTimeField(null=True, blank=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        indexes = [
            # the recovery schedule looks for sessions left enriching
            models.Index(fields=["status", "created_at"], name="session_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.username or 'upload'} {self.public_id}"

    @classmethod
    def import_export(cls, uploads) -> "Session":
        """Parse uploaded files [(name, file object, size)] and store them; raises letterboxd.ExportError."""
        from .letterboxd import read_export

        started = time.monotonic()
        export = read_export(uploads)
        session = cls.create_from_export(export)
        metrics.count_import(time.monotonic() - started, len(export.films), export.viewing_count)
        return session

    @classmethod
    def create_from_export(cls, export) -> "Session":
        """Store a ParsedExport as a new session: all of it or, on any error, nothing."""
        with transaction.atomic():
            session = cls.objects.create(
                total_movies=len(export.films),
                username=export.username,
                metadata=export.metadata,
                warnings=export.warnings,
            )
            bulk_insert(
                Movie,
                (
                    {
                        "session_id": session.pk,
                        "title": f.title,
                        "year": f.year,
                        "letterboxd_uri": f.uri,
                        "watched": f.watched,
                        "watched_date": f.watched_date,
                        "rating": f.rating,
                        "rated_date": f.rated_date,
                        "liked": f.liked,
                        "liked_date": f.liked_date,
                        "in_watchlist": f.in_watchlist,
                        "watchlist_date": f.watchlist_date,
                        "viewing_count": f.viewing_count,
                        "rewatch_count": f.rewatch_count,
                        "first_watched": (f.watched_dates or [None])[0],
                        "last_watched": (f.watched_dates or [None])[-1],
                    }
                    for f in export.films
                ),
            )
            # Ids grow in insertion order within the transaction, even with other imports interleaved.
            movie_ids = session.movies.order_by("id").values_list("id", flat=True)
            bulk_insert(
                Viewing,
                (
                    {
                        "session_id": session.pk,
                        "movie_id": movie_id,
                        "entry_uri": v.entry_uri,
                        "watched_date": v.watched_date,
                        "logged_date": v.logged_date,
                        "rating": v.rating,
                        "rewatch": v.rewatch,
                        "tags": v.tags,
                        "review": v.review,
                    }
                    for movie_id, f in zip(movie_ids, export.films, strict=True)
                    for v in f.viewings
                ),
            )
            transaction.on_commit(session.start_enrichment)
        return session

    def start_enrichment(self) -> None:
        """Hand the session to the background worker (called once the import has committed)."""
        from enrichment.pipeline import enqueue_session

        enqueue_session(self)

    def touch(self) -> None:
        """Push expiry 30 days past this access; written at most once an hour so polling stays read-only."""
        now = timezone.now()
        if self.last_accessed_at >= now - timedelta(hours=1):
            return
        Session.objects.filter(pk=self.pk).update(
            last_accessed_at=now, expires_at=now + timedelta(days=settings.SESSION_LIFETIME_DAYS)
        )

    def match_counts(self) -> dict[str, int]:
        """Films per match status, counted from the rows (exact at every moment)."""
        counts = {status: 0 for status in Movie.MatchStatus.values}
        for row in self.movies.values("match_status").annotate(n=Count("id")).order_by():
            counts[row["match_status"]] = row["n"]
        return counts

    def progress(self) -> dict:
        counts = self.match_counts()
        total = sum(counts.values())
        done = total - counts[Movie.MatchStatus.PENDING]
        return {
            "total_movies": total,
            "enriched_count": done,
            "progress_percent": round(100 * done / total, 1) if total else 100.0,
            "match_counts": counts,
        }


    def status_payload(self) -> dict:
        return {"session_id": self.public_id, "status": self.status, "error_message": self.error_message, **self.progress()}

    def enrichment_state(self) -> dict:
        from enrichment.tmdb import credentials_configured

        if credentials_configured():
            return {"enabled": True, "message": ""}
        return {
            "enabled": False,
            "message": "TMDB enrichment is off: no TMDB credentials are set. Set TMDB_READ_TOKEN (or TMDB_API_KEY) "
            f"and run `python manage.py enrich {self.public_id}` to add genres, people and runtimes.",
        }


class MovieQuerySet(models.QuerySet):
    def unmatched(self):
        return self.filter(match_status__in=[Movie.MatchStatus.AMBIGUOUS, Movie.MatchStatus.NOT_FOUND])


class Movie(models.Model):
    """One distinct film of an upload, with what the export says of it and, once enriched, its TMDB film."""

    class MatchStatus(models.TextChoices):
        PENDING = "pending"
        MATCHED = "matched"
        AMBIGUOUS = "ambiguous"
        NOT_FOUND = "not_found"
        FAILED = "failed"
        MANUAL = "manual"

    IDENTIFIED = (MatchStatus.MATCHED, MatchStatus.MANUAL)

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="movies")
    title = models.TextField()
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    letterboxd_uri = models.CharField(max_length=200, blank=True)

    watched = models.BooleanField(default=False)
    watched_date = models.DateField(null=True, blank=True)
    rating = models.DecimalField(max_digits=2, decimal_places=1, null=True, blank=True)
    rated_date = models.DateField(null=True, blank=True)
    liked = models.BooleanField(default=False)
    liked_date = models.DateField(null=True, blank=True)
    in_watchlist = models.BooleanField(default=False)
    watchlist_date = models.DateField(null=True, blank=True)
    viewing_count = models.PositiveIntegerField(default=0)
    rewatch_count = models.PositiveIntegerField(default=0)
    first_watched = models.DateField(null=True, blank=True)
    last_watched = models.DateField(null=True, blank=True)

    # Filled by enrichment: the TMDB film, shared by every session that holds it.
    film = models.ForeignKey("enrichment.Film", null=True, blank=True, on_delete=models.SET_NULL, related_name="movies")
    match_status = models.CharField(max_length=16, choices=MatchStatus.choices, default=MatchStatus.PENDING)
    match_score = models.FloatField(null=True, blank=True)
    # top candidates when ambiguous: [{tmdb_id, media_type, title, year, poster_path, score}]
    match_candidates = models.JSONField(default=list, blank=True)
    match_error = models.TextField(blank=True)
    match_attempts = models.PositiveSmallIntegerField(default=0)
    enriched_at = models.DateTimeField(null=True, blank=True)
    # A worker's lease on a pending film, so two workers never identify the same film at once.
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    objects = MovieQuerySet.as_manager()

    class Meta:
        ordering = ["title", "year", "id"]
        indexes = [
            # status endpoint: counts per match status; workers: next pending films
            models.Index(fields=["session", "match_status"], name="movie_session_status"),
            # reuse of films identified in earlier sessions
            models.Index(fields=["letterboxd_uri"], name="movie_uri"),
            models.Index(fields=["title", "year"], name="movie_title_year"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title

    @property
    def is_identified(self) -> bool:
        return self.match_status in self.IDENTIFIED and self.film_id is not None


class Viewing(models.Model):
    """One diary entry (or a review without its diary row)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="viewings")
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="viewings")
    entry_uri = models.CharField(max_length=200, blank=True)
    watched_date = models.DateField(null=True, blank=True)
    logged_date = models.DateField(null=True, blank=True)
    rating = models.DecimalField(max_digits=2, decimal_places=1, null=True, blank=True)
    rewatch = models.BooleanField(default=False)
    tags = models.JSONField(default=list, blank=True)
    review = models.TextField(blank=True)

    class Meta:
        ordering = ["watched_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "entry_uri"], condition=~Q(entry_uri=""), name="viewing_unique_entry_uri"
            )
        ]
        indexes = [
            # timeline statistics scan a session's diary by date
            models.Index(fields=["session", "watched_date"], name="viewing_session_date"),
        ]

    def __str__(self) -> str:
        return f"{self.movie} on {self.watched_date}"
