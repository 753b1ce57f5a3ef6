"""From an export's files to its films: one `FilmRecord` per distinct film, with its diary entries.

The traps this handles (see the export notes): diary and review URIs are the *entry's*, not the
film's, so diary rows attach to films by (Name, Year); many films have no diary row; two films can
share Name and Year (an old-form entry URI names its film's slug, which tells them apart); reviews of films
since gone from Letterboxd have no URI; `deleted/` and `orphaned/` hold rows that must not count.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from unicodedata import normalize

from .files import FILM_FILES, ExportFiles, csv_records, is_blank, list_table_start
from .records import MAX_TEXT_ID, ExportError, FilmRecord, ParsedExport, ViewingRecord, Warnings
from .tables import Table, Tables

# Exports from before 2021 give URIs that spell the film's slug: the film's own in watched.csv and the other
# film files, `https://letterboxd.com/film/<slug>/`, and a diary entry's, `https://letterboxd.com/<user>/film/<slug>/`
# (`.../<slug>/1/` for a second entry of the film). Exports since give opaque `https://boxd.it/<code>` links.
FILM_SLUG_RE = re.compile(r"^https?://(?:www\.)?letterboxd\.com/film/(?P<slug>[^/?#]+)/?$", re.IGNORECASE)
ENTRY_SLUG_RE = re.compile(
    r"^https?://(?:www\.)?letterboxd\.com/[^/?#]+/film/(?P<slug>[^/?#]+)(?:/\d+)?/?$", re.IGNORECASE
)


def film_slug(uri: str) -> str | None:
    """The slug a film URI of the old form names, else None."""
    match = FILM_SLUG_RE.match(uri) if "/film/" in uri else None  # a cheap test first: most URIs are boxd.it links
    return match["slug"].lower() if match else None


def entry_slug(uri: str) -> str | None:
    """The slug of the film a diary entry URI of the old form names, else None."""
    match = ENTRY_SLUG_RE.match(uri) if "/film/" in uri else None
    return match["slug"].lower() if match else None


def key(title: str, year: int | None) -> tuple[str, int | None]:
    """A film's name and year as files are joined on them: in Unicode's composed form (NFC), so "Amélie"
    typed with a combining accent in one file and a precomposed é in another is one film. The title
    itself is kept as the export spells it."""
    return normalize("NFC", title), year


class FilmIndex:
    """The films of one export, identified by film URI where a file has one, else by (Name, Year)."""

    def __init__(self) -> None:
        self.films: list[FilmRecord] = []
        self.by_uri: dict[str, FilmRecord] = {}
        self.by_slug: dict[str, FilmRecord] = {}
        # the film of a (Name, Year), or its films when several share it: a list for every one of 100,000
        # films was 10 MB
        self.by_key: dict[tuple[str, int | None], FilmRecord | list[FilmRecord]] = {}

    def _same(self, title: str, year: int | None) -> list[FilmRecord]:
        """The films called `title` in `year`, in the order they were met."""
        same = self.by_key.get(key(title, year), [])
        return [same] if isinstance(same, FilmRecord) else same

    def _new(self, title: str, year: int | None, uri: str) -> FilmRecord:
        film = FilmRecord(title=title, year=year)
        self.films.append(film)
        k = key(title, year)
        held = self.by_key.get(k)
        if held is None:
            self.by_key[k] = film
        elif isinstance(held, FilmRecord):
            self.by_key[k] = [held, film]
        else:
            held.append(film)
        if uri:
            self._give_uri(film, uri)
        return film

    def _give_uri(self, film: FilmRecord, uri: str) -> None:
        film.uri = uri
        self.by_uri[uri] = film
        slug = film_slug(uri)
        if slug:
            self.by_slug.setdefault(slug, film)

    def by_film_uri(self, title: str, year: int | None, uri: str) -> FilmRecord:
        """For files whose URI is the film's: two URIs under one (Name, Year) are two films."""
        if uri and uri in self.by_uri:
            return self.by_uri[uri]
        same = self._same(title, year)
        if not uri:
            return same[0] if same else self._new(title, year, "")
        for film in same:
            if not film.uri:
                self._give_uri(film, uri)
                return film
        return self._new(title, year, uri)

    def by_entry(self, title: str, year: int | None, uri: str) -> tuple[FilmRecord, bool]:
        """For diary and review rows (their URI is the entry's). Returns the film and whether it was ambiguous.

        An old-form entry URI names its film's slug, which tells apart two films sharing Name and Year;
        otherwise the entry joins its film by (Name, Year)."""
        slug = entry_slug(uri)
        if slug is not None and slug in self.by_slug:
            return self.by_slug[slug], False
        same = self._same(title, year)
        if slug is not None:  # a film whose URI names another slug is another film
            same = [film for film in same if film_slug(film.uri) is None]
        if not same:
            return self._new(title, year, f"https://letterboxd.com/film/{slug}/" if slug else ""), False
        return same[0], len(same) > 1


