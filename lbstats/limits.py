"""The request body limit, enforced before a byte past it is read: by the ASGI server wrapper as the
body arrives (whatever its transfer encoding), and by a middleware from `Content-Length` on any
server (the test client and `runserver` included). An export is at most `UPLOAD_MAX_BYTES`; a
request may add the multipart framing around it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from sessions_app.letterboxd import too_large

Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOO_LARGE = 413
# Boundaries and part headers around the uploaded files: a few hundred bytes per file, so 1 MiB is
# room for the most files an upload may hold.
MULTIPART_ROOM = 1024 * 1024


def request_max_bytes() -> int:
    return settings.UPLOAD_MAX_BYTES + MULTIPART_ROOM


def refusal(path: str, size: int) -> HttpResponse:
    """413 with the size message: JSON for the API, a page for a person."""
    message = too_large(size)
    if path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=TOO_LARGE)
    html = render_to_string("sessions_app/too_large.html", {"message": message})
    return HttpResponse(html, status=TOO_LARGE)


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is past the limit, before anything reads the body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > request_max_bytes():
            return refusal(request.path, int(declared))
        return self.get_response(request)


class BodyTooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class BodyLimit:
    """ASGI wrapper: counts body bytes as they arrive and answers 413 the moment they pass the limit,
    so a huge or endless body (chunked, or lying about its length) is never read, let alone written."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = request_max_bytes()
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > limit:
            await self.refuse(scope, send, int(declared))
            return
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(received)
            return message

        try:
            await self.app(scope, receive_within_limit, send)
        except BodyTooLarge as exc:  # Django reads the whole body before its first response byte
            await self.refuse(scope, send, exc.size)

    @staticmethod
    async def refuse(scope: Scope, send: Send, size: int) -> None:
        response = refusal(scope["path"], size)
        headers = [(b"content-type", response["Content-Type"].encode()), (b"connection", b"close")]
        await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": response.content})
