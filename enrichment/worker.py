"""A worker's run: identifying a session's pending films on TMDB.

A run claims pending films with a lease (so two workers never take the same film), answers
what it can from what earlier sessions identified (no HTTP at all), sends the rest to a pool of
threads that search and fetch over HTTP, and writes every result from its own thread in a small
transaction guarded by the lease. Runs are bounded in time and re-enqueue themselves, so sessions
take turns in the queue and a small upload is not stuck behind a large one.

What starts, restarts and corrects runs is in `enrichment.services`, the one door the other app,
the tasks, the commands and the admin use.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from lbstats import metrics
from sessions_app.models import Movie, Session

from . import matching
from .matching import MatchStatus
from .models import Collection, Film, FilmFacet, FilmLookup, FilmMatch
from .tmdb import TmdbAuthError, TmdbError, TmdbNotFound, get_client

log = logging.getLogger(__name__)

CLAIM_BATCH = 50  # films claimed per database round trip
MAX_WAITING = 500  # films a run holds while other workers look them up; past it, the run takes no more
WAIT_POLL_SECONDS = 0.25  # how often a run looks for the answers it waits for
DB_RETRY_DELAYS = (1, 2, 4, 8, 15)  # seconds to wait for a database that went away, before giving up the run


RENEW_SECONDS = 5  # at most this often a claim also renews the run's leases and beats its heartbeats
SCHEDULE_DEPTH = 5  # sessions, best first, a claim looks into before falling back to the run's own


def lease() -> timedelta:
    """How long a claimed film stays a worker's without renewal: after a crash it is claimable again."""
    return timedelta(seconds=settings.ENRICH_LEASE_SECONDS)


Status = Session.Status


def claim_order(own_session_id: int) -> list[int]:
    """The sessions a run claims films from, best first.

    `smallest`: shortest remaining work first, aged: a session's priority is its pending films minus
    ENRICH_AGING films for each second since its enrichment started, lowest first. Sessions that started
    together go smallest first; a 3,000-film session that has waited 1,500 s (at 2 films/s) goes before any
    upload made after it, so however many small uploads keep arriving, it is never starved (think of it as
    earliest deadline first, the deadline being its start plus pending ÷ ENRICH_AGING). The run's own
    session comes last if it is not among the best, so a run always has its own work to fall back on.
    `fair`: only the run's own session."""
    if settings.ENRICH_SCHEDULE == "fair":
        return [own_session_id]
    now = timezone.now()
    aging = settings.ENRICH_AGING

    def priority(row: tuple[int, int, datetime | None]) -> tuple[float, int]:
        pk, pending, started = row
        waited = (now - started).total_seconds() if started else 0.0
        return pending - aging * waited, pk

    rows = Session.objects.filter(status=Status.ENRICHING, pending_count__gt=0).values_list(
        "pk", "pending_count", "enrichment_started_at"
    )
    best = [pk for pk, *_ in sorted(rows, key=priority)[:SCHEDULE_DEPTH]]
    return best if own_session_id in best else [*best, own_session_id]


def run(session_id: int, budget: float | None = None) -> bool:
    """One worker run for a session (under `smallest`, for whichever sessions come first). Returns True
    when films are left for another run.

    A database that goes away mid-run (restart, failover, a dropped connection) costs a pause, not
    the session: what was stored stays stored, unfinished claims expire, and the run goes on."""
    budget = settings.ENRICH_RUN_SECONDS if budget is None else budget
    token = uuid.uuid4()  # kept across retries, so a retry takes back the films its cut-short attempt held
    for delay in DB_RETRY_DELAYS:
        try:
            return _run_once(session_id, budget, token)
        except (OperationalError, InterfaceError) as exc:
            log.warning("database unavailable during enrichment (%s); retrying in %ss", exc, delay)
            close_old_connections()
            connection.close()
            time.sleep(delay)
    return _run_once(session_id, budget, token)  # the last try: an error now fails the task, which the queue retries


