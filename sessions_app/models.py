"""One upload session of a Letterboxd export, its films and its diary."""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from enrichment.matching import MatchStatus

from .letterboxd import MAX_TEXT_ID

SHARE_TOKEN_BYTES = 24  # 192 random bits: a share link cannot be guessed


def count_field(status: str) -> str:
    """The Session column that counts a session's films in this match status."""
    return f"{status}_count"


def default_expiry():
    return timezone.now() + timedelta(days=settings.SESSION_LIFETIME_DAYS)


class SessionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(expires_at__gt=timezone.now())

    def expired(self):
        return self.filter(expires_at__lte=timezone.now())

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

    class ImportPhase(models.TextChoices):
        QUEUED = "queued", "waiting for a worker"
        READING = "reading", "reading the files"
        STORING = "storing", "storing the films and the diary"
        FAILED = "failed", "refused"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROCESSING)
    total_movies = models.PositiveIntegerField(default=0)
    error_message = models.TextField(blank=True)
    username = models.CharField(max_length=MAX_TEXT_ID, blank=True)
    # files [{name, size}], rows {file: count}, skipped {deleted: n, orphaned: n}, lists [...]
    metadata = models.JSONField(default=dict, blank=True)
    # [{file, line, message}] for values that could not be read
    warnings = models.JSONField(default=list, blank=True)
    # Every export loaded into this session, oldest first (a person uploads a newer one every few months):
    # [{at, files, films, entries, newest_date, replaced, since_last}]; since_last is None for the first.
    uploads = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_accessed_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=default_expiry, db_index=True)  # cleanup_sessions
    enrichment_started_at = models.DateTimeField(null=True, blank=True)
    enrichment_finished_at = models.DateTimeField(null=True, blank=True)
    # Last time a worker ran for this session: the recovery schedule restarts sessions whose workers went quiet.
    enrichment_heartbeat = models.DateTimeField(null=True, blank=True)
    # Where a large upload's import in the background stands (`ImportPhase`); empty once its rows are
    # stored, and for an upload imported within its request.
    import_phase = models.CharField(max_length=16, blank=True)
    # Films per match status, exact by construction: every change of a film's status changes these in
    # the same transaction (`tally`, or `recount` for a bulk change), so the status endpoint reads one
    # row whatever the session's size. Named `<status>_count` for each MatchStatus.
    pending_count = models.PositiveIntegerField(default=0)
    matched_count = models.PositiveIntegerField(default=0)
    ambiguous_count = models.PositiveIntegerField(default=0)
    not_found_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    manual_count = models.PositiveIntegerField(default=0)
    # The dashboard's switch: leave TV series and shorts out of every figure (`stats.definitions.switch_q`),
    # as Letterboxd users ask; remembered for everyone who opens this session's address.
    leave_out_tv_shorts = models.BooleanField(default=False)

    objects = SessionQuerySet.as_manager()
    # What the status endpoint reads, in one query: not the JSON columns (`uploads` grows with every export)
    STATUS_FIELDS = ("id", "public_id", "status", "error_message", "import_phase", "last_accessed_at") + tuple(
        count_field(status) for status in MatchStatus.values
    )

    class Meta:
        indexes = [
            # the recovery schedule looks for sessions left enriching
            models.Index(fields=["status", "created_at"], name="session_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.username or 'upload'} {self.public_id}"

    def touch(self) -> None:
        """Push expiry 30 days past this access; written at most once an hour so polling stays read-only."""
        now = timezone.now()
        if self.last_accessed_at >= now - timedelta(hours=1):
            return
        Session.objects.filter(pk=self.pk).update(
            last_accessed_at=now, expires_at=now + timedelta(days=settings.SESSION_LIFETIME_DAYS)
        )

    @property
    def last_upload(self) -> dict | None:
        return self.uploads[-1] if self.uploads else None

    def counts_as_read(self) -> dict[str, int]:
        """Films per match status as in this copy of the row: for a caller that has just read it (the status
        endpoint reads the session and its counts in one query, `STATUS_FIELDS`)."""
        return {status: getattr(self, count_field(status)) for status in MatchStatus.values}

    def match_counts(self) -> dict[str, int]:
        """Films per match status now, as kept beside the session (exact at every commit): one row read by
        its key, whatever the session's size, so a caller holding an old copy of the session reads no old
        counts."""
        fields = {status: count_field(status) for status in MatchStatus.values}
        row = Session.objects.filter(pk=self.pk).values(*fields.values()).get()
        return {status: row[field] for status, field in fields.items()}

    def counted_rows(self) -> dict[str, int]:
        """Films per match status, counted from the rows: what `match_counts` must always equal."""
        counts = {status: 0 for status in MatchStatus.values}
        for row in self.movies.values("match_status").annotate(n=Count("id")).order_by():
            counts[row["match_status"]] = row["n"]
        return counts

    @staticmethod
    def tally(session_id: int, changes: dict[str, int]) -> None:
        """Add `changes` ({status: films gained, negative for lost}) to the session's counts; call it in
        the transaction that changed those films, after changing them (the session row is locked last)."""
        changed = {count_field(status): F(count_field(status)) + n for status, n in changes.items() if n}
        if changed:
            Session.objects.filter(pk=session_id).update(**changed)

    @staticmethod
    def recount(session_id: int) -> None:
        """Set the counts from the rows, for a change of many films at once; call it in that transaction.
        Locking the session row first means a film change committed meanwhile is either counted here or
        added after (its `tally` waits for this lock)."""
        with transaction.atomic():
            session = Session.objects.select_for_update().get(pk=session_id)
            counts = session.counted_rows()
            Session.objects.filter(pk=session_id).update(**{count_field(s): n for s, n in counts.items()})

    def progress(self, counts: dict[str, int] | None = None) -> dict:
        """Films done of the total; from `counts` when the caller has just read them, else read now."""
        counts = self.match_counts() if counts is None else counts
        total = sum(counts.values())
        done = total - counts[MatchStatus.PENDING]
        return {
            "total_movies": total,
            "enriched_count": done,
            "progress_percent": round(100 * done / total, 1) if total else 100.0,
            "match_counts": counts,
        }

    @property
    def importing(self) -> bool:
        """A large upload whose rows are not stored yet: queued, being read or stored, or refused."""
        return bool(self.import_phase)

    def import_progress(self) -> str:
        """Where a background import stands, in words (empty once its rows are stored)."""
        if not self.import_phase or self.import_phase == self.ImportPhase.FAILED:
            return ""
        return f"Importing your export: {self.ImportPhase(self.import_phase).label}."

    def status_payload(self, counts: dict[str, int] | None = None) -> dict:
        return {
            "session_id": self.public_id,
            "status": self.status,
            "error_message": self.error_message,
            "import_phase": self.import_phase,
            "import_progress": self.import_progress(),
            **self.progress(counts),
        }


class MovieQuerySet(models.QuerySet):
    def unmatched(self):
        return self.filter(match_status__in=[MatchStatus.AMBIGUOUS, MatchStatus.NOT_FOUND])


class Movie(models.Model):
    """One distinct film of an upload, with what the export says of it and, once enriched, its TMDB film."""

    IDENTIFIED = (MatchStatus.MATCHED, MatchStatus.MANUAL)

    # No index of its own: movie_session_status leads with the session and serves every look-up by it.
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="movies", db_index=False)
    title = models.TextField()
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    letterboxd_uri = models.CharField(max_length=MAX_TEXT_ID, blank=True)

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

    # The columns an export sets (the rest is enrichment's), in the order the importer writes them.
    EXPORT_FIELDS = (
        "title",
        "year",
        "letterboxd_uri",
        "watched",
        "watched_date",
        "rating",
        "rated_date",
        "liked",
        "liked_date",
        "in_watchlist",
        "watchlist_date",
        "viewing_count",
        "rewatch_count",
        "first_watched",
        "last_watched",
    )

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

    # No index of its own: viewing_session_date_row leads with the session and serves every look-up by it.
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="viewings", db_index=False)
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="viewings")
    entry_uri = models.CharField(max_length=MAX_TEXT_ID, blank=True)
    watched_date = models.DateField(null=True, blank=True)
    logged_date = models.DateField(null=True, blank=True)
    rating = models.DecimalField(max_digits=2, decimal_places=1, null=True, blank=True)
    rewatch = models.BooleanField(default=False)
    tags = models.JSONField(default=list, blank=True)
    review = models.TextField(blank=True)
    # Its row in the export (diary.csv, then reviews.csv): Letterboxd's own order of entries logged on one day.
    diary_row = models.PositiveIntegerField(default=0)

    # The columns an export sets, in the order the importer writes them.
    EXPORT_FIELDS = ("entry_uri", "watched_date", "logged_date", "rating", "rewatch", "tags", "review", "diary_row")

    class Meta:
        ordering = ["watched_date", "diary_row", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "entry_uri"], condition=~Q(entry_uri=""), name="viewing_unique_entry_uri"
            )
        ]
        indexes = [
            # timeline statistics scan a session's diary by date, and a day's entries in the export's order
            models.Index(fields=["session", "watched_date", "diary_row"], name="viewing_session_date_row"),
        ]

    def __str__(self) -> str:
        return f"{self.movie} on {self.watched_date}"


def share_token() -> str:
    return secrets.token_urlsafe(SHARE_TOKEN_BYTES)


class ShareLinkQuerySet(models.QuerySet):
    def live(self):
        """Links that still open: not revoked, and their session not expired."""
        return self.filter(revoked_at__isnull=True, session__expires_at__gt=timezone.now())


class ShareLink(models.Model):
    """A public address for a session's summary (its Year in Review), made by its owner and revocable.

    The token is random and unrelated to the session's public id: holding a share link tells nothing of
    the private address, and revoking it closes the summary without touching the session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="share_links")
    token = models.CharField(max_length=64, unique=True, default=share_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"share link of {self.session_id}{' (revoked)' if self.revoked_at else ''}"


class UploadBlob(models.Model):
    """One uploaded file of a large upload, kept until its import in the background has read it. In the
    database rather than on a disk, so a worker on any machine can read it; deleted once the import has
    stored the rows or refused them."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="upload_blobs")
    name = models.TextField()  # as uploaded: the parser tells the files apart by name
    size = models.PositiveBigIntegerField()
    data = models.BinaryField()

    def __str__(self) -> str:
        return f"{self.name} ({self.size} bytes) of session {self.session_id}"
