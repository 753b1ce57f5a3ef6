"""The production entry point: `gunicorn lbstats.asgi:application -k uvicorn_worker.UvicornWorker`.

An event loop reads each request's headers and body, and Django's (synchronous) views run only once
the whole body has arrived: a client sending one byte a second holds a socket and a few kilobytes,
never a worker, so slow clients cannot stall the site. The body limit is enforced as bytes arrive
(`lbstats.limits.BodyLimit`)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbstats.settings")
django_application = get_asgi_application()  # sets Django up: the wrapper's imports need settings

from lbstats.limits import BodyLimit  # noqa: E402

application = BodyLimit(django_application)