def _run_once(session_id: int, budget: float, token: uuid.UUID) -> bool:
    session = Session.objects.filter(pk=session_id, status=Status.ENRICHING).first()
    if session is None:
        return False
    started = time.monotonic()
    runner = Runner(session, token)
    runner.release()  # claims left by an attempt the database cut short
    try:
        runner.run(budget)
    finally:
        runner.release()
        log_run(session, runner, time.monotonic() - started)
    if runner.auth_error:
        Session.objects.filter(pk=session.pk, status=Status.ENRICHING).update(
            status=Status.FAILED, error_message=str(runner.auth_error), enrichment_finished_at=timezone.now()
        )
        return False
    if not films_pending(session):
        fetch_collections(session)  # after the films, which name them, and before the dashboard is complete
    # A run that found nothing to claim ends its chain: the films left are another worker's, and
    # if that worker dies the recovery schedule restarts the session. Under `smallest` a chain whose
    # own session is done goes on while others have films pending: it served them, and their own
    # chains may have ended meanwhile.
    if not runner.claimed_any:
        finish_if_done(session)
        return False
    if not finish_if_done(session):
        return True
    return settings.ENRICH_SCHEDULE != "fair" and (
        Session.objects.filter(status=Status.ENRICHING, pending_count__gt=0).exists()
    )


def fetch_collections(session: Session) -> int:
    """Fetch the collections (franchises) the session's films belong to that no one has fetched yet, each once
    system-wide, through the same client (cache, shared rate limit, retries). Returns how many were fetched.

    A collection another worker is fetching right now is left to it; one TMDB fails on is released, and
    the next session naming it tries again."""
    keys = FilmFacet.objects.filter(kind=FilmFacet.Kind.COLLECTION, film__movies__session=session)
    claimed = Collection.objects.claim_unfetched({int(key) for key in keys.values_list("key", flat=True)})
    if not claimed:
        return 0
    client = get_client()
    fetched = 0
    with ThreadPoolExecutor(max_workers=settings.TMDB_CONCURRENCY, thread_name_prefix="tmdb-collection") as pool:
        answers = {pool.submit(client.collection, tmdb_id): tmdb_id for tmdb_id in claimed}
        for future in as_completed(answers):
            tmdb_id = answers[future]
            try:
                Collection.objects.store(future.result())
            except TmdbNotFound:
                Collection.objects.store({"id": tmdb_id})  # TMDB has no such collection: known, with no parts
            except TmdbError as exc:
                log.warning("collection %s not fetched: %s", tmdb_id, exc)
                Collection.objects.filter(tmdb_id=tmdb_id).update(claimed_until=None)
                continue
            fetched += 1
    return fetched


def films_pending(session: Session) -> bool:
    """Whether any of the session's films is still waiting to be identified (unmatched and failed ones are not)."""
    return session.movies.filter(match_status=MatchStatus.PENDING).exists()


def finish_if_done(session: Session) -> bool:
    """Complete the session once no film is pending (`films_pending`)."""
    if films_pending(session):
        return False
    Session.objects.filter(pk=session.pk, status=Status.ENRICHING).update(
        status=Status.COMPLETED, enrichment_finished_at=timezone.now()
    )
    return True


def log_run(session: Session, runner: Runner, seconds: float) -> None:
    """One line per run for a log pipeline (a JSON object with LOG_JSON=1). The session is named by its
    internal id: the public UUID opens the session to whoever holds it, so it stays out of logs."""
    settled = sum(runner.settled.values())
    log.info(
        "enrichment run: session %s, %d claimed, %d settled in %.2fs",
        session.pk,
        runner.claimed,
        settled,
        seconds,
        extra={
            "event": "enrichment_run",
            "session_id": session.pk,
            "claimed": runner.claimed,
            "settled": settled,
            "verdicts": dict(runner.settled),
            "seconds": round(seconds, 3),
        },
    )


