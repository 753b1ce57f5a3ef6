"""Update benchmark: a 10,000-film session (30,000 diary entries, 3,000 reviews) takes the same person's next
export, with 300 films and 1,000 diary entries more, through POST /api/session/<id>/upload.

    .venv/bin/python bench/update_bench.py                 # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/update_bench.py

Target on a 2-core machine: under 3 s.
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

    client = Client()
    first = client.post("/api/upload", {"files": [SimpleUploadedFile("letterboxd-bench.zip", large_export_zip())]})
    assert first.status_code == 201, first.content[:500]
    session_id = first.json()["session_id"]
    newer = large_export_zip(new_films=300, new_entries=1_000)
    started, cpu_started = time.perf_counter(), time.process_time()
    response = client.post(
        f"/api/session/{session_id}/upload", {"files": [SimpleUploadedFile("letterboxd-bench-newer.zip", newer)]}
    )
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    assert response.status_code == 200, response.content[:500]
    session = Session.objects.get(public_id=session_id)
    changes = response.json()["upload"]["since_last"]
    print(
        f"update benchmark ({backend()}): {session.movies.count()} films, {session.viewings.count()} diary entries "
        f"after the update; films added {changes['films_added']}, entries added {changes['entries_added']}, "
        f"films removed {changes['films_removed']}, entries removed {changes['entries_removed']}"
    )
    print(f"seconds: {seconds:.2f}")
    # On a machine busy with other work the wall clock says more about the neighbours; this process's CPU
    # time is what the update itself costs (all of it on SQLite, which runs in the process).
    print(f"CPU seconds (this process): {cpu_seconds:.2f}")
    print(f"peak memory (RSS): {peak_rss_mb():.0f} MB")
    print("target (< 3 s):", "met" if seconds < 3 else "MISSED")


if __name__ == "__main__":
    main()