def parse_files(files: ExportFiles) -> ParsedExport:
    """The films of an export's files, with their diary, or ExportError when it holds none.

    It takes the texts out of `files`: each file's table is read when its rows are needed and dropped once
    they are, so a large export's texts, tables and records are never all held at once."""
    warnings = Warnings()
    texts = _usable_texts(files, warnings)
    files.texts = {}
    tables = Tables(texts, warnings)  # the texts of the tables leave `texts`
    index = FilmIndex()
    _add_library(index, tables, warnings)  # the tables leave `tables` as they are read
    reviews_without_diary = _add_diary(index, tables, warnings)
    rows = tables.rows()
    if not index.films:
        raise ExportError(
            f"This export has no films: {_and(sorted(rows))} {'hold' if len(rows) > 1 else 'holds'} no row "
            "with a film name. Log a film on Letterboxd, then export again."
        )
    if "ratings.csv" not in rows:
        _rate_from_diary(index.films)
    metadata = {
        "files": files.uploaded,
        "rows": rows,
        "skipped": files.skipped,
        "lists": _parse_lists(texts, warnings),
        "reviews_without_diary": reviews_without_diary,
    }
    return ParsedExport(films=index.films, warnings=warnings.as_list(), metadata=metadata, username=_username(tables))


def _usable_texts(files: ExportFiles, warnings: Warnings) -> dict[str, bytes]:
    """The files worth reading (empty ones are warned about), or ExportError when no film file is left."""
    empty = sorted(name for name, text in files.texts.items() if is_blank(text))
    for name in empty:
        warnings.add(name, None, "the file is empty; skipped.")
    texts = {name: text for name, text in files.texts.items() if name not in empty}
    if not any(name in texts for name in FILM_FILES):
        raise ExportError(_not_an_export(files, empty))
    for name in files.nested_zips:
        warnings.add(None, None, f"{name}: ZIP files inside the ZIP are not opened.")
    if files.folders:
        warnings.add(
            None,
            None,
            f"the files come from different folders of the ZIP ({_and(files.folders)}): "
            "they may be parts of different exports. Upload one export as Letterboxd made it.",
        )
    return texts


def _film_rows(table: Table, warnings: Warnings) -> Iterator[tuple[int, str, int | None, str, date | None]]:
    """(index, name, year, URI, date) of each row that names a film."""
    titles = table.column("Name")
    uris = table.column("Letterboxd URI")
    for i, (title, year, uri, when) in enumerate(
        zip(titles, table.years(warnings), uris, table.dates("Date", warnings), strict=True)
    ):
        if not title:
            warnings.add(table.name, table.line(i), "no film name; row skipped.")
            continue
        if len(uri) > MAX_TEXT_ID:
            raise ExportError(
                f"{table.name} line {table.line(i)}: the Letterboxd URI is {len(uri)} characters long; Letterboxd's "
                f"are under {MAX_TEXT_ID}, so the file was changed. Export it again from Letterboxd."
            )
        yield i, title, year, uri, when


