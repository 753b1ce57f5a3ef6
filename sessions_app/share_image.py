"""The share card (pure): a year's (or all time's) summary drawn as a 1200 × 630 PNG, the size Open Graph
and Twitter's large card show uncropped. Pillow draws it on the server; no browser, no network.

Only what the card is given is drawn: a title, headline figures and bars. The PNG is saved without any
metadata chunk, so nothing but those pixels leaves the server.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
BACKGROUND = (20, 24, 28)
TEXT = (238, 241, 244)
MUTED = (154, 165, 177)
ACCENTS = ((0, 224, 84), (64, 188, 244), (255, 128, 0))  # Letterboxd's green, blue and orange
MARGIN = 64
BARS_SHOWN = 5

FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class Card:
    title: str  # "cinephile’s 2024"
    subtitle: str  # "on Letterboxd, by lbstats"
    figures: list[tuple[str, str]]  # ("films", "183"), at most four are drawn
    bars_title: str  # "Top genres"
    bars: list[tuple[str, int]]  # (name, films), at most five are drawn


@cache
def font(size: int, bold: bool = False) -> FontType:
    """DejaVu Sans where Debian's fonts-dejavu put it, else Pillow's own font (scalable since Pillow 10.1)."""
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def render(card: Card) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for i, colour in enumerate(ACCENTS):  # Letterboxd's three dots, as a stripe
        draw.rectangle((i * WIDTH // 3, 0, (i + 1) * WIDTH // 3, 10), fill=colour)
    draw.text(
        (MARGIN, 48), _fit(draw, card.title, font(60, bold=True), WIDTH - 2 * MARGIN), font=font(60, True), fill=TEXT
    )
    draw.text((MARGIN, 124), card.subtitle, font=font(26), fill=MUTED)

    # Headline figures in a row of columns: the number large, its label under it.
    figures = card.figures[:4]
    column = (WIDTH - 2 * MARGIN) // max(len(figures), 1)
    for i, (label, value) in enumerate(figures):
        x = MARGIN + i * column
        draw.text((x, 190), value, font=font(64, bold=True), fill=ACCENTS[i % len(ACCENTS)])
        draw.text((x, 266), label, font=font(24), fill=MUTED)

    draw.text((MARGIN, 330), card.bars_title, font=font(26, bold=True), fill=TEXT)
    bars = card.bars[:BARS_SHOWN]
    most = max((n for _, n in bars), default=0)
    label_width = 300
    longest = WIDTH - 2 * MARGIN - label_width - 80
    for i, (name, n) in enumerate(bars):
        y = 378 + i * 44
        draw.text((MARGIN, y), _fit(draw, name, font(24), label_width - 16), font=font(24), fill=TEXT)
        length = max(4, round(longest * n / most)) if most else 4
        draw.rectangle((MARGIN + label_width, y + 4, MARGIN + label_width + length, y + 28), fill=ACCENTS[1])
        draw.text((MARGIN + label_width + length + 12, y), str(n), font=font(24), fill=MUTED)
    if not bars:
        draw.text((MARGIN, 378), "Nothing to show yet.", font=font(24), fill=MUTED)

    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _fit(draw: ImageDraw.ImageDraw, text: str, face: FontType, width: int) -> str:
    """`text`, cut with an ellipsis until it fits `width` pixels."""
    if draw.textlength(text, font=face) <= width:
        return text
    while text and draw.textlength(text + "…", font=face) > width:
        text = text[:-1]
    return text + "…"
