"""The one door into enrichment: what the other app, the tasks, the commands and the admin may ask of it.

Every path that starts, restarts or corrects the identification of films goes through here: the
upload's commit, the recovery schedule, `manage.py enrich`, the API, the admin and the pages. The
run itself is `enrichment.worker`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from sessions_app.models import Movie, Session

from .matching import MatchStatus
from .models import Film
from .tmdb import MediaType, TmdbError, TmdbNotFound, TmdbTooSlow, credentials_configured, get_client
from .worker import CLAIM_BATCH, films_pending, forget

__all__ = [
    "ENRICHMENT_OFF",
    "OPERATOR_ADVICE",
    "MediaType",
    "Reenrichment",
    "TmdbError",
    "TmdbTooSlow",
    "credentials_configured",
    "enqueue",
    "enrichment_state",
    "image_base",
    "recover",
    "reenrich",
    "search",
    "set_manual_match",
    "start",
]

ENRICH_TASK = "enrichment.tasks.enrich_session"  # stored in queued tasks: renaming it strands them
COLLECTIONS_TASK = "enrichment.tasks.fetch_collection_of_fix"  # as above
CHAINS_PER_SESSION = 2  # task chains started per session: lets two workers share a large upload
MAX_ATTEMPTS = 3  # failed films are retried by the schedule until this many attempts
FAILED_RETRY_AFTER = timedelta(minutes=10)
# What a person reading their statistics is told (pages, API); what to do about it is for the operator, below.
ENRICHMENT_OFF = (
    "Identifying films on TMDB is off on this server, so genres, countries, languages, runtimes and people "
    "are not shown."
)
OPERATOR_ADVICE = "Set TMDB_READ_TOKEN (or TMDB_API_KEY), then run `python manage.py enrich SESSION` for each upload."
Status = Session.Status


def stale_after() -> timedelta:
    """An enriching session with no worker heartbeat for this long is restarted by the schedule."""
    return timedelta(seconds=settings.ENRICH_STALE_SECONDS)


def enrichment_state(session: Session) -> dict:
    """Whether this server identifies films on TMDB, and if not, the one sentence that says so."""
    if credentials_configured():
        return {"enabled": True, "message": ""}
    return {"enabled": False, "message": ENRICHMENT_OFF}


IMAGE_BASE_SECONDS = 24 * 3600  # TMDB's configuration changes rarely; it asks clients to re-read it every few days
IMAGE_BASE_RETRY_SECONDS = 300  # after TMDB failed to answer, pages use the default base this long
# per process, so a page of 48 posters reads the cache once; keyed by what the answer depends on
_image_base_memo: dict[tuple[str, str, bool], tuple[float, str]] = {}


def image_base() -> str:
    """Where TMDB serves posters and headshots, from TMDB's own configuration (cached), else the setting."""
    api = settings.TMDB_API_URL
    memo_key = (api, settings.TMDB_IMAGE_BASE_URL, credentials_configured())
    now = time.monotonic()
    memo = _image_base_memo.get(memo_key)
    if memo and memo[0] > now:
        return memo[1]
    base = _configured_image_base(api)
    _image_base_memo[memo_key] = (now + 60, base)
    return base


def _configured_image_base(api: str) -> str:
    fallback = settings.TMDB_IMAGE_BASE_URL
    if not credentials_configured():
        return fallback
    key = f"lbstats:tmdb-image-base:{api}"
    base = cache.get(key)
    if base is None:
        try:
            # read while a page waits (its CSP names the image host): bounded like a correction
            images = get_client().configuration(within=settings.TMDB_INTERACTIVE_TIMEOUT).get("images") or {}
        except TmdbError:
            cache.set(key, fallback, IMAGE_BASE_RETRY_SECONDS)
            return fallback
        base = images.get("secure_base_url") or images.get("base_url") or fallback
        cache.set(key, base, IMAGE_BASE_SECONDS)
    return base


def require_credentials() -> None:
    if not credentials_configured():
        raise TmdbError(ENRICHMENT_OFF)


def enqueue(session: Session) -> None:
    """Called when an import commits: enrich in the background, or finish at once when TMDB is off."""
    if not credentials_configured():
        Session.objects.filter(pk=session.pk, status=Status.PROCESSING).update(
            status=Status.COMPLETED, enrichment_finished_at=timezone.now()
        )
        return
    start(session)


