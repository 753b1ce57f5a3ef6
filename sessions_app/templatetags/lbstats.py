"""Template helpers for the pages: charts, stars, posters and sanitised review HTML."""

from decimal import Decimal

import nh3
from django import template
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from sessions_app import charts, stats
from sessions_app.stats import Ranking, Time

register = template.Library()

# Review HTML from the export: only these survive, everything else is stripped (text kept).
REVIEW_TAGS = {"i", "b", "em", "strong", "blockquote", "br", "p", "a"}
REVIEW_ATTRIBUTES = {"a": {"href"}}


@register.simple_tag
def columns_chart(rows: list[tuple[str, float]], title: str) -> SafeString:
    return charts.columns(rows, title)


@register.simple_tag
def ranking_chart(ranking: Ranking, title: str) -> SafeString:
    return charts.bars([(g.name, g.films) for g in ranking.shown], title)


@register.simple_tag
def heatmap_chart(time: Time) -> SafeString:
    if time.heatmap_year is None:
        return mark_safe("")
    return charts.heatmap(time.heatmap_year, time.heatmap, {b.day for b in time.backfilled})


@register.filter
def stars(rating: Decimal | None) -> str:
    return "" if rating is None else stats.stars(rating)


@register.filter
def review_html(text: str) -> SafeString:
    # nh3 escapes text and drops any tag or attribute not listed, so the result is safe to mark.
    return mark_safe(nh3.clean(text, tags=REVIEW_TAGS, attributes=REVIEW_ATTRIBUTES, link_rel="noopener nofollow"))


@register.simple_tag
def poster_url(path: str, size: str = "w185") -> str:
    return f"{settings.TMDB_IMAGE_BASE_URL}{size}{path}" if path else ""
