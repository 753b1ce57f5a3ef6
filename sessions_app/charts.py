"""Server-rendered SVG charts: no JavaScript, no CDN, readable on a phone (a viewBox that scales to the width).

Each chart is a picture of numbers the page also prints as text; labels are escaped here.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 400  # horizontal bars: a name column, the bar, its value
COLUMNS_WIDTH = 560  # vertical bars: wider, so decades of months keep readable labels under them
MAX_BAR = 48  # a column's widest: two years side by side are two columns, not two walls
FONT_SIZE = 9  # chart text, in viewBox units (style.css: .chart text)
NAME_FONT_SIZE = 11  # the names beside horizontal bars (style.css: .chart.bars text.name)
LABEL_GAP = 4  # space kept between two labels
# Average advance of a glyph, as a share of the font size: digits, Latin letters and dashes take about 0.6;
# the rating stars ★ and ½ are as wide as the font is high.
NARROW, WIDE = 0.6, 1.0


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def text_width(text: str, font_size: float = FONT_SIZE) -> float:
    """How wide a label is drawn, roughly: what keeps two labels apart ("2021-07" is about 38 units)."""
    return sum(NARROW if ord(c) < 0x2000 else WIDE for c in text) * font_size


def _every(step: float, widest: float) -> int:
    """Draw one label in this many, so that labels `step` apart never touch: with 60 months, one in seven."""
    return max(1, math.ceil((widest + LABEL_GAP) / step))


def _fit(label: str, room: float, font_size: float) -> str:
    """The label, cut with an ellipsis to the room it has (a long title must not run off the chart's edge)."""
    if text_width(label, font_size) <= room:
        return label
    while label and text_width(label + "…", font_size) > room:
        label = label[:-1]
    return label.rstrip() + "…"


def columns(rows: list[tuple[str, float]], title: str) -> SafeString:
    """Vertical bars for an ordered series (years, months, weekdays, half stars). Labels under the bars, and
    values over them, are thinned to as many as fit side by side without touching."""
    if not rows:
        return mark_safe("")
    height, top, bottom = 120, 14, 18
    peak = max(value for _, value in rows) or 1
    step = COLUMNS_WIDTH / len(rows)
    bar = min(max(step * 0.8, 1), MAX_BAR)
    label_every = _every(step, max(text_width(label) for label, _ in rows))
    # Values are drawn only when every one fits over its own bar: a thinned run of values would read as totals.
    values_fit = _every(step, max(text_width(_number(value)) for _, value in rows)) == 1
    parts = []
    drawn_to: float = -LABEL_GAP  # where the last label drawn ends
    for i, (label, value) in enumerate(rows):
        x = i * step + (step - bar) / 2
        h = (height - top - bottom) * value / peak
        y = height - bottom - h
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}">'
            f"<title>{escape(label)}: {_number(value)}</title></rect>"
        )
        if values_fit and value:
            parts.append(f'<text class="value" x="{x + bar / 2:.1f}" y="{y - 3:.1f}">{_number(value)}</text>')
        # Centred under its bar, but never past the chart's edges (the first month would lose its year); a label
        # pushed in from an edge may then crowd its neighbour, which is left out.
        half = math.ceil(text_width(label) * 5) / 10
        centre = min(max(x + bar / 2, half), COLUMNS_WIDTH - half)
        if i % label_every == 0 and centre - half >= drawn_to + LABEL_GAP:
            drawn_to = centre + half
            parts.append(f'<text class="label" x="{centre:.1f}" y="{height - 5}">{escape(label)}</text>')
    return format_html(
        '<svg class="chart columns" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        COLUMNS_WIDTH,
        height,
        title,
        mark_safe("".join(parts)),
    )


def bars(rows: list[tuple[str, float]], title: str) -> SafeString:
    """Horizontal bars for named groups (genres, people, countries), the value printed at each bar's end."""
    if not rows:
        return mark_safe("")
    row_height, label_width, value_width = 20, 150, 40
    peak = max(value for _, value in rows) or 1
    span = WIDTH - label_width - value_width
    parts = []
    for i, (label, value) in enumerate(rows):
        y = i * row_height
        w = max(span * value / peak, 1)
        short = _fit(label, label_width - 10, NAME_FONT_SIZE)
        parts.append(
            f'<text class="name" x="{label_width - 6}" y="{y + 14}">{escape(short)}</text>'
            f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row_height - 6}">'
            f"<title>{escape(label)}: {_number(value)}</title></rect>"
            f'<text class="value" x="{label_width + w + 4:.1f}" y="{y + 14}">{_number(value)}</text>'
        )
    return format_html(
        '<svg class="chart bars" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        WIDTH,
        len(rows) * row_height,
        title,
        mark_safe("".join(parts)),
    )


def heatmap(year: int, per_day: dict[date, int], backfilled: set[date]) -> SafeString:
    """A year as 53 week columns of 7 days (Monday on top); back-filled days hatched, not coloured as habits."""
    cell = 7.4
    first = date(year, 1, 1)
    origin = first - timedelta(days=first.weekday())
    peak = max((n for d, n in per_day.items() if d not in backfilled), default=1)
    parts = []
    day = first
    while day.year == year:
        week = (day - origin).days // 7
        count = per_day.get(day, 0)
        if day in backfilled:
            css, note = "day backfilled", " (back-filled)"
        else:
            level = 0 if not count else min(4, 1 + (count - 1) * 4 // peak)
            css, note = f"day l{level}", ""
        parts.append(
            f'<rect class="{css}" x="{week * cell:.1f}" y="{day.weekday() * cell + 12:.1f}" '
            f'width="{cell - 1.4:.1f}" height="{cell - 1.4:.1f}">'
            f"<title>{day.isoformat()}: {count}{note}</title></rect>"
        )
        day += timedelta(days=1)
    for month in range(1, 13):
        start = date(year, month, 1)
        week = (start - origin).days // 7
        parts.append(f'<text class="label" x="{week * cell:.1f}" y="9">{start:%b}</text>')
    width = 54 * cell
    return format_html(
        '<svg class="chart heatmap" viewBox="0 0 {} {}" role="img" aria-label="Viewings per day in {}">{}</svg>',
        f"{width:.0f}",
        f"{7 * cell + 12:.0f}",
        year,
        mark_safe("".join(parts)),
    )