def _add_library(index: FilmIndex, tables: Tables, warnings: Warnings) -> None:
    """watched.csv, ratings.csv, likes and the watchlist: files whose URI is the film's. Each table leaves
    `tables` as it is read."""
    if "watched.csv" in tables:
        for _, title, year, uri, when in _film_rows(tables.pop("watched.csv"), warnings):
            film = index.by_film_uri(title, year, uri)
            film.watched, film.watched_date = True, when
    if "ratings.csv" in tables:
        ratings = tables["ratings.csv"].ratings(warnings)
        for i, title, year, uri, when in _film_rows(tables.pop("ratings.csv"), warnings):
            film = index.by_film_uri(title, year, uri)
            film.watched = True  # rating a film on Letterboxd marks it watched
            film.rating, film.rated_date = ratings[i], when
        del ratings
    if "likes/films.csv" in tables:
        for _, title, year, uri, when in _film_rows(tables.pop("likes/films.csv"), warnings):
            film = index.by_film_uri(title, year, uri)
            film.liked, film.liked_date = True, when
    if "watchlist.csv" in tables:
        for _, title, year, uri, when in _film_rows(tables.pop("watchlist.csv"), warnings):
            film = index.by_film_uri(title, year, uri)
            film.in_watchlist, film.watchlist_date = True, when


def _add_diary(index: FilmIndex, tables: Tables, warnings: Warnings) -> int:
    """diary.csv, then reviews.csv: entries whose URI is the entry's, joined to their film by name and year
    (or the slug an old-form URI names); a review joins its diary entry by entry URI or, when older exports
    left the URI empty (films since gone from Letterboxd), by what the two rows share. Returns how many
    reviews had no diary row: they stay entries of their own. Each table leaves `tables` as it is read."""
    entries: dict[str, ViewingRecord] = {}
    # diary rows without a URI that no review has joined yet, by what a review row repeats of them
    unjoined: dict[tuple, list[ViewingRecord]] = defaultdict(list)
    reviews_without_diary = 0
    row = 0  # entries in the export's order, diary.csv first
    for name in ("diary.csv", "reviews.csv"):
        if name not in tables:
            continue
        table = tables.pop(name)
        watched_dates = table.dates("Watched Date", warnings)
        ratings = table.ratings(warnings)
        rewatches = table.column("Rewatch")
        tags = table.column("Tags")
        reviews = table.column("Review")
        # read once per distinct value: few
        tag_lists = {raw: [t.strip() for t in raw.split(",") if t.strip()] for raw in set(tags)}
        said_yes = {raw: raw.lower() == "yes" for raw in set(rewatches)}
        in_reviews = name == "reviews.csv"
        for i, title, year, uri, logged in _film_rows(table, warnings):
            rewatch = said_yes[rewatches[i]]
            entry_tags = tag_lists[tags[i]]  # shared by the entries with the same tags: nothing changes a record's
            # what a review row without a URI repeats of its diary row
            shared = None if uri else (title, year, watched_dates[i], ratings[i], rewatch)
            if in_reviews:
                if uri and uri in entries:
                    entries[uri].review = reviews[i]
                    continue
                if shared and unjoined[shared]:
                    # Among look-alikes, the row logged the same day with the same tags is this review's entry.
                    alike = unjoined[shared]
                    at = next((k for k, v in enumerate(alike) if (v.logged_date, v.tags) == (logged, entry_tags)), 0)
                    alike.pop(at).review = reviews[i]
                    continue
                reviews_without_diary += 1
            elif uri and uri in entries:
                warnings.add(name, table.line(i), f"entry {uri} appears twice; the second row was skipped.")
                continue
            film, ambiguous = index.by_entry(title, year, uri)
            if ambiguous:
                warnings.add(
                    name,
                    table.line(i),
                    f"two films are called {title} ({year}); this entry was attached to the first ({film.uri}).",
                )
            # (entry_uri, watched_date, logged_date, rating, rewatch, tags, review, row), positional: 300,000 of them
            viewing = ViewingRecord(
                uri, watched_dates[i], logged, ratings[i], rewatch, entry_tags, reviews[i] if in_reviews else "", row
            )
            row += 1
            film.viewings.append(viewing)
            film.watched = True
            if shared is None:
                entries[uri] = viewing
            elif not in_reviews:
                unjoined[shared].append(viewing)
        # The diary's table and columns go before the reviews' are read: held on, they were a peak of the import.
        del table, watched_dates, ratings, rewatches, tags, reviews
    return reviews_without_diary


