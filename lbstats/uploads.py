"""Multipart bodies that end before their last file does.

Django's parser drops a file whose part never reaches the next boundary, so a body cut short (the
client hung up, a proxy gave up, a script forgot the closing `--boundary--`) arrived as "no file".
This handler notices the interruption, and the upload views answer what really happened."""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest

CUT_SHORT = (
    "The upload is incomplete: the request ended before its last file did (cut short, or without the "
    "multipart closing boundary). Nothing was imported; upload the file again."
)


class InterruptedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: passes every byte on, and marks the request when the parser says a
    file part was still open at the end of the body."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler keeps the file

    def upload_interrupted(self) -> None:
        if self.request is not None:
            self.request.upload_cut_short = True  # type: ignore[attr-defined]


def cut_short(request: HttpRequest) -> bool:
    """Whether the request's multipart body ended inside a file (read the files first)."""
    return bool(getattr(request, "upload_cut_short", False))