@dataclass
class Resolution:
    """What the HTTP side found for one film (computed in a pool thread, no database access)."""

    result: matching.MatchResult | None = None
    details: dict | None = None
    error: Exception | None = None


@metrics.ENRICHMENT_FILM_SECONDS.time()
def resolve(title: str, year: int | None) -> Resolution:
    client = get_client()
    try:
        result = matching.match_film(client, title, year)
        details = None
        if result.status == MatchStatus.MATCHED:
            assert result.media_type is not None and result.tmdb_id is not None  # judge() sets both on a match
            details = client.details(result.media_type, result.tmdb_id)
        return Resolution(result=result, details=details)
    except TmdbAuthError:
        raise
    except TmdbError as exc:
        return Resolution(error=exc)
    except Exception as exc:  # a surprise in one film's data must not stall the whole session
        log.exception("identifying %r (%s) failed", title, year)
        return Resolution(error=TmdbError(f"unexpected error: {type(exc).__name__}"))


class Runner:
    def __init__(self, session: Session, token: uuid.UUID) -> None:
        self.session = session
        self.token = token
        self.auth_error: TmdbAuthError | None = None
        self.renewed = -math.inf  # never: the first claim renews
        self.claimed_any = False
        self.claimed = 0
        self.settled: Counter[str] = Counter()  # films settled by this run, by verdict
        # Films this run holds whose lookup another worker is doing: settled from its answer once it lands.
        self.waiting: dict[str, list[Movie]] = {}
        # Films this run is looking up, by lookup key: a film met again joins the lookup in flight.
        self.resolving: dict[str, list[Movie]] = {}

    def claim(self, limit: int) -> list[Movie]:
        """Lease up to `limit` pending films, from the sessions in the schedule's order (`claim_order`)."""
        now = timezone.now()
        ids: list[int] = []
        with transaction.atomic():
            for session_id in claim_order(self.session.pk):
                claimable = Movie.objects.filter(session_id=session_id, match_status=MatchStatus.PENDING).filter(
                    Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
                )
                # skip_locked keeps two PostgreSQL workers on disjoint films; SQLite serialises writers anyway.
                ids += (
                    claimable.select_for_update(skip_locked=True)
                    .order_by("id")
                    .values_list("id", flat=True)[: limit - len(ids)]
                )
                if len(ids) >= limit:
                    break
            Movie.objects.filter(id__in=ids).update(claim_token=self.token, claimed_until=now + lease())
        if time.monotonic() - self.renewed > RENEW_SECONDS:  # claims come every few films: renew less often
            self.renew()
        self.claimed_any = self.claimed_any or bool(ids)
        self.claimed += len(ids)
        return list(Movie.objects.filter(id__in=ids, claim_token=self.token))

    def claim_lookups(self, keys: list[str]) -> set[str]:
        """Take the system-wide lookup of these films where nobody holds it (or its holder's claim expired);
        returns the keys now this run's."""
        if not keys:
            return set()
        keys = sorted(keys)  # every worker locks rows in the same order: no deadlock between two claims
        now = timezone.now()
        FilmLookup.objects.bulk_create([FilmLookup(key=key) for key in keys], ignore_conflicts=True)
        # One statement: PostgreSQL re-checks the condition on a row another claim just took, so one wins.
        FilmLookup.objects.filter(key__in=keys).filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now) | Q(claim_token=self.token)
        ).update(claim_token=self.token, claimed_until=now + lease())
        return set(FilmLookup.objects.filter(key__in=keys, claim_token=self.token).values_list("key", flat=True))

    def renew(self) -> None:
        """Extend the lease on this run's films and lookups, and beat the heartbeat of its session and of
        every session whose films it holds."""
        now = timezone.now()
        Movie.objects.filter(claim_token=self.token).update(claimed_until=now + lease())
        FilmLookup.objects.filter(claim_token=self.token).update(claimed_until=now + lease())
        held = Movie.objects.filter(claim_token=self.token).values("session_id")
        Session.objects.filter(Q(pk=self.session.pk) | Q(pk__in=held)).update(enrichment_heartbeat=now)
        self.renewed = time.monotonic()

    def release(self) -> None:
        try:
            Movie.objects.filter(claim_token=self.token).update(claim_token=None, claimed_until=None)
            FilmLookup.objects.filter(claim_token=self.token).delete()
        except (OperationalError, InterfaceError):
            pass  # the database is gone; the leases expire on their own
        self.waiting.clear()
        self.resolving.clear()

    def run(self, budget: float) -> None:
        deadline = time.monotonic() + budget
        capacity = 2 * settings.TMDB_CONCURRENCY
        in_flight: dict[Future, str] = {}  # lookup key of each future
        exhausted = False  # nothing left to claim: stop asking until the next run
        checked = time.monotonic()  # last look at the films this run waits for
        with ThreadPoolExecutor(max_workers=settings.TMDB_CONCURRENCY, thread_name_prefix="tmdb") as pool:

            def look_up(key: str, movies: list[Movie]) -> None:
                self.resolving[key] = movies
                in_flight[pool.submit(resolve, movies[0].title, movies[0].year)] = key

            try:
                while True:
                    now = time.monotonic()
                    if (
                        not exhausted
                        and len(in_flight) < capacity
                        and sum(map(len, self.waiting.values())) < MAX_WAITING
                        and now < deadline
                    ):
                        # Another `capacity` films once fewer than that are in flight, rather than a whole
                        # batch: what a run holds waits its turn at the rate limit, and a small upload arriving
                        # meanwhile (which `claim_order` puts first) should wait for a second or two's worth per
                        # worker, not a batch's. A batch when nothing is in flight: films answered from memory
                        # (a re-upload) never reach the pool, so they go 50 at a time.
                        claimed = self.claim(CLAIM_BATCH if not in_flight else capacity)
                        exhausted = not claimed
                        self.dispatch(claimed, look_up)
                        continue
                    if self.waiting and now - checked >= WAIT_POLL_SECONDS:
                        waiting, self.waiting = self.waiting, {}
                        self.dispatch([movie for movies in waiting.values() for movie in movies], look_up)
                        checked = now
                    if not in_flight:
                        if not self.waiting or now >= deadline:
                            break
                        time.sleep(WAIT_POLL_SECONDS)
                    else:
                        done, _ = wait(in_flight, timeout=WAIT_POLL_SECONDS, return_when=FIRST_COMPLETED)
                        for future in done:
                            key = in_flight.pop(future)
                            self.store(key, self.resolving.pop(key), future.result())
                    if time.monotonic() - self.renewed > settings.ENRICH_LEASE_SECONDS / 4:
                        self.renew()
            except TmdbAuthError as exc:
                self.auth_error = exc
                pool.shutdown(wait=True, cancel_futures=True)

    def dispatch(self, movies: list[Movie], look_up: Callable[[str, list[Movie]], None]) -> None:
        """Send each film where it goes: answered from memory, looked up by this run, or left waiting for
        the worker that is already looking it up."""
        left = self.reuse_identified(movies)
        by_key: dict[str, list[Movie]] = {}
        for movie in left:
            by_key.setdefault(lookup_key(movie), []).append(movie)
        for key in [key for key in by_key if key in self.resolving]:
            self.resolving[key].extend(by_key.pop(key))  # the same film twice in one session: one lookup
        mine = self.claim_lookups(list(by_key))
        # An answer may have landed between the first look at memory and the claim: look again, so a
        # lookup that just finished elsewhere is not done twice.
        claimed = [movie for key in mine for movie in by_key[key]]
        answered = {movie.pk for movie in claimed} - {movie.pk for movie in self.reuse_identified(claimed)}
        for key, group in by_key.items():
            if key not in mine:
                self.waiting.setdefault(key, []).extend(group)
            elif group[0].pk in answered:
                FilmLookup.objects.filter(key=key, claim_token=self.token).delete()
            else:
                look_up(key, group)

    def reuse_identified(self, movies: list[Movie]) -> list[Movie]:
        """Settle films an earlier session identified, with no request; return the ones left to look up."""
        memory = remembered(movies)
        if not memory:
            return movies
        with transaction.atomic():  # one commit for the batch, not one per film
            settled: Counter[tuple[int, str]] = Counter()
            for movie in movies:
                known = memory.get(movie.pk)
                if known is not None and self.settle(
                    movie,
                    source="memory",
                    film=known.film,
                    match_status=known.outcome,
                    match_score=known.score,
                    match_candidates=known.candidates,
                    match_error="",
                ):
                    settled[movie.session_id, known.outcome] += 1
            self.tally(settled)
        self.finish_emptied(settled)
        return [movie for movie in movies if movie.pk not in memory]

    def store(self, key: str, movies: list[Movie], found: Resolution) -> None:
        """Write one lookup's answer to every film waiting on it in this run, remember it for every
        other session, and give the lookup up, all in one transaction."""
        with transaction.atomic():
            settled: Counter[tuple[int, str]] = Counter()
            if found.error is not None:
                status = MatchStatus.FAILED
                for movie in movies:
                    if self.settle(movie, match_status=status, match_error=str(found.error)[:500]):
                        settled[movie.session_id, status] += 1
            else:
                result = found.result
                assert result is not None  # resolve() gives a Resolution either an error or a result
                film = None
                if found.details:
                    assert result.media_type is not None  # details are fetched only for a match, which has its type
                    film = Film.objects.store(result.media_type, found.details)
                remember(movies[0], result, film)
                for movie in movies:
                    if self.settle(
                        movie,
                        film=film,
                        match_status=result.status,
                        match_score=result.score,
                        match_candidates=result.candidates,
                        match_error="",
                    ):
                        settled[movie.session_id, result.status] += 1
            self.tally(settled)
            FilmLookup.objects.filter(key=key, claim_token=self.token).delete()
        self.finish_emptied(settled)

    def settle(self, movie: Movie, source: str = "tmdb", **fields) -> bool:
        """Write a film's outcome; False when it was not this run's to write. Guarded by the lease and the
        pending state: a duplicate run, or a manual correction made meanwhile, is never overwritten."""
        updated = Movie.objects.filter(pk=movie.pk, claim_token=self.token, match_status=MatchStatus.PENDING).update(
            **fields,
            match_attempts=F("match_attempts") + 1,
            enriched_at=timezone.now(),
            claim_token=None,
            claimed_until=None,
        )
        if updated:  # counted once stored: a batch the database rolls back counts nothing
            transaction.on_commit(lambda: self.count_settled(fields["match_status"], source))
        return bool(updated)

    def count_settled(self, verdict: str, source: str) -> None:
        self.settled[verdict] += 1
        metrics.FILMS_IDENTIFIED.labels(verdict, source).inc()

    def tally(self, settled: Mapping[tuple[int, str], int]) -> None:
        """Move films settled in this transaction ({(session id, verdict): films}) from pending to their
        verdicts in their sessions' counts (a run may settle films of several sessions, see `claim_order`)."""
        by_session: dict[int, dict[str, int]] = {}
        for (session_id, verdict), films in sorted(settled.items()):  # sessions locked in one order by all runs
            changes = by_session.setdefault(session_id, {MatchStatus.PENDING: 0})
            changes[MatchStatus.PENDING] -= films
            changes[verdict] = changes.get(verdict, 0) + films
        for session_id, changes in by_session.items():
            Session.tally(session_id, changes)

    def finish_emptied(self, settled: Mapping[tuple[int, str], int]) -> None:
        """Complete, at once, the sessions whose last pending films were just settled: a small upload that
        a run of another session finished should not wait for that run's end to say so."""
        emptied = Session.objects.filter(pk__in={pk for pk, _ in settled}, status=Status.ENRICHING, pending_count=0)
        for session in emptied:
            fetch_collections(session)  # as the session's own run does before it completes
            finish_if_done(session)


