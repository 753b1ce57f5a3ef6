"""The TMDB client against the loopback double: parsing, credentials, retries, cache, rate limit, secrecy."""

import itertools
import logging
import threading
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis

from enrichment.tmdb import (
    TmdbAuthError,
    TmdbClient,
    TmdbError,
    TmdbNotFound,
    TmdbUnavailable,
    credentials_configured,
    get_client,
    reset_client,
)
from enrichment.tmdb.double import TmdbDouble
from enrichment.tmdb.ratelimit import RedisRateLimiter

REDIS_URL = "redis://127.0.0.1:6379/13"


def make_client(double: TmdbDouble, tmp_path: Path, **options) -> TmdbClient:
    options.setdefault("read_token", double.config.read_token)
    options.setdefault("cache_path", str(tmp_path / "tmdb_cache.sqlite"))
    options.setdefault("backoff_seconds", 0.02)
    options.setdefault("timeout", 1.0)
    return TmdbClient(base_url=double.url, **options)


def most_in_any_window(times: list[float], width: float) -> int:
    times = sorted(times)
    start, most = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - width:
            start += 1
        most = max(most, end - start + 1)
    return most


@pytest.fixture
def redis_db():
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    connection.flushdb()
    yield connection
    connection.flushdb()


def test_it_searches_and_parses_movies_and_series(tmdb_double, tmp_path):
    client = make_client(tmdb_double, tmp_path)
    assert [m["id"] for m in client.search_movie("Suspiria", year=1977)] == [11906]
    assert client.search_movie("Nomadland", primary_release_year=2020) == []
    (nomadland,) = client.search_movie("Nomadland", year=2020)
    assert (nomadland["title"], nomadland["release_date"], nomadland["vote_count"]) == ("Nomadland", "2021-02-19", 3900)
    (chernobyl,) = client.search_tv("Chernobyl", first_air_date_year=2019)
    assert (chernobyl["id"], chernobyl["first_air_date"]) == (87108, "2019-05-06")
    assert tmdb_double.stats()["by_kind"] == {"search_movie": 3, "search_tv": 1}
    with pytest.raises(ValueError):
        client.search_movie("  ")
    assert tmdb_double.requests == 4


def test_it_fetches_details_with_credits_in_one_request(tmdb_double, tmp_path):
    client = make_client(tmdb_double, tmp_path)
    film = client.details("movie", 545611)
    assert [p["name"] for p in film["credits"]["crew"] if p["job"] == "Director"] == ["Daniel Kwan", "Daniel Scheinert"]
    assert film["credits"]["cast"][0] == film["credits"]["cast"][0] | {"name": "Michelle Yeoh", "order": 0}
    series = client.details("tv", 87108)
    assert series["type"] == "Miniseries" and series["credits"]["cast"][0]["name"] == "Jared Harris"
    assert "original" in client.configuration()["images"]["poster_sizes"]
    assert tmdb_double.stats()["by_kind"] == {"movie": 1, "tv": 1, "configuration": 1}
    assert client.requests_sent == 3
    with pytest.raises(TmdbNotFound):
        client.details("movie", 123456789)


@pytest.mark.parametrize("credential", ["read_token", "api_key"])
def test_it_authenticates_with_the_token_or_the_key(tmdb_double, tmp_path, credential):
    secrets = {"read_token": "", "api_key": ""} | {credential: getattr(tmdb_double.config, credential)}
    client = make_client(tmdb_double, tmp_path, **secrets)
    assert client.details("movie", 77)["title"] == "Memento"
    assert tmdb_double.stats()["statuses"] == {"200": 1}


@pytest.mark.parametrize("credential, setting", [("read_token", "TMDB_READ_TOKEN"), ("api_key", "TMDB_API_KEY")])
def test_it_stops_at_once_on_rejected_credentials_saying_how_to_fix_them(tmdb_double, tmp_path, credential, setting):
    secret = f"wrong-{uuid.uuid4()}"
    client = make_client(tmdb_double, tmp_path, **({"read_token": "", "api_key": ""} | {credential: secret}))
    with pytest.raises(TmdbAuthError) as raised:
        client.search_movie("Memento")
    message = str(raised.value)
    assert "TMDB rejected the" in message and setting in message and "TMDB_READ_TOKEN" in message
    assert "Invalid API key" in message and secret not in message
    assert tmdb_double.requests == 1  # not retried


