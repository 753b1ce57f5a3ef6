"""The production entry point: `gunicorn lbstats.asgi:application -k uvicorn_worker.UvicornWorker`.

An event loop reads each request's headers and body, and Django's (synchronous) views run only once
the whole body has arrived: a client sending one byte a second holds a socket and a few kilobytes,
never a worker, so slow clients cannot stall the site. The body limit is enforced as bytes arrive
(`lbstats.limits.BodyLimit`)."""

import os

import django
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbstats.settings")
django.setup(set_prefix=False)  # the handler and the wrapper's imports need settings

from lbstats.limits import BodyLimit  # noqa: E402


class LengthKnownASGIHandler(ASGIHandler):
    """Django's ASGI handler, for a body sent with `Transfer-Encoding: chunked` too.

    Django parses a multipart body only as far as its `Content-Length`, and a chunked request has
    none: its upload arrived as "no file". The server has de-chunked it and the handler has read it
    whole (within the limit, `BodyLimit`) before the request is made, so its length is known: say it."""

    def create_request(self, scope, body_file):
        headers = scope.get("headers") or []
        if not any(name.lower() == b"content-length" for name, _ in headers):
            size = body_file.seek(0, os.SEEK_END)
            body_file.seek(0)
            scope = {**scope, "headers": [*headers, (b"content-length", str(size).encode())]}
        return super().create_request(scope, body_file)


django_application = LengthKnownASGIHandler()
application = BodyLimit(django_application)
