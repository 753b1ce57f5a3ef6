"""The TMDB double: catalogue answers, TMDB's shapes and errors, injected faults and rate limits, control endpoints."""

import os
import queue
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from enrichment.tmdb.catalogue import HARD_CASES, SYNTHETIC_IDS_FROM, letterboxd_rows, synthetic_catalogue, words
from enrichment.tmdb.double import TmdbDouble

BASE_DIR = Path(__file__).resolve().parents[3]


def get(double: TmdbDouble, path: str, *, auth: bool = True, timeout: float = 5, **params) -> requests.Response:
    headers = {"Authorization": f"Bearer {double.config.read_token}"} if auth else {}
    return requests.get(double.url + path, params=params, headers=headers, timeout=timeout)


def search(double: TmdbDouble, kind: str, query: str, **params) -> list[dict]:
    response = get(double, f"/search/{kind}", query=query, **{k: v for k, v in params.items() if v is not None})
    assert response.status_code == 200, response.text
    return response.json()["results"]


def same_title(query: str, item: dict) -> bool:
    return words(query) in (
        words(item.get("title") or item["name"]),
        words(item.get("original_title") or item["original_name"]),
    )


@pytest.mark.parametrize("title, year, status, tmdb_id, media_type", HARD_CASES)
def test_it_answers_each_hard_case_as_documented(tmdb_double, title, year, status, tmdb_id, media_type):
    movies = search(tmdb_double, "movie", title, year=year)
    series = search(tmdb_double, "tv", title, first_air_date_year=year)
    if status == "matched":
        found = movies if media_type == "movie" else series
        chosen = next(item for item in found if item["id"] == tmdb_id)
        # any namesake of the same year is one a careful human dismisses: 30x fewer votes or more
        rivals = [i for i in found if i["id"] != tmdb_id and same_title(title, i)]
        assert all(chosen["vote_count"] >= 30 * max(1, r["vote_count"]) for r in rivals)
    elif status == "ambiguous":
        namesakes = sorted((i["vote_count"] for i in movies if same_title(title, i)), reverse=True)
        assert len(namesakes) >= 2 and namesakes[0] < 10 * namesakes[1]
    else:
        anywhere = search(tmdb_double, "movie", title) + search(tmdb_double, "tv", title)
        assert not [i for i in anywhere if same_title(title, i)]
    assert tmdb_double.stats()["statuses"] == {"200": tmdb_double.requests}


def test_it_filters_year_on_any_release_and_primary_year_on_the_main_one(tmdb_double):
    assert search(tmdb_double, "movie", "Nomadland", primary_release_year=2020) == []
    assert [m["id"] for m in search(tmdb_double, "movie", "Nomadland", year=2020)] == [581734]
    assert [m["id"] for m in search(tmdb_double, "movie", "Nomadland", primary_release_year=2021)] == [581734]
    assert search(tmdb_double, "movie", "Nomadland", year=2020)[0]["release_date"] == "2021-02-19"
    assert [m["id"] for m in search(tmdb_double, "movie", "Suspiria")] == [11906, 361292]  # by popularity


@pytest.mark.parametrize(
    "query, kind, tmdb_id",
    [
        ("wall-e", "movie", 10681),
        ("Leon the professional", "movie", 101),
        ("SCHINDLERS LIST", "movie", 424),
        ("Mission: Impossible – Dead Reckoning Part One", "movie", 575264),
        ("기생충", "movie", 496243),  # original title
        ("Straume", "movie", 823219),  # alternative title
        ("Three Colours Blue", "movie", 108),
        ("love death and robots", "tv", 86831),
    ],
)
def test_it_matches_titles_ignoring_case_accents_and_punctuation(tmdb_double, query, kind, tmdb_id):
    assert tmdb_id in [item["id"] for item in search(tmdb_double, kind, query)]


