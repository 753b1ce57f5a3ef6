"""Loading a newer export into a session that already holds one, so the session follows its person.

In one transaction the session's films, diary, ratings, likes, watchlist and lists become the new
export's: new films are added, films gone are removed, what changed is updated. A film that stays
keeps its Movie row and with it its identification (a TMDB film found by enrichment, or chosen by
hand), so only films not seen before are left pending for TMDB. The upload history records what
changed since the previous upload. An export older than the one held is refused unless asked.
"""

from __future__ import annotations

import gc
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from operator import attrgetter
from typing import IO, cast

from django.db import connections, models, router, transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from enrichment import services as enrichment

from .importing import bulk_insert, movie_fields, upload_record
from .letterboxd import FilmRecord, ParsedExport, film_slug, read_export
from .models import Movie, Session, Viewing

# The Viewing columns an export sets, in the order entries are compared across exports: film, entry URI,
# dates, rating, rewatch (which together say which entry it is), then the rest, tags last.
COMPARED = ("movie_id", "entry_uri", "watched_date", "logged_date", "rating", "rewatch", "review", "tags")
DELETE_BATCH = 500  # ids per DELETE: SQLite caps the number of parameters in one statement

Pairs = list[tuple[int, FilmRecord]]  # (Movie id, the film of the new export it is)


class OlderExport(Exception):
    """The export is older than the one the session holds: loading it would go back in time."""


def update_from_upload(session: Session, uploads: Iterable[tuple[str, IO[bytes], int]], replace: bool = False) -> dict:
    """Load uploaded files [(name, file object, size)] into `session`; returns the new upload-history entry.

    Raises letterboxd.ExportError or OlderExport (unless `replace`), and then changes nothing."""
    with _no_collector_passes():
        return load(session, read_export(uploads), replace)


@contextmanager
def _no_collector_passes() -> Iterator[None]:
    """Hold Python's cycle collector off for one update. The parsed export and the diary compared with it
    are a few hundred thousand objects kept to the end, which the collector would walk again and again:
    a third of an update's time. Reference counting frees them; the few cycles made meanwhile are collected
    once the collector is back. (It is the process's: web processes serve one request at a time, see README.)"""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load(session: Session, export: ParsedExport, replace: bool = False) -> dict:
    """Load a parsed export into `session`: all of it or, on any error, nothing. New films are queued
    for enrichment once committed."""
    with transaction.atomic():
        # One update of a session at a time: a second one waits, then compares itself with the first.
        session = Session.objects.select_for_update().get(pk=session.pk)
        replaced = _goes_back(session, export, replace)
        return _apply(session, export, replaced)


def _goes_back(session: Session, export: ParsedExport, replace: bool) -> bool:
    """Whether the export is older than the one held (by newest diary or watched date); OlderExport unless `replace`."""
    held = session.last_upload["newest_date"] if session.last_upload else None
    newest = export.newest_date.isoformat() if export.newest_date else None
    if held is None or (newest is not None and newest >= held):
        return False
    if replace:
        return True
    raise OlderExport(
        f"This export is older than the one already here: its newest diary or watched date is "
        f"{newest or 'missing'}, and the session's is {held}. Upload your latest export, or ask to replace "
        "anyway to go back to this one (the “Replace anyway” box; replace=true in the API; --replace for the command)."
    )