def _rate_from_diary(films: list[FilmRecord]) -> None:
    """Without ratings.csv the newest diary rating is the best knowledge of the current one."""
    for film in films:
        rated = [v for v in film.viewings if v.rating is not None]
        if rated:
            latest = max(rated, key=lambda v: (v.watched_date or date.min, v.logged_date or date.min))
            film.rating, film.rated_date = latest.rating, latest.logged_date


def _username(tables: Tables) -> str:
    usernames = tables["profile.csv"].column("Username") if "profile.csv" in tables else []
    username = usernames[0] if usernames else ""
    if len(username) > MAX_TEXT_ID:
        raise ExportError(
            f"profile.csv line {tables['profile.csv'].line(0)}: the username is {len(username)} characters long; "
            f"Letterboxd's are under {MAX_TEXT_ID}, so the file was changed. Export it again from Letterboxd."
        )
    return username


def _not_an_export(files: ExportFiles, empty: list[str]) -> str:
    """Why an upload without watched.csv, diary.csv or ratings.csv is refused, in the words that help most."""
    if files.nested_zips:
        return (
            f"This is not a Letterboxd export: {_and(files.nested_zips)} {'is itself a ZIP' if len(files.nested_zips) == 1 else 'are ZIPs'}, "
            "and ZIPs inside a ZIP are not opened. Unzip the outer one and upload the export ZIP itself."
        )
    film_files = [name for name in empty if name in FILM_FILES]
    if film_files:
        return f"{_and(film_files)} {'is' if len(film_files) == 1 else 'are'} empty. Upload the export as Letterboxd made it."
    if files.skipped and not files.texts:
        return (
            "This is not a Letterboxd export: it has only deleted/ or orphaned/ files, which hold entries removed from "
            "a profile. Upload the whole export ZIP."
        )
    present = ", ".join(sorted(files.texts)) or "no CSV files"
    return f"This is not a Letterboxd export: it has no watched.csv, diary.csv or ratings.csv (found {present})."


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _parse_lists(texts: dict[str, bytes], warnings: Warnings) -> list[dict]:
    """lists/<slug>.csv: a banner, the list's own row, a blank line, then the entry table found by its header.

    Each list keeps its films as keys (the film URI, else "Name (Year)"), so a later export of the same
    person can say which films joined or left it; and beside them, in the same order (the list's, which a
    ranked list ranks by), each entry's position, name and year, for the list's page: a list names films
    that are nowhere else in the export."""
    lists = []
    for name in sorted(n for n in texts if n.startswith("lists/")):
        try:
            rows = [row for row in csv_records(texts[name]) if row]
        except csv.Error as exc:
            warnings.add(name, None, f"list not read ({exc}).")
            continue
        start = list_table_start(rows)
        if start is None:
            warnings.add(name, None, "no Position,Name,Year,URL table found; list skipped.")
            continue
        title = ""
        for i, row in enumerate(rows[:start]):
            if [c.strip() for c in row[:2]] == ["Date", "Name"] and i + 1 < start and len(rows[i + 1]) > 1:
                title = rows[i + 1][1]
        films = [_list_film_key(row) for row in rows[start:]]
        entries = [_list_entry(i, row) for i, row in enumerate(rows[start:], start=1)]
        lists.append(
            {"file": name, "name": title or name[6:-4], "entries": len(films), "films": films, "rows": entries}
        )
    return lists


def _list_film_key(row: list[str]) -> str:
    """A list entry's film: its URI (a film URI in list tables), else its name and year."""
    cells = [c.strip() for c in row] + ["", "", ""]
    _, title, year, uri = cells[:4]
    return uri or (f"{title} ({year})" if year else title)


def _list_entry(index: int, row: list[str]) -> list:
    """[position, name, year] of a list entry; the position is the row's own (else its place in the file)."""
    cells = [c.strip() for c in row] + ["", "", ""]
    position, title, year = cells[:3]
    return [int(position) if position.isdigit() else index, title, int(year) if year.isdigit() else None]