def lookup_key(movie: Movie) -> str:
    """A film's identity for the system-wide lookup claim: as FilmMatch remembers it, by film URI, else by
    title and year (hashed, so any title fits the column)."""
    identity = f"uri\x1f{movie.letterboxd_uri}" if movie.letterboxd_uri else f"title\x1f{movie.title}\x1f{movie.year}"
    return hashlib.sha256(identity.encode()).hexdigest()


def remembered(movies: list[Movie]) -> dict[int, FilmMatch]:
    """What earlier sessions resolved these films to: by film URI, else by title and year."""
    if not movies:
        return {}
    uris = {m.letterboxd_uri for m in movies if m.letterboxd_uri}
    titles = {m.title for m in movies}
    rows = FilmMatch.objects.filter(Q(letterboxd_uri__in=uris) | Q(title__in=titles)).select_related("film")
    by_uri: dict[str, FilmMatch] = {}
    by_title: dict[tuple[str, int | None], list[FilmMatch]] = {}
    for row in rows.order_by("updated_at"):
        if row.outcome == MatchStatus.MATCHED and (row.film is None or row.film.fetched_at is None):
            continue
        if row.letterboxd_uri:
            by_uri[row.letterboxd_uri] = row
        by_title.setdefault((row.title, row.year), []).append(row)
    found = {}
    for movie in movies:
        if movie.letterboxd_uri in by_uri:
            found[movie.pk] = by_uri[movie.letterboxd_uri]
            continue
        # A title-and-year memory of a *different* Letterboxd film (namesakes) must not be reused.
        same = [
            r
            for r in by_title.get((movie.title, movie.year), [])
            if not r.letterboxd_uri or not movie.letterboxd_uri or r.letterboxd_uri == movie.letterboxd_uri
        ]
        if same:
            found[movie.pk] = same[-1]
    return found