def _apply(session: Session, export: ParsedExport, replaced: bool) -> dict:
    old = {row["id"]: row for row in session.movies.values("id", *Movie.EXPORT_FIELDS)}
    pairs, new_films = pair_films(list(old.values()), export.films)
    kept = {movie_id for movie_id, _ in pairs}
    gone = [movie_id for movie_id in old if movie_id not in kept]

    _delete(Movie, gone)  # with their diary entries
    changed = []
    for movie_id, film in pairs:
        fields = movie_fields(film)
        if any(fields[name] != old[movie_id][name] for name in Movie.EXPORT_FIELDS):
            changed.append((movie_id, fields))
    update_rows(Movie, Movie.EXPORT_FIELDS, changed)
    # Ids grow in insertion order, past every id the session keeps (see importing.store).
    last_kept = max(kept, default=0)
    bulk_insert(Movie, ({"session_id": session.pk, **movie_fields(film)} for film in new_films))
    new_ids = session.movies.filter(id__gt=last_kept).order_by("id").values_list("id", flat=True)
    diary = _load_diary(session, [*pairs, *zip(new_ids, new_films, strict=True)])

    since = since_last(session, export, old, pairs, new_films, gone, diary)
    record = upload_record(export, since_last=since, replaced=replaced)
    fields = {
        "total_movies": len(export.films),
        "username": export.username or session.username,
        "metadata": export.metadata,
        "warnings": export.warnings,
        "uploads": [*session.uploads, record],
    }
    if new_films:  # only the new films are pending: they go to enrichment as a new upload's do
        fields["status"] = Session.Status.PROCESSING
        transaction.on_commit(lambda: enrichment.enqueue(session), robust=True)  # as importing's
    Session.objects.filter(pk=session.pk).update(**fields)
    Session.recount(session.pk)  # films came and went: the counts beside the session follow the rows
    return record


def _load_diary(session: Session, films: Pairs) -> tuple[int, int]:
    """Make the session's diary the export's, writing only the entries that are new or changed (an export
    is a full snapshot: entries are added, edited and deleted freely). Returns (entries added, removed):
    an entry is the same entry across exports by its URI, else by its film, dates, rating and rewatch flag."""
    held: dict[tuple, list[tuple[int, tuple]]] = defaultdict(list)
    # Tags come last, read as JSON text and decoded only when there are some: decoding every row's empty
    # list was a third of an update's time for a 30,000-entry diary.
    rows = Viewing.objects.filter(session=session).values_list("id", *COMPARED[:-1], Cast("tags", TextField()))
    for pk, *values, tags in rows:
        entry = (*values, [] if tags == "[]" else json.loads(tags))
        held[_entry_key(entry)].append((pk, entry))
    read = attrgetter(*COMPARED[1:])  # the ViewingRecord attributes have the column names
    stale: list[int] = []
    fresh = []
    added = 0
    for movie_id, film in films:
        for viewing in film.viewings:
            entry = (movie_id, *read(viewing))
            same = held.get(_entry_key(entry))
            if same:
                pk, before = same.pop()
                if before == entry:
                    continue
                stale.append(pk)  # edited: written afresh
            else:
                added += 1
            fresh.append(
                {"session_id": session.pk, "diary_row": viewing.row, **dict(zip(COMPARED, entry, strict=True))}
            )
    removed = [pk for entries in held.values() for pk, _ in entries]
    _delete(Viewing, stale + removed)  # first: an edited entry keeps its URI, which is unique in a session
    bulk_insert(Viewing, fresh)
    return added, len(removed)


def _entry_key(entry: tuple) -> tuple:
    """An entry (COMPARED's values) → which entry it is: its URI or, for films gone from Letterboxd (whose
    URIs are empty), its film, dates, rating and rewatch flag."""
    movie_id, uri, watched, logged, rating, rewatch = entry[:6]
    return (uri,) if uri else (movie_id, watched, logged, rating, rewatch)


def _delete(model: type[models.Model], ids: list[int]) -> None:
    for at in range(0, len(ids), DELETE_BATCH):
        model._default_manager.filter(pk__in=ids[at : at + DELETE_BATCH]).delete()