def test_it_rides_out_a_429_storm_obeying_retry_after(tmdb_double, tmp_path):
    tmdb_double.configure(rate_limit=5)
    client = make_client(tmdb_double, tmp_path, rate_limit=40)
    ids = [550, 77, 11906, 361292, 823219, 376867, 310131, 181886, 49047, 581734, 496243, 194]
    with ThreadPoolExecutor(8) as pool:
        films = list(pool.map(lambda tmdb_id: client.details("movie", tmdb_id), ids))
    assert [f["id"] for f in films] == ids
    assert tmdb_double.rate_limited >= 2
    assert tmdb_double.movie_fetches() == {i: 1 for i in ids}
    arrivals = tmdb_double.arrivals()
    for limited in (a for a in arrivals if a.status == 429):
        assert limited.retry_after == 1
        # requests already on the wire may land just after a 429; nothing new until Retry-After has passed
        quiet = (limited.at + 0.15, limited.at + limited.retry_after - 0.05)
        assert not [a for a in arrivals if quiet[0] < a.at < quiet[1]]


def test_it_backs_off_on_cdn_429s_without_retry_after(tmdb_double, tmp_path):
    tmdb_double.configure(rate_limit=3, bare_429=True)
    client = make_client(tmdb_double, tmp_path, backoff_seconds=0.1)
    films = [client.details("movie", i) for i in (550, 77, 101, 424, 129)]
    assert [f["id"] for f in films] == [550, 77, 101, 424, 129]
    arrivals = tmdb_double.arrivals()
    assert tmdb_double.rate_limited >= 1 and len(arrivals) == 5 + tmdb_double.rate_limited
    for before, after in itertools.pairwise(arrivals):
        if before.status == 429:
            assert after.at - before.at >= 0.05  # at least half the first backoff step


@pytest.mark.parametrize("fault", ["500", "503", "drop", "stall", "truncate"])
def test_it_retries_transient_faults_until_answered(tmdb_double, tmp_path, fault):
    tmdb_double.configure(fault_rate=0.5, faults=(fault,), stall_seconds=1.0)
    client = make_client(tmdb_double, tmp_path, max_retries=10, timeout=0.25)
    ids = [550, 77, 101, 424, 129, 194]
    assert [client.details("movie", i)["id"] for i in ids] == ids
    injected = tmdb_double.stats()["faults"][fault]
    assert injected >= 1 and client.requests_sent == len(ids) + injected
    assert tmdb_double.movie_fetches() == {i: 1 for i in ids}


def test_it_gives_up_on_persistent_faults_and_caches_no_error(tmdb_double, tmp_path):
    client = make_client(tmdb_double, tmp_path, max_retries=2)
    with pytest.raises(TmdbNotFound):
        client.details("movie", 123456789)
    tmdb_double.configure(fault_rate=1.0, faults=("503",))
    with pytest.raises(TmdbUnavailable) as raised:
        client.details("movie", 77)
    assert "HTTP 503" in str(raised.value) and "/movie/77" in str(raised.value)
    assert tmdb_double.requests == 4
    tmdb_double.configure(fault_rate=0.0)
    assert client.details("movie", 77)["title"] == "Memento"
    with pytest.raises(TmdbNotFound):
        client.details("movie", 123456789)
    assert tmdb_double.requests == 6 and client.requests_sent == 6


def test_it_answers_repeats_from_the_persistent_cache(tmdb_double, tmp_path):
    client = make_client(tmdb_double, tmp_path)
    first = client.search_movie("Parasite", year=2019)
    assert client.search_movie("Parasite", year=2019) == first
    assert client.details("movie", 496243) == client.details("movie", 496243)
    assert tmdb_double.requests == 2 and client.requests_sent == 2
    client.close()

    reopened = make_client(tmdb_double, tmp_path, read_token="", api_key=tmdb_double.config.api_key)
    assert reopened.search_movie("Parasite", year=2019) == first
    assert reopened.details("movie", 496243)["original_title"] == "기생충"
    assert tmdb_double.requests == 2 and reopened.requests_sent == 0
    reopened.search_movie("Parasite", year=1982)
    assert tmdb_double.requests == 3 and reopened.requests_sent == 1


