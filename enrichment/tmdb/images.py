"""Small generated pictures for the TMDB double: a poster or a headshot per image path, the same every time.

A PNG written by hand (zlib and struct): a vertical gradient in two colours drawn from the path, so the tests,
the demo and the browser test load real images and no request leaves the machine."""

from __future__ import annotations

import hashlib
import struct
import zlib

WIDTHS = {"w45": 45, "w92": 92, "w154": 154, "w185": 185, "w342": 342, "w500": 500, "h632": 421, "original": 500}


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def picture(path: str, size: str) -> bytes:
    """A 2:3 PNG for `path` at TMDB's `size` (w92, w185, ...)."""
    width = WIDTHS.get(size, 92)
    height = width * 3 // 2
    digest = hashlib.sha256(path.encode()).digest()
    top, bottom = digest[:3], digest[3:6]
    rows = []
    for y in range(height):
        t = y / max(height - 1, 1)
        # darkened towards the bottom, like a poster under its title
        pixel = bytes(int((a * (1 - t) + b * t) * 0.7) for a, b in zip(top, bottom, strict=True))
        rows.append(b"\x00" + pixel * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 6))
        + _chunk(b"IEND", b"")
    )
