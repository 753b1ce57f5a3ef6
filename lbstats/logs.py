"""Log lines a log pipeline can read: one JSON object per line, switched on by LOG_JSON=1.

Pure code (settings only): the request log, the enrichment worker and every library log through
the root handler, and this formatter turns each record into `{"time", "level", "logger",
"message", ...}` plus the fields the caller passed in `extra=` (an `event` name, counts, seconds).

Callers never pass a secret; as a second line of defence the formatter blanks out the values of the
secret settings (TMDB token and key, SECRET_KEY, METRICS_TOKEN) wherever they appear in a line,
so a library quoting a URL or a header cannot leak one either.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from django.conf import settings

SECRET_SETTINGS = ("TMDB_READ_TOKEN", "TMDB_API_KEY", "SECRET_KEY", "METRICS_TOKEN")
# What every LogRecord carries: anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
_PLAIN = (str, int, float, bool, list, dict, type(None))


def secrets() -> list[str]:
    return [value for name in SECRET_SETTINGS if (value := getattr(settings, name, ""))]


def redact(text: str) -> str:
    for secret in secrets():
        text = text.replace(secret, "[redacted]")
    return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Plain values only: Django's own loggers attach the request object, whose text is the full path.
        line.update(
            (key, value) for key, value in vars(record).items() if key not in _STANDARD and isinstance(value, _PLAIN)
        )
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(line, default=str, ensure_ascii=False))


class RedactingFormatter(logging.Formatter):
    """The plain format, with the same second line of defence."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