@pytest.mark.parametrize("credential", ["read_token", "api_key"])
def test_it_keeps_the_secret_out_of_cache_logs_and_errors(tmdb_double, tmp_path, caplog, credential):
    secret = f"s3cret-{uuid.uuid4().hex}"
    tmdb_double.configure(**{credential: secret})
    client = make_client(
        tmdb_double, tmp_path, **({"read_token": "", "api_key": ""} | {credential: secret}), max_retries=1, timeout=0.2
    )
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="urllib3")
    client.search_movie("Amélie", year=2001)
    client.details("movie", 194)
    client.details("movie", 194)
    errors: list[TmdbError] = []
    for faults in (("503",), ("drop",), ("stall",)):
        tmdb_double.configure(fault_rate=1.0, faults=faults, stall_seconds=0.5)
        with pytest.raises(TmdbUnavailable) as raised:
            client.details("tv", 87108)
        errors.append(raised.value)
    tmdb_double.configure(fault_rate=0.0)
    with pytest.raises(TmdbNotFound) as raised:
        client.details("movie", 123456789)
    errors.append(raised.value)

    cache_bytes = b"".join(p.read_bytes() for p in tmp_path.glob("tmdb_cache.sqlite*"))
    assert b"Fabuleux Destin" in cache_bytes  # the cache holds the answers...
    assert secret.encode() not in cache_bytes  # ...and not the secret
    assert "/3/movie/194" in caplog.text and "HTTP/1.1" in caplog.text  # urllib3's request lines were captured
    assert secret not in caplog.text
    for error in errors:
        assert secret not in "".join(traceback.format_exception(error))


def test_it_keeps_a_burst_of_threads_under_the_rate_and_concurrency_limits(tmdb_double, tmp_path):
    client = make_client(tmdb_double, tmp_path, rate_limit=20, concurrency=8)
    queries = [f"burst {n}" for n in range(30)]
    started = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        assert list(pool.map(client.search_movie, queries)) == [[]] * 30
    elapsed = time.monotonic() - started
    arrivals = [a.at for a in tmdb_double.arrivals()]
    # strictly 20; one more tolerates scheduling jitter between the client's clock and the double's
    assert most_in_any_window(arrivals, 1.0) <= 21
    assert 29 / 20 <= elapsed < 29 / 20 * 1.5  # paced, yet close to the limit
    assert client.requests_sent == 30

    tmdb_double.configure(latency=0.2)
    tight = make_client(tmdb_double, tmp_path, rate_limit=1000, concurrency=2)
    tmdb_double.reset()
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(tight.search_movie, [f"tight {n}" for n in range(6)]))
    # each request spends 0.2 s at the double: never more than two arrive within 0.15 s
    assert most_in_any_window([a.at for a in tmdb_double.arrivals()], 0.15) == 2


def test_it_builds_one_process_client_from_settings(tmdb_double, settings):
    client = get_client()
    assert get_client() is client and client.base_url == tmdb_double.url
    assert client.search_movie("Moonlight", year=2016)[0]["id"] == 376867
    assert credentials_configured()
    settings.TMDB_READ_TOKEN = ""
    settings.TMDB_API_KEY = ""
    assert not credentials_configured()
    reset_client()
    unconfigured = get_client()
    assert unconfigured is not client
    with pytest.raises(TmdbAuthError, match="without credentials"):
        unconfigured.details("movie", 77)


def test_it_shares_one_rate_limit_between_clients_through_redis(tmdb_double, tmp_path, redis_db):
    clients = [
        make_client(tmdb_double, tmp_path, redis_url=REDIS_URL, rate_limit=20, cache_namespace=f"test-{n}")
        for n in range(2)
    ]
    started = time.monotonic()

    def run(client: TmdbClient, offset: int) -> None:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(client.search_movie, [f"shared {offset + n}" for n in range(15)]))

    threads = [threading.Thread(target=run, args=(c, 100 * n)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    assert tmdb_double.requests == 30 and sum(c.requests_sent for c in clients) == 30
    assert most_in_any_window([a.at for a in tmdb_double.arrivals()], 1.0) <= 21
    assert elapsed >= 29 / 20

    # the cache lives in Redis too: a third client with the same namespace sends nothing
    again = make_client(tmdb_double, tmp_path, redis_url=REDIS_URL, cache_namespace="test-0")
    again.search_movie("shared 3")
    assert again.requests_sent == 0 and tmdb_double.requests == 30


def test_it_pauses_every_process_after_a_429_through_redis(redis_db):
    first, second = (RedisRateLimiter(REDIS_URL, rate=1000) for _ in range(2))
    first.pause(0.4)
    started = time.monotonic()
    second.acquire()
    assert 0.35 <= time.monotonic() - started < 1.0