def test_it_pages_search_results_twenty_at_a_time():
    with TmdbDouble(synthetic_catalogue(400, seed=3)) as double:
        first = get(double, "/search/movie", query="the").json()
        second = get(double, "/search/movie", query="the", page=2).json()
        assert len(first["results"]) == 20 and first["page"] == 1
        assert first["total_results"] > 40 and first["total_pages"] == -(-first["total_results"] // 20)
        assert not {m["id"] for m in first["results"]} & {m["id"] for m in second["results"]}
        popularity = [m["popularity"] for m in first["results"] + second["results"]]
        assert popularity == sorted(popularity, reverse=True)
        bad_page = get(double, "/search/movie", query="the", page=0)
        assert bad_page.status_code == 400 and bad_page.json()["status_code"] == 22
        no_query = get(double, "/search/movie")
        assert no_query.status_code == 422 and no_query.json() == {"errors": ["query must be provided"]}


def test_it_serves_details_with_appended_credits_and_tmdb_errors(tmdb_double):
    film = get(tmdb_double, "/movie/545611", append_to_response="credits").json()
    assert film["title"] == "Everything Everywhere All at Once" and film["runtime"] == 140
    assert [c["name"] for c in film["credits"]["crew"] if c["job"] == "Director"] == ["Daniel Kwan", "Daniel Scheinert"]
    assert [c["order"] for c in film["credits"]["cast"]] == [0, 1, 2]
    assert "id" not in film["credits"] and film["genres"][0] == {"id": 28, "name": "Action"}
    assert film["production_countries"] == [{"iso_3166_1": "US", "name": "United States of America"}]
    assert "credits" not in get(tmdb_double, "/movie/545611").json()

    series = get(tmdb_double, "/tv/87108", append_to_response="credits").json()
    assert (series["name"], series["type"], series["number_of_episodes"]) == ("Chernobyl", "Miniseries", 5)
    assert series["credits"]["cast"][0]["name"] == "Jared Harris" and series["created_by"][0]["name"] == "Craig Mazin"

    missing = get(tmdb_double, "/movie/123456789")
    assert missing.status_code == 404
    assert missing.json() == {
        "status_code": 34,
        "status_message": "The resource you requested could not be found.",
        "success": False,
    }
    assert missing.headers["Cache-Control"] == "public, max-age=300"
    assert "w500" in get(tmdb_double, "/configuration").json()["images"]["poster_sizes"]
    assert {"id": 878, "name": "Science Fiction"} in get(tmdb_double, "/genre/movie/list").json()["genres"]
    assert tmdb_double.movie_fetches() == {545611: 2}
    assert tmdb_double.stats()["by_kind"] == {"movie": 3, "tv": 1, "configuration": 1, "genres": 1}


def test_it_accepts_only_its_key_or_its_token(tmdb_double):
    assert get(tmdb_double, "/configuration").status_code == 200
    assert get(tmdb_double, "/configuration", auth=False, api_key=tmdb_double.config.api_key).status_code == 200
    refused = [
        get(tmdb_double, "/configuration", auth=False),
        get(tmdb_double, "/configuration", auth=False, api_key="wrong"),
        requests.get(
            tmdb_double.url + "/configuration",
            timeout=5,  # a v3 key sent as Bearer
            headers={"Authorization": f"Bearer {tmdb_double.config.api_key}"},
        ),
    ]
    for response in refused:
        assert response.status_code == 401 and response.json()["status_code"] == 7
        assert response.json()["success"] is False and response.headers["Cache-Control"] == "public, max-age=300"
    assert tmdb_double.stats()["statuses"] == {"200": 2, "401": 3}


def test_it_rate_limits_over_a_sliding_second(tmdb_double):
    tmdb_double.configure(rate_limit=3)
    answers = [get(tmdb_double, "/configuration") for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert answers[3].headers["Retry-After"] == "1" and answers[3].json()["status_code"] == 25
    assert answers[3].headers["Cache-Control"] == "public, max-age=300"

    tmdb_double.configure(bare_429=True)
    bare = get(tmdb_double, "/configuration")
    assert bare.status_code == 429 and "Retry-After" not in bare.headers and bare.content == b""
    assert tmdb_double.rate_limited == 3
    time.sleep(1.0)  # the window slides: the first three have left it
    assert get(tmdb_double, "/configuration").status_code == 200


@pytest.mark.parametrize(
    "fault, expected",
    [
        ("500", 500),
        ("503", 503),
        ("drop", requests.ConnectionError),
        ("stall", requests.ReadTimeout),
    ],
)
def test_it_injects_the_faults_it_is_told_to(tmdb_double, fault, expected):
    tmdb_double.configure(fault_rate=1.0, faults=(fault,), stall_seconds=0.6)
    if isinstance(expected, int):
        response = get(tmdb_double, "/movie/77")
        assert response.status_code == expected and response.json()["success"] is False
        assert response.json()["status_code"] == {500: 11, 503: 9}[expected]
    else:
        with pytest.raises(expected):
            get(tmdb_double, "/movie/77", timeout=0.2)
    assert tmdb_double.stats()["faults"] == {fault: 1}
    assert tmdb_double.movie_fetches() == {}
    tmdb_double.configure(fault_rate=0.0)
    assert get(tmdb_double, "/movie/77").status_code == 200


def test_an_answer_its_client_went_away_from_is_no_fetch(tmdb_double):
    tmdb_double.configure(latency=0.5)
    with pytest.raises(requests.Timeout):
        get(tmdb_double, "/movie/77", timeout=0.1)  # the client gives up (or is killed) while TMDB works
    assert get(tmdb_double, "/movie/77").status_code == 200
    assert tmdb_double.movie_fetches() == {77: 1}  # only the answer someone received
    assert tmdb_double.stats()["statuses"] == {"0": 1, "200": 1}


def test_it_draws_the_same_faults_from_the_same_seed():
    def statuses(seed: int) -> list[int]:
        with TmdbDouble(seed=seed, fault_rate=0.5, faults=("500", "503")) as double:
            return [get(double, "/configuration").status_code for _ in range(12)]

    assert statuses(7) == statuses(7)
    assert set(statuses(7)) == {200, 500, 503}


def test_it_is_counted_and_steered_over_http(tmdb_double):
    control = tmdb_double.url.removesuffix("/3") + "/__double__"
    get(tmdb_double, "/movie/550")
    get(tmdb_double, "/movie/550")
    get(tmdb_double, "/search/movie", query="Memento")
    stats = requests.get(control + "/stats", params={"arrivals": 1}, timeout=5).json()
    assert stats["requests"] == 3 and stats["by_kind"] == {"movie": 2, "search_movie": 1}
    assert stats["movie_fetches"] == {"550": 2}
    assert [a["kind"] for a in stats["arrivals"]] == ["movie", "movie", "search_movie"]

    config = requests.post(control + "/config", json={"latency": 0.3, "rate_limit": 100}, timeout=5).json()
    assert config["latency"] == 0.3 and tmdb_double.config.rate_limit == 100
    started = time.monotonic()
    get(tmdb_double, "/configuration")
    assert time.monotonic() - started >= 0.3
    assert requests.post(control + "/config", json={"faults": ["meteor"]}, timeout=5).status_code == 400

    assert requests.post(control + "/reset", timeout=5).status_code == 200
    assert tmdb_double.stats()["requests"] == 0 and tmdb_double.movie_fetches() == {}


def test_it_builds_synthetic_catalogues_each_title_found_alone():
    catalogue = synthetic_catalogue(300, seed=11)
    rows = letterboxd_rows(catalogue)
    assert len({words(title) for title, _ in rows}) == 300
    assert rows == letterboxd_rows(synthetic_catalogue(300, seed=11))
    assert rows != letterboxd_rows(synthetic_catalogue(300, seed=12))
    with TmdbDouble(catalogue) as double:
        for title, year in rows[:40]:
            (found,) = search(double, "movie", title, primary_release_year=year)
            assert found["title"] == title
        details = get(double, f"/movie/{SYNTHETIC_IDS_FROM}", append_to_response="credits").json()
    assert details["genres"] and details["spoken_languages"] and details["production_countries"]
    assert details["runtime"] >= 75 and any(c["job"] == "Director" for c in details["credits"]["crew"])
    assert len(details["credits"]["cast"]) >= 3


def test_it_runs_as_a_management_command_in_another_process():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "manage.py", "tmdb_double", "--port", str(port), "--synthetic", "5", "--rate-limit", "2"]
    server = subprocess.Popen(
        command, cwd=BASE_DIR, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    try:
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in server.stdout], daemon=True).start()
        output = ""
        while "/__double__/stats" not in output:
            output += lines.get(timeout=20)
        assert f"TMDB_API_URL=http://127.0.0.1:{port}/3" in output and "TMDB_READ_TOKEN=double-read-token" in output
        url = f"http://127.0.0.1:{port}"
        headers = {"Authorization": "Bearer double-read-token"}
        statuses = [
            requests.get(f"{url}/3/movie/{SYNTHETIC_IDS_FROM}", headers=headers, timeout=5).status_code
            for _ in range(3)
        ]
        assert statuses == [200, 200, 429]
        stats = requests.get(f"{url}/__double__/stats", timeout=5).json()
        assert stats["movie_fetches"] == {str(SYNTHETIC_IDS_FROM): 2} and stats["rate_limited"] == 1
    finally:
        server.terminate()
        server.wait(timeout=10)