def pair_films(old: list[dict], films: list[FilmRecord]) -> tuple[Pairs, list[FilmRecord]]:
    """Which Movie each film of the new export is, and the films that are new.

    A film is the Movie with its film URI; else the one with its name and year, unless both URIs are
    of one vintage and differ (two films sharing a name and year). URIs of different vintages
    (`letterboxd.com/film/<slug>/` then `boxd.it/<code>`) cannot be compared, so name and year decide."""
    by_uri = {row["letterboxd_uri"]: row["id"] for row in old if row["letterboxd_uri"]}
    by_key: dict[tuple[str, int | None], list[dict]] = defaultdict(list)
    for row in old:
        by_key[(row["title"], row["year"])].append(row)
    taken: set[int] = set()
    pairs: Pairs = []
    unpaired = []
    for film in films:
        movie_id = by_uri.get(film.uri) if film.uri else None
        if movie_id is None or movie_id in taken:
            unpaired.append(film)
            continue
        taken.add(movie_id)
        pairs.append((movie_id, film))
    new: list[FilmRecord] = []
    for film in unpaired:
        same = [r for r in by_key[(film.title, film.year)] if r["id"] not in taken]
        matching = [r for r in same if _may_be_one_film(r["letterboxd_uri"], film.uri)]
        if not matching:
            new.append(film)
            continue
        taken.add(matching[0]["id"])
        pairs.append((matching[0]["id"], film))
    return pairs, new


def _may_be_one_film(held: str, uri: str) -> bool:
    return not held or not uri or (film_slug(held) is None) != (film_slug(uri) is None)


def since_last(
    session: Session,
    export: ParsedExport,
    old: dict[int, dict],
    pairs: Pairs,
    new_films: list[FilmRecord],
    gone: list[int],
    diary: tuple[int, int],
) -> dict:
    """What changed since the session's previous upload, for "since your last upload"."""
    kept = [(old[movie_id], film) for movie_id, film in pairs]
    list_added, list_removed = _list_changes(session.metadata.get("lists", []), export.metadata["lists"])
    return {
        "films_added": len(new_films),
        "films_removed": len(gone),
        "films_watched": sum(f.watched for f in new_films) + sum(f.watched and not o["watched"] for o, f in kept),
        "entries_added": diary[0],
        "entries_removed": diary[1],
        "ratings_up": sum(None not in (o["rating"], f.rating) and f.rating > o["rating"] for o, f in kept),
        "ratings_down": sum(None not in (o["rating"], f.rating) and f.rating < o["rating"] for o, f in kept),
        "watchlist_added": sum(f.in_watchlist for f in new_films)
        + sum(f.in_watchlist and not o["in_watchlist"] for o, f in kept),
        "watchlist_removed": sum(old[movie_id]["in_watchlist"] for movie_id in gone)
        + sum(o["in_watchlist"] and not f.in_watchlist for o, f in kept),
        "list_entries_added": list_added,
        "list_entries_removed": list_removed,
    }


def _list_changes(held: list[dict], lists: list[dict]) -> tuple[int, int]:
    """Films added to and removed from lists (a new list's films are added, a deleted list's removed).
    Lists stored before lists kept their films cannot be compared and count for nothing."""
    before = {x["file"]: Counter(x["films"]) for x in held if "films" in x}
    after = {x["file"]: Counter(x["films"]) for x in lists}
    unknown = {x["file"] for x in held} - set(before)
    added = removed = 0
    for name in (set(before) | set(after)) - unknown:
        added += (after.get(name, Counter()) - before.get(name, Counter())).total()
        removed += (before.get(name, Counter()) - after.get(name, Counter())).total()
    return added, removed


def update_rows(model: type[models.Model], fields: tuple[str, ...], rows: list[tuple[int, dict]]) -> None:
    """UPDATE rows [(pk, {attname: value})] in bulk: one prepared statement run many times, values prepared
    per column as the ORM would (as `bulk_insert` does for INSERTs)."""
    if not rows:
        return
    db = connections[router.db_for_write(model)]
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    columns = [by_name[name] for name in fields]
    quote = db.ops.quote_name
    # Django calls a field concrete exactly when it has a column, so no f.column here is None.
    assignments = ", ".join(f"{quote(cast(str, f.column))} = %s" for f in columns)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(cast(str, by_name['id'].column))} = %s"
    prepared = [[f.get_db_prep_save(values[f.attname], db) for f in columns] + [key] for key, values in rows]
    with db.cursor() as cursor:
        cursor.executemany(sql, prepared)
