"""Server-rendered SVG charts: no JavaScript, no CDN, readable on a phone (a viewBox that scales to the width).

Each chart is a picture of numbers the page also prints as text; labels are escaped here.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 400


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def columns(rows: list[tuple[str, float]], title: str) -> SafeString:
    """Vertical bars for an ordered series (years, months, weekdays, half stars)."""
    if not rows:
        return mark_safe("")
    height, top, bottom = 140, 14, 18
    peak = max(value for _, value in rows) or 1
    step = WIDTH / len(rows)
    bar = max(step * 0.8, 1)
    label_every = max(1, round(len(rows) / 12))  # at most about twelve labels fit under the bars
    parts = []
    for i, (label, value) in enumerate(rows):
        x = i * step + (step - bar) / 2
        h = (height - top - bottom) * value / peak
        y = height - bottom - h
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}">'
            f"<title>{escape(label)}: {_number(value)}</title></rect>"
        )
        if len(rows) <= 31 and value:
            parts.append(f'<text class="value" x="{x + bar / 2:.1f}" y="{y - 3:.1f}">{_number(value)}</text>')
        if i % label_every == 0:
            parts.append(f'<text class="label" x="{x + bar / 2:.1f}" y="{height - 5}">{escape(label)}</text>')
    return format_html(
        '<svg class="chart columns" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        WIDTH,
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
        short = label if len(label) <= 24 else label[:23] + "…"
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
