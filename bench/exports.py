"""A large synthetic Letterboxd export, in the real format, for the benchmarks."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from datetime import date, timedelta


def large_export_zip(
    films: int = 10_000,
    diary: int = 30_000,
    reviews: int = 3_000,
    seed: int = 7,
    titles=None,
    uris=None,
    new_films: int = 0,
    new_entries: int = 0,
) -> bytes:
    """ZIP bytes: `films` watched films (most rated, some liked), `diary` entries, `reviews` multi-line reviews.

    `titles` (a list of (title, year)) overrides the generated film names, e.g. to match a TMDB test catalogue;
    `uris` their film URIs, so one film keeps one URI across exports (as on Letterboxd).
    `new_films` and `new_entries` make the same person's next export: the same rows, plus that many films
    watched and diary entries logged since (the new entries on new and old films alike)."""
    rng = random.Random(seed)
    names = list(titles) if titles else [(f"Bench Film {i:05d} – Part {i % 7}", 1920 + i % 105) for i in range(films)]
    uris = list(uris) if uris else [f"https://boxd.it/f{i:x}" for i in range(len(names))]

    def table(header, rows) -> bytes:
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue().encode()

    start = date(2015, 1, 1)
    watched = [
        [str(start + timedelta(days=i % 3000)), t, y, u] for i, ((t, y), u) in enumerate(zip(names, uris, strict=True))
    ]
    ratings = [r[:4] + [str(rng.choice(range(1, 11)) / 2).replace(".0", "")] for r in watched if rng.random() < 0.8]
    likes = [r for r in watched if rng.random() < 0.3]
    entries = []
    for n in range(diary):
        i = rng.randrange(len(names))
        seen = start + timedelta(days=rng.randrange(3650))
        rating = str(rng.choice(range(1, 11)) / 2).replace(".0", "")
        entries.append(
            [
                str(seen + timedelta(days=1)),
                names[i][0],
                names[i][1],
                f"https://boxd.it/e{n:x}",
                rating,
                "Yes" if rng.random() < 0.15 else "",
                "tag one, tag two" if n % 10 == 0 else "",
                str(seen),
            ]
        )
    review_rows = [
        e[:6] + [f'Line one of review {n}.\r\n\r\n<i>Second paragraph</i>, with "quotes" and commas.', e[6], e[7]]
        for n, e in enumerate(rng.sample(entries, min(reviews, len(entries))))
    ]
    later = random.Random(seed + 1)  # the base rows above stay exactly those of the earlier export
    start_new = date(2025, 6, 1)
    for i in range(films, films + new_films):
        names.append((f"Bench Film {i:05d} – Part {i % 7}", 1920 + i % 105))
        uris.append(f"https://boxd.it/f{i:x}")
        watched.append([str(start_new + timedelta(days=i % 100)), *names[-1], uris[-1]])
    for n in range(diary, diary + new_entries):
        i = films + n % new_films if new_films and n % 3 else later.randrange(films)
        seen = start_new + timedelta(days=later.randrange(150))
        entries.append(
            [str(seen + timedelta(days=1)), names[i][0], names[i][1], f"https://boxd.it/e{n:x}", "4", "", "", str(seen)]
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("watched.csv", table(["Date", "Name", "Year", "Letterboxd URI"], watched))
        archive.writestr("ratings.csv", table(["Date", "Name", "Year", "Letterboxd URI", "Rating"], ratings))
        archive.writestr("likes/films.csv", table(["Date", "Name", "Year", "Letterboxd URI"], likes))
        archive.writestr(
            "diary.csv",
            table(["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Tags", "Watched Date"], entries),
        )
        archive.writestr(
            "reviews.csv",
            table(
                ["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Review", "Tags", "Watched Date"],
                review_rows,
            ),
        )
    return buffer.getvalue()
