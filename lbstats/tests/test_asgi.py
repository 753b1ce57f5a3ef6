"""The production server's Django adapter (`lbstats.asgi.WSGIAfterBody`): a request's body is read whole on
the event loop before Django runs in a thread, so a slow client holds no thread; a chunked body reaches
Django with its length; a body past the limit never reaches Django; a download is sent a piece at a time,
and no further once its client has gone. Over real sockets to uvicorn, or driven as an ASGI server drives it."""

from __future__ import annotations

import asyncio
import csv
import io
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started

from lbstats.asgi import SEND_BYTES, WSGIAfterBody
from lbstats.limits import MULTIPART_ROOM, Message
from lbstats.tests import test_limits
from lbstats.tests.test_limits import serving, status_of, stop
from sessions_app import downloads
from sessions_app.models import Movie
from sessions_app.tests.factories import make_session

pytestmark = pytest.mark.django_db(transaction=True)
asgi_server = test_limits.asgi_server  # the fixture: lbstats.asgi's application on uvicorn in this process


@pytest.fixture
def django_runs() -> Iterator[list[dict[str, Any]]]:
    """The environ of every request Django starts to handle, as its request_started signal tells."""
    started: list[dict[str, Any]] = []

    def record(sender: object, environ: dict[str, Any], **kwargs: object) -> None:
        started.append(environ)

    request_started.connect(record)
    yield started
    request_started.disconnect(record)


def read_reply(sock: socket.socket) -> bytes:
    reply = b""
    try:
        while more := sock.recv(65_536):
            reply += more
    except ConnectionResetError:
        pass  # closed with our unread bytes in its buffer: the answer came before
    return reply


def get(server: tuple[str, int], path: str) -> bytes:
    with socket.create_connection(server, timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        return read_reply(sock)


def test_a_slow_clients_body_holds_no_thread_while_it_trickles():
    session = make_session()
    with serving(threads=1) as server, socket.create_connection(server, timeout=5) as slow:
        slow.sendall(
            b"POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n"
        )
        assert slow.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"  # the application has begun reading the body
        slow.sendall(b"x" * 10)

        reply = get(server, f"/api/session/{session.public_id}/status")  # the one thread is free to answer

    assert status_of(reply) == 200
    assert f'"session_id":"{session.public_id}"'.encode() in reply


def test_django_runs_requests_in_no_more_threads_than_it_is_given():
    session = make_session()
    threads: set[str] = set()

    def record(sender: object, **kwargs: object) -> None:
        threads.add(threading.current_thread().name)

    request_started.connect(record)
    try:
        with serving(threads=2) as server, ThreadPoolExecutor(max_workers=12) as clients:
            replies = list(clients.map(lambda _: get(server, f"/api/session/{session.public_id}/status"), range(24)))
    finally:
        request_started.disconnect(record)

    assert [status_of(reply) for reply in replies] == [200] * 24
    assert 1 <= len(threads) <= 2  # so at most 2 database connections: Django keeps one per thread


def test_django_is_given_the_request_as_a_wsgi_server_gives_it(asgi_server, django_runs):
    with socket.create_connection(asgi_server, timeout=5) as sock:
        sock.sendall(
            b"GET /caf%C3%A9/?q=%C3%A9&page=2 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Accept: text/html\r\nAccept: application/json\r\nX_Forwarded_Host: elsewhere\r\n\r\n"
        )
        reply = read_reply(sock)

    assert status_of(reply) == 404
    (environ,) = django_runs
    assert environ["PATH_INFO"] == "/café/"  # given as PEP 3333's latin-1 bytes; Django puts back what it decoded
    assert (environ["QUERY_STRING"], environ["REQUEST_METHOD"]) == ("q=%C3%A9&page=2", "GET")
    assert environ["HTTP_ACCEPT"] == "text/html,application/json"
    assert "HTTP_X_FORWARDED_HOST" not in environ  # a header spelt with underscores could pass for another
    assert (environ["REMOTE_ADDR"], environ["SERVER_NAME"], environ["SERVER_PORT"]) == (
        "127.0.0.1",
        "127.0.0.1",
        str(asgi_server[1]),
    )


def test_a_chunked_body_reaches_django_with_its_length(asgi_server, django_runs):
    with socket.create_connection(asgi_server, timeout=5) as sock:
        sock.sendall(
            b"POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: application/octet-stream\r\n\r\n"
            b"258\r\n" + b"x" * 600 + b"\r\n190\r\n" + b"y" * 400 + b"\r\n0\r\n\r\n"
        )
        reply = read_reply(sock)

    assert status_of(reply) == 415  # the API reads multipart only; what matters is what Django was told
    assert [environ["CONTENT_LENGTH"] for environ in django_runs] == ["1000"]


def test_a_body_past_the_limit_is_refused_before_django_runs(asgi_server, django_runs, settings):
    settings.UPLOAD_MAX_BYTES = 0
    body = b"x" * (MULTIPART_ROOM + 1)
    with socket.create_connection(asgi_server, timeout=5) as sock:
        try:
            sock.sendall(
                b"POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
            )
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed while the body was still going out
        reply = read_reply(sock)

    assert status_of(reply) == 413
    assert django_runs == []
    assert status_of(get(asgi_server, "/about/")) == 200
    assert [environ["PATH_INFO"] for environ in django_runs] == ["/about/"]


def download_scope(path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50_000),
        "server": ("127.0.0.1", 8000),
    }