def start(session: Session, enqueue: bool = True) -> None:
    """Mark the session enriching and (unless the caller runs it in-process) put its task chains on the queue."""
    now = timezone.now()
    Session.objects.filter(pk=session.pk).exclude(status=Status.ENRICHING).update(
        status=Status.ENRICHING, error_message="", enrichment_started_at=now, enrichment_finished_at=None
    )
    Session.objects.filter(pk=session.pk).update(enrichment_heartbeat=now)
    if not enqueue:
        return
    pending = session.movies.filter(match_status=MatchStatus.PENDING).count()
    for _ in range(max(1, min(CHAINS_PER_SESSION, math.ceil(pending / CLAIM_BATCH)))):
        async_task(ENRICH_TASK, session.pk)


@dataclass(frozen=True)
class Reenrichment:
    """What a call to `reenrich` did: started identifying `films` again, or (a re-enrichment already
    queued or running, or the upload still importing) nothing, with the sentence that says which."""

    started: bool
    films: int
    message: str


REENRICHABLE = (Status.COMPLETED, Status.FAILED)  # a session enriching or still importing keeps its run


def reenrich(session: Session, everything: bool = False, enqueue: bool = True) -> Reenrichment:
    """Identify a session's films again: unmatched and failed ones, or (everything) all but manual ones.

    The one function behind the admin actions, the API, `manage.py enrich` and the pages. Idempotent
    while it works: a call made while the session is enriching (or importing) changes nothing, so a
    hundred calls queue the session's own task chains once and `everything` throws identifications
    away once."""
    require_credentials()
    now = timezone.now()
    # One statement decides which call starts, on both databases: of many calls at once, one finds the
    # session settled and marks it enriching, and the rest find it enriching. Committed on its own, before
    # any film row is locked, so it never holds the session row while waiting for a film (the workers
    # lock films first, then the session).
    # (a large upload whose import failed has no films to identify: its phase stays set)
    won = Session.objects.filter(pk=session.pk, status__in=REENRICHABLE, import_phase="").update(
        status=Status.ENRICHING,
        error_message="",
        enrichment_started_at=now,
        enrichment_finished_at=None,
        enrichment_heartbeat=now,
    )
    if not won:
        current, phase = Session.objects.values_list("status", "import_phase").get(pk=session.pk)
        if current == Status.PROCESSING:
            return Reenrichment(False, 0, "This upload is still being imported; nothing was changed.")
        if phase:
            return Reenrichment(False, 0, "This upload could not be imported, so it has no films to identify.")
        return Reenrichment(
            False,
            0,
            "Already re-enriching: the films of this session are being identified on TMDB; nothing was changed.",
        )
    if everything:
        movies = session.movies.exclude(match_status=MatchStatus.MANUAL)
    else:
        movies = session.movies.filter(
            match_status__in=[MatchStatus.AMBIGUOUS, MatchStatus.NOT_FOUND, MatchStatus.FAILED, MatchStatus.PENDING]
        )
    try:
        with transaction.atomic():
            # The worker's lock order: remembered matches, then films by id (as a claim takes them), then
            # the session row (recount), so this cannot deadlock with a worker storing an answer.
            forget(movies.exclude(match_status=MatchStatus.PENDING))
            list(movies.select_for_update().order_by("id").values_list("id", flat=True))
            count = movies.update(
                match_status=MatchStatus.PENDING, film=None, match_candidates=[], match_error="", match_attempts=0
            )
            Session.recount(session.pk)
            transaction.on_commit(lambda: start(session, enqueue=enqueue))
    except BaseException:
        Session.objects.filter(pk=session.pk, status=Status.ENRICHING).update(status=Status.COMPLETED)
        raise
    return Reenrichment(True, count, f"{count} films queued for identification on TMDB.")