def _memory_key(movie: Movie):
    """Where a film's outcome is remembered: under its film URI, else under its title and year."""
    if movie.letterboxd_uri:
        return FilmMatch.objects.filter(letterboxd_uri=movie.letterboxd_uri)
    return FilmMatch.objects.filter(letterboxd_uri="", title=movie.title, year=movie.year)


def remember(movie: Movie, result: matching.MatchResult, film: Film | None) -> None:
    _memory_key(movie).delete()
    FilmMatch.objects.create(
        letterboxd_uri=movie.letterboxd_uri,
        title=movie.title,
        year=movie.year,
        outcome=result.status,
        film=film,
        score=result.score,
        candidates=result.candidates,
    )


FORGET_BATCH = 500  # films per query: SQLite caps the number of parameters in one statement


def forget(movies) -> None:
    """Drop what was remembered for these films (by URI, and by title and year, as `remembered` reuses
    both), so the next run searches TMDB afresh."""
    films = list(movies.values_list("letterboxd_uri", "title", "year"))
    for start_at in range(0, len(films), FORGET_BATCH):
        batch = films[start_at : start_at + FORGET_BATCH]
        uris = {uri for uri, _, _ in batch if uri}
        keys = {(title, year) for _, title, year in batch}
        candidates = FilmMatch.objects.filter(
            Q(letterboxd_uri__in=uris) | Q(letterboxd_uri="", title__in={title for title, _ in keys})
        ).values_list("pk", "letterboxd_uri", "title", "year")
        FilmMatch.objects.filter(
            pk__in=[pk for pk, uri, title, year in candidates if uri in uris or (not uri and (title, year) in keys)]
        ).delete()