def serve_once(path: str, *, client_leaves: bool) -> list[Message]:
    """What the adapter sends for one GET, driven as uvicorn drives it: the client sends its (empty) body,
    then either stays until the answer is over, or has gone when the adapter next asks."""
    django = WSGIAfterBody(WSGIHandler(), threads=1)

    async def exchange() -> list[Message]:
        sent: list[Message] = []
        answered = asyncio.Event()
        incoming = [{"type": "http.request", "body": b"", "more_body": False}]

        async def receive() -> Message:
            if incoming:
                return incoming.pop()
            if not client_leaves:
                await answered.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            sent.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                answered.set()

        await django(download_scope(path), receive, send)
        return sent

    try:
        return asyncio.run(exchange())
    finally:
        stop(django)


def a_session_of_1001_films():
    session = make_session()
    Movie.objects.bulk_create(Movie(session=session, title=f"Film {i}", watched=True) for i in range(1001))
    return session


def test_a_download_is_sent_whole_a_piece_at_a_time():
    session = a_session_of_1001_films()

    sent = serve_once(f"/api/session/{session.public_id}/download/films.csv", client_leaves=False)

    start, *pieces, end = sent
    assert start["status"] == 200 and (b"Content-Type", b"text/csv; charset=utf-8") in start["headers"]
    assert [len(piece["body"]) >= SEND_BYTES for piece in pieces] == [True, False]  # 2 batches, then the last
    assert end == {"type": "http.response.body", "body": b""}
    rows = list(csv.DictReader(io.StringIO(b"".join(piece["body"] for piece in pieces).decode())))
    assert len(rows) == 1001 and list(rows[0]) == downloads.FILM_COLUMNS
    assert rows[-1]["title"] == "Film 1000"


def test_a_download_stops_when_its_client_has_gone():
    session = a_session_of_1001_films()
    finished = []

    def record(sender: object, **kwargs: object) -> None:
        finished.append(sender)

    request_finished.connect(record)
    try:
        sent = serve_once(f"/api/session/{session.public_id}/download/films.csv", client_leaves=True)
    finally:
        request_finished.disconnect(record)

    start, first, end = sent
    assert start["status"] == 200
    assert len(first["body"]) >= SEND_BYTES and first["more_body"] is True
    assert end == {"type": "http.response.body", "body": b""}
    assert len(finished) == 1  # the answer was closed all the same: Django's end-of-request work ran
