"""Uploads whose multipart body ends early, or comes chunked, over real sockets to `lbstats.asgi` on uvicorn
(as in production), on the upload form and the API: a body without its closing boundary is refused as
incomplete (it used to say "No file was uploaded"), and a chunked upload is imported like any other."""

from __future__ import annotations

import re
import socket

import pytest

from lbstats.tests import test_limits
from lbstats.tests.test_limits import status_of
from lbstats.uploads import CUT_SHORT
from sessions_app.models import Movie, Session
from sessions_app.tests.test_hostile_uploads import BOUNDARY, WATCHED, multipart

pytestmark = pytest.mark.django_db(transaction=True)
asgi_server = test_limits.asgi_server  # the fixture: lbstats.asgi on uvicorn in this process

Address = tuple[str, int]


def exchange(server: Address, head: str, body: bytes, half_close: bool = False) -> bytes:
    """Send one request, then read the answer until the server closes."""
    with socket.create_connection(server, timeout=10) as sock:
        sock.sendall(head.encode() + b"\r\n" + body)
        if half_close:
            sock.shutdown(socket.SHUT_WR)  # the client stops sending, as a dropped upload does
        reply = b""
        try:
            while more := sock.recv(65_536):
                reply += more
        except ConnectionResetError:
            pass
    return reply


def upload(server: Address, path: str, body: bytes, *, chunked: bool = False, cookie: str = "", **kw) -> bytes:
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {kw.pop('length', len(body))}"
    if chunked:
        body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{framing}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n{cookie}"
    )
    return exchange(server, head, body, **kw)


def form_token(server: Address) -> tuple[str, bytes]:
    """The upload form's CSRF cookie header, and the form field that goes with it."""
    reply = exchange(server, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n", b"")
    match = re.search(rb"csrftoken=([A-Za-z0-9]+)", reply)
    assert match, reply[:500]
    token = match[1].decode()
    field = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n').encode()
    return f"Cookie: csrftoken={token}\r\n", field


def nothing_stored() -> bool:
    return (Session.objects.count(), Movie.objects.count()) == (0, 0)


def test_the_api_refuses_a_body_without_its_closing_boundary_as_incomplete(asgi_server):
    reply = upload(asgi_server, "/api/upload", multipart([("watched.csv", WATCHED)], closed=False))
    assert status_of(reply) == 400
    assert CUT_SHORT.encode() in reply and b"No file was uploaded" not in reply
    assert nothing_stored()


def test_the_upload_form_refuses_a_body_without_its_closing_boundary_as_incomplete(asgi_server):
    cookie, token = form_token(asgi_server)
    reply = upload(asgi_server, "/", token + multipart([("watched.csv", WATCHED)], closed=False), cookie=cookie)
    assert status_of(reply) == 400
    assert b"The upload is incomplete: the request ended before its last file did" in reply
    assert b"Choose your Letterboxd export first" not in reply
    assert nothing_stored()


def test_a_chunked_upload_is_imported_through_the_api(asgi_server):
    reply = upload(asgi_server, "/api/upload", multipart([("watched.csv", WATCHED)]), chunked=True)
    assert status_of(reply) == 201, reply[-500:]
    assert list(Movie.objects.values_list("title", flat=True)) == ["Memento"]


def test_a_chunked_upload_is_imported_through_the_form(asgi_server):
    cookie, token = form_token(asgi_server)
    reply = upload(asgi_server, "/", token + multipart([("watched.csv", WATCHED)]), chunked=True, cookie=cookie)
    session = Session.objects.get()
    assert status_of(reply) == 302 and f"Location: /s/{session.public_id}/".encode() in reply
    assert list(session.movies.values_list("title", flat=True)) == ["Memento"]


def test_a_body_that_stops_before_its_length_and_hangs_up_stores_nothing(asgi_server):
    whole = multipart([("watched.csv", WATCHED)])
    # uvicorn closes a connection whose client stopped sending mid-body: there is nobody left to answer
    # (under a WSGI server the short body reaches Django, and the hostile corpus's multipart-cut-short
    # case shows its 400).
    reply = upload(asgi_server, "/api/upload", whole[:-40], length=len(whole), half_close=True)
    assert reply == b""
    assert nothing_stored()
