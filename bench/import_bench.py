"""Import benchmark: a 10,000-film, 30,000-entry, 3,000-review export through POST /api/upload.

    .venv/bin/python bench/import_bench.py                 # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/import_bench.py

Targets on a 2-core machine: under 5 s and under 400 MB peak memory.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.exports import large_export_zip  # noqa: E402
from bench.harness import backend, peak_rss_mb, setup_django  # noqa: E402


def main() -> None:
    setup_django()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from sessions_app.models import Session

    data = large_export_zip()
    client = Client()
    started = time.perf_counter()
    response = client.post("/api/upload", {"files": [SimpleUploadedFile("letterboxd-bench.zip", data)]})
    seconds = time.perf_counter() - started
    assert response.status_code == 201, response.content[:500]
    session = Session.objects.get(public_id=response.json()["session_id"])
    films, viewings = session.movies.count(), session.viewings.count()
    reviews = session.viewings.exclude(review="").count()
    rows = films + viewings
    print(
        f"import benchmark ({backend()}): {films} films, {viewings} diary entries, {reviews} reviews, "
        f"{len(data) / 1e6:.1f} MB ZIP"
    )
    print(f"seconds: {seconds:.2f}")
    print(f"rows per second: {rows / seconds:,.0f}")
    print(f"peak memory (RSS): {peak_rss_mb():.0f} MB")
    ok = seconds < 5 and peak_rss_mb() < 400
    print("targets (< 5 s, < 400 MB):", "met" if ok else "MISSED")


if __name__ == "__main__":
    main()
