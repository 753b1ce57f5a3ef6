"""Bodies past the limit are refused before they are read, and slow clients cost the ASGI server
nothing: tested over real sockets against `lbstats.asgi`'s application served by uvicorn, as in production."""

from __future__ import annotations

import gc
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from django.core.handlers.wsgi import WSGIHandler

from lbstats.asgi import WSGIAfterBody
from lbstats.limits import MULTIPART_ROOM, BodyLimit
from sessions_app.models import Session

pytestmark = pytest.mark.django_db(transaction=True)


class Unreadable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args: object) -> bytes:
        raise AssertionError("the body was read")

    readline = read


def test_the_upload_form_refuses_a_declared_body_past_the_limit_without_reading_it(client, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    response = client.generic(
        "POST",
        "/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(1000 + MULTIPART_ROOM + 1),
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    assert "The upload is 1.0 MB; the limit is 0 MB." in response.content.decode()
    assert Session.objects.count() == 0


def test_the_api_answers_the_same_refusal_in_json(client, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    response = client.generic("POST", "/api/upload", b"", CONTENT_LENGTH=str(5_000_000), **{"wsgi.input": Unreadable()})
    assert response.status_code == 413
    assert response.json() == {"detail": "The upload is 5.0 MB; the limit is 0 MB."}


@contextmanager
def serving(threads: int) -> Iterator[tuple[str, int]]:
    """lbstats.asgi's application, running `threads` requests at once, on uvicorn in this process (so test
    settings apply) on a free loopback port. Its threads end with it, and their database connections."""
    django = WSGIAfterBody(WSGIHandler(), threads)
    config = uvicorn.Config(BodyLimit(django), host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield "127.0.0.1", server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        stop(django)


def stop(django: WSGIAfterBody) -> None:
    """Ends the adapter's threads, and closes their database connections: a connection left to its ended
    thread closes only when the garbage collector frees it, and PostgreSQL cannot drop the test database
    while it is open."""
    django.pool.shutdown()
    gc.collect()


@pytest.fixture
def asgi_server() -> Iterator[tuple[str, int]]:
    with serving(threads=4) as address:
        yield address


def status_of(reply: bytes) -> int:
    return int(reply.split(b" ", 2)[1])


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(asgi_server, settings):
    settings.UPLOAD_MAX_BYTES = 100_000
    limit = 100_000 + MULTIPART_ROOM
    chunk = b"x" * 65_536
    sent = 0
    reply = b""
    with socket.create_connection(asgi_server, timeout=10) as sock:
        sock.sendall(b"POST /api/upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        try:
            while sent < 20 * limit:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
                sock.settimeout(0.001 if sent <= limit else 0.2)
                try:
                    reply = sock.recv(65_536)
                except TimeoutError:
                    continue
                if reply:
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed while chunks were still going out
        sock.settimeout(10)
        try:
            while more := sock.recv(65_536):  # the rest of the answer, until the server closes
                reply += more
        except ConnectionResetError:
            pass  # closed with our unread chunks still in its buffer: the answer came before

    assert status_of(reply) == 413
    assert b"the limit is 0 MB" in reply
    assert sent < limit + 10 * len(chunk)  # refused at the limit, not after reading everything sent


def test_slow_clients_holding_uploads_open_do_not_stall_other_requests(asgi_server):
    slow = []
    try:
        for _ in range(20):  # each declares 100 KB and sends one byte, then nothing
            sock = socket.create_connection(asgi_server, timeout=10)
            sock.sendall(b"POST /api/upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\nx")
            slow.append(sock)
        with socket.create_connection(asgi_server, timeout=10) as sock:
            sock.sendall(b"GET /about/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            reply = sock.recv(65_536)
        assert status_of(reply) == 200
    finally:
        for sock in slow:
            sock.close()