def set_manual_match(movie: Movie, tmdb_id: int, media_type: str = MediaType.MOVIE) -> Movie:
    """Attach a TMDB film chosen by a person; marked manual, which no automatic run replaces. Raises
    TmdbTooSlow when TMDB does not answer within TMDB_INTERACTIVE_TIMEOUT, and then changes nothing."""
    film = Film.objects.filter(media_type=media_type, tmdb_id=tmdb_id, fetched_at__isnull=False).first()
    if film is None:
        require_credentials()
        try:
            # a person waits for this answer: bounded, where the worker's lookups wait out TMDB's bad minutes
            details = get_client().details(media_type, tmdb_id, within=settings.TMDB_INTERACTIVE_TIMEOUT)
        except TmdbNotFound as exc:
            kind = "TV series" if media_type == MediaType.TV else "film"
            raise TmdbNotFound(f"TMDB has no {kind} with id {tmdb_id}.") from exc
        film = Film.objects.store(media_type, details)
    with transaction.atomic():
        was = Movie.objects.select_for_update().values_list("match_status", flat=True).get(pk=movie.pk)
        Movie.objects.filter(pk=movie.pk).update(
            film=film,
            match_status=MatchStatus.MANUAL,
            match_score=None,
            match_error="",
            enriched_at=timezone.now(),
            claim_token=None,
            claimed_until=None,
        )
        changes = {was: -1}
        changes[MatchStatus.MANUAL] = changes.get(MatchStatus.MANUAL, 0) + 1  # manual again: no change
        Session.tally(movie.session_id, changes)
    movie.refresh_from_db()
    # The rest is the worker's, never this request's (it may be many TMDB requests): a session this fix leaves
    # with no film pending completes as its own run completes it, its collections fetched first; and the
    # collection of the film chosen, if no one has fetched it, is fetched for the collections section.
    # Robust: the fix is stored, and a broker that is down must not turn it into an error (the recovery
    # schedule restarts an enriching session whose task was lost).
    if movie.session.status == Status.ENRICHING:
        if not films_pending(movie.session):
            transaction.on_commit(lambda: async_task(ENRICH_TASK, movie.session_id), robust=True)
    elif film.in_unfetched_collection():
        transaction.on_commit(lambda: async_task(COLLECTIONS_TASK, movie.pk), robust=True)
    return movie


SEARCH_RESULTS = 8  # shown per search on the unmatched page; each is one (cached) details request for its director


def search(query: str, year: int | None = None) -> list[dict]:
    """Films and series TMDB finds for a title a person typed, best first, with poster, year and director:
    through the same client as enrichment (cache, shared rate limit, retries)."""
    require_credentials()
    query = query.strip()
    if not query:
        return []
    client = get_client()
    found = [(MediaType.MOVIE, item) for item in client.search_movie(query, year=year)]
    # TMDB's relevance order, films before series (a Letterboxd title is a film far more often)
    found += [(MediaType.TV, item) for item in client.search_tv(query, first_air_date_year=year)]
    results = []
    for media_type, item in found[:SEARCH_RESULTS]:
        released = item.get("release_date") or item.get("first_air_date") or ""
        details = client.details(media_type, item["id"])
        people = Film.fields_from_details(media_type, details)["directors"]
        results.append(
            {
                "tmdb_id": item["id"],
                "media_type": media_type,
                "title": item.get("title") or item.get("name") or "",
                "year": int(released[:4]) if released[:4].isdigit() else None,
                "poster_path": item.get("poster_path") or "",
                "directors": [p["name"] for p in people],
            }
        )
    return results


def recover() -> dict:
    """The schedule's sweep: start lost imports, restart sessions whose workers went quiet, retry failed films."""
    cutoff = timezone.now() - stale_after()
    return {
        "restarted": start_lost_imports(cutoff) + restart_quiet_sessions(cutoff),
        "retried": retry_failed_films(),
    }


def start_lost_imports(cutoff) -> int:
    """Imports that committed but whose enrichment was never queued (the process died in between). A large
    upload still importing in the background is the importer's (`importing.requeue_lost_imports`)."""
    lost = Session.objects.filter(status=Status.PROCESSING, created_at__lt=cutoff, import_phase="")
    for session in lost:
        enqueue(session)
    return len(lost)


def restart_quiet_sessions(cutoff) -> int:
    """Enriching sessions whose workers stopped beating (a crash, a kill): their leases have expired."""
    quiet = Session.objects.filter(status=Status.ENRICHING, enrichment_heartbeat__lt=cutoff)
    for session in quiet:
        start(session)
    return len(quiet)


def retry_failed_films() -> int:
    """Films that failed on a TMDB error, again after a pause, up to MAX_ATTEMPTS."""
    if not credentials_configured():
        return 0
    retry = Movie.objects.filter(
        match_status=MatchStatus.FAILED,
        match_attempts__lt=MAX_ATTEMPTS,
        enriched_at__lt=timezone.now() - FAILED_RETRY_AFTER,
    )
    retried = 0
    for session in Session.objects.active().filter(movies__in=retry).distinct():
        with transaction.atomic():
            count = retry.filter(session=session).update(match_status=MatchStatus.PENDING)
            Session.tally(session.pk, {MatchStatus.FAILED: -count, MatchStatus.PENDING: count})
        retried += count
        start(session)
    return retried
