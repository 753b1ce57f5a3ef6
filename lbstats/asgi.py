"""The production entry point: `gunicorn lbstats.asgi:application -k uvicorn_worker.UvicornWorker`.

An event loop reads each request's headers and body; only once the whole body has arrived does Django
run, through its WSGI handler, in one of a few threads (`WEB_THREADS` per process): a client sending one
byte a second holds a socket and a few kilobytes, never a thread, so slow clients cannot stall the site.
The body limit is enforced as bytes arrive (`lbstats.limits.BodyLimit`).

Why not Django's own ASGI handler: it runs the synchronous middleware and view through several thread
hand-offs per request (sync_to_async, then back for each synchronous layer); here a request costs one
hand-off, and one more per `SEND_BYTES` of a long answer. `bench/slow_clients_bench.py` has the figures."""

from __future__ import annotations

import asyncio
import contextvars
import io
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbstats.settings")
django.setup(set_prefix=False)  # the handler and the wrapper's imports need settings

from lbstats.limits import BodyLimit, Receive, Scope, Send  # noqa: E402

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Head = tuple[int, list[tuple[bytes, bytes]]]

# A streamed answer (a download, a static file in 4 KB blocks) is sent this much at a time: each piece
# costs one thread hand-off, and a client reading slowly holds at most this much of it in memory.
SEND_BYTES = 64 * 1024


class WSGIAfterBody:
    """ASGI application that reads a request's whole body on the event loop, then runs a WSGI application
    for it once, in a bounded pool of threads.

    A request whose client leaves before its body is whole is dropped without running anything. A body
    sent with `Transfer-Encoding: chunked` is given its `Content-Length` (Django parses a multipart body
    only as far as that). An answer longer than `SEND_BYTES` is sent as it is produced, a piece at a
    time, each read from the application's iterable once the previous one is sent; it stops when the
    client has gone."""

    def __init__(self, app: WSGIApp, threads: int) -> None:
        self.app = app
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="lbstats-web")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # as Django's handler: uvicorn then runs without the lifespan protocol
            raise ValueError(f"lbstats serves HTTP, not {scope['type']}")
        body = await read_body(receive)
        if body is None:
            return  # the client left mid-body: nobody to answer
        environ = wsgi_environ(scope, body)
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()  # the request's own context variables, as under asyncio.to_thread
        head, first, rest = await loop.run_in_executor(self.pool, context.run, self.respond, environ)
        status, headers = head
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if rest is None:
            await send({"type": "http.response.body", "body": first})
            return
        gone = asyncio.ensure_future(disconnect(receive))
        try:
            piece = first
            while piece and not gone.done():
                await send({"type": "http.response.body", "body": piece, "more_body": True})
                piece = await loop.run_in_executor(self.pool, context.run, take, rest)
            await send({"type": "http.response.body", "body": b""})
        finally:
            gone.cancel()
            await loop.run_in_executor(self.pool, context.run, close, rest)

    def respond(self, environ: dict[str, Any]) -> tuple[Head, bytes, Iterator[bytes] | None]:
        """In a pool thread: the answer's status and headers, its first `SEND_BYTES` or more, and the
        iterator of the rest (None when that was all of it, the application's iterable then closed)."""
        started: list[Head] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> None:
            pairs = [(name.encode("latin1"), value.strip().encode("latin1")) for name, value in headers]
            started[:] = [(int(status.split(" ", 1)[0]), pairs)]  # called again with exc_info: the later one

        iterable = self.app(environ, start_response)
        chunks = iter(iterable)
        try:
            first = take(chunks)
            more = len(first) >= SEND_BYTES
        except BaseException:
            close(iterable)
            raise
        if not more:
            close(iterable)
        return started[0], first, ClosingIterator(chunks, iterable) if more else None


class ClosingIterator:
    """An answer's remaining chunks, and what closes it (its WSGI iterable: Django's request_finished)."""

    def __init__(self, chunks: Iterator[bytes], iterable: Iterable[bytes]) -> None:
        self.chunks = chunks
        self.iterable = iterable

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        return next(self.chunks)

    def close(self) -> None:
        close(self.iterable)


async def disconnect(receive: Receive) -> None:
    """Returns once the client has gone (the body is whole: receive() has nothing else to say)."""
    while (await receive())["type"] != "http.disconnect":
        pass


def take(chunks: Iterator[bytes]) -> bytes:
    """The next `SEND_BYTES` or more of an answer (whole chunks), b"" once it is over."""
    piece = bytearray()
    for chunk in chunks:
        piece += chunk
        if len(piece) >= SEND_BYTES:
            break
    return bytes(piece)


def close(iterable: object) -> None:
    closer = getattr(iterable, "close", None)
    if closer is not None:
        closer()


async def read_body(receive: Receive) -> IO[bytes] | None:
    """The whole request body, in memory up to Django's FILE_UPLOAD_MAX_MEMORY_SIZE and on disk past it;
    None when the client disconnected first."""
    message = await receive()
    if message["type"] == "http.disconnect":
        return None
    if not message.get("more_body", False):  # the usual request: its body (if any) in one message
        return io.BytesIO(message.get("body", b""))
    spool = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, mode="w+b")
    while True:
        spool.write(message.get("body", b""))
        if not message.get("more_body", False):
            break
        message = await receive()
        if message["type"] == "http.disconnect":
            spool.close()
            return None
    spool.seek(0)
    return spool


def wsgi_environ(scope: Scope, body: IO[bytes]) -> dict[str, Any]:
    """PEP 3333's environ for an ASGI request, with the headers as Django's ASGI handler reads them."""
    root = scope.get("root_path", "")
    path = scope["path"].removeprefix(root) if root else scope["path"]
    server = scope.get("server") or ("unknown", 0)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": root.encode().decode("latin1"),
        "PATH_INFO": path.encode().decode("latin1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin1"),
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    client = scope.get("client")
    if client:
        environ["REMOTE_ADDR"] = environ["REMOTE_HOST"] = client[0]
        environ["REMOTE_PORT"] = str(client[1])
    headers: dict[str, list[str]] = {}
    for raw_name, raw_value in scope.get("headers") or []:
        name = raw_name.decode("latin1").lower()
        if "_" in name:
            continue  # as Django's handlers: X_Forwarded would pass for X-Forwarded
        key = {"content-length": "CONTENT_LENGTH", "content-type": "CONTENT_TYPE"}.get(name)
        headers.setdefault(key or "HTTP_" + name.upper().replace("-", "_"), []).append(raw_value.decode("latin1"))
    environ.update((key, ",".join(values)) for key, values in headers.items())
    if "CONTENT_LENGTH" not in environ:  # chunked, or no body: the server has de-chunked it, and we hold it whole
        environ["CONTENT_LENGTH"] = str(body.seek(0, os.SEEK_END))
        body.seek(0)
    return environ


application = BodyLimit(WSGIAfterBody(WSGIHandler(), settings.WEB_THREADS))
