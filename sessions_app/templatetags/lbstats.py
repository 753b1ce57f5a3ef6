"""Template helpers for the pages: charts, stars, posters and sanitised review HTML."""

from decimal import Decimal

import nh3
from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from enrichment import services as enrichment
from enrichment.models import FilmFacet
from sessions_app import charts, stats, worldmap
from sessions_app.letterboxd import RATINGS
from sessions_app.models import Session
from sessions_app.stats import Group, Ranking, Time
from sessions_app.stats.depth import Figure

register = template.Library()

# Review HTML from the export: only these survive, everything else is stripped (text kept).
REVIEW_TAGS = {"i", "b", "em", "strong", "blockquote", "br", "p", "a"}
REVIEW_ATTRIBUTES = {"a": {"href"}}


@register.simple_tag
def columns_chart(rows: list[tuple[str, float]], title: str) -> SafeString:
    return charts.columns(rows, title)


@register.simple_tag
def figures_chart(rows: list[tuple[str, Figure]], title: str) -> SafeString:
    """Columns for a series of linked figures (release years, runtimes)."""
    return charts.columns([(label, figure.count) for label, figure in rows], title)


@register.simple_tag
def ranking_chart(ranking: Ranking, title: str) -> SafeString:
    return charts.bars([(g.name, g.films) for g in ranking.shown], title)


@register.simple_tag
def groups_chart(groups: list[Group], title: str) -> SafeString:
    """Horizontal bars of groups' film counts (the watchlist's and a list's decades, genres, countries)."""
    return charts.bars([(g.name, g.films) for g in groups], title)


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
    """A TMDB image (poster or headshot) at one of TMDB's sizes, from TMDB's configured image base."""
    return f"{enrichment.image_base()}{size}{path}" if path else ""


def _count_anchor(session: Session, count: int, query: str) -> SafeString:
    url = reverse("sessions_app:films", args=[session.public_id])
    return format_html('<a class="count" href="{}?{}">{}</a>', url, query, count)


@register.simple_tag(takes_context=True)
def count_link(context: template.Context, session: Session, count: int, scope: str, *pairs: object) -> SafeString:
    """A figure that counts films, linked to the explorer showing exactly those films: the scope, then filter
    name and value pairs (the figure's definition, `sessions_app.stats.definitions`). On a dashboard whose
    switch leaves TV series and shorts out, the link leaves them out too."""
    if context.get("leave_out_tv_shorts"):
        pairs = (*pairs, "no_tv_shorts", "true")
    return _count_anchor(session, count, stats.explorer_query(scope, *pairs))


@register.simple_tag
def figure_link(session: Session, figure: Figure) -> SafeString:
    """A figure of the deeper sections (`stats.depth`), which carries its own explorer query."""
    return _count_anchor(session, figure.count, figure.query)


@register.simple_tag(takes_context=True)
def rating_count_link(
    context: template.Context, session: Session, count: int, index: int, year: int | None = None
) -> SafeString:
    """A count of the ratings distribution (`index` counts from 1 over RATINGS), linked to its films."""
    rating = RATINGS[index - 1]
    if year:
        return count_link(context, session, count, stats.Scope.DIARY, "watched_in", year, "diary_rating", rating)
    return count_link(context, session, count, stats.Scope.LIBRARY, "rating", rating)


@register.simple_tag
def film_ref(session: Session, ref: stats.FilmRef) -> SafeString:
    """A film named on the dashboard, linked to its page: "Title (year)"."""
    url = reverse("sessions_app:film", args=[session.public_id, ref.id])
    year = f" ({ref.year})" if ref.year else ""
    return format_html('<a href="{}">{}</a>{}', url, ref.title, year)


@register.simple_tag
def group_url(session: Session, ranking: Ranking, key: str) -> str:
    """Where a group's name leads: a person's page for directors and actors, else the explorer's films."""
    if ranking.filter_name in (FilmFacet.Kind.DIRECTOR, FilmFacet.Kind.ACTOR):
        return reverse("sessions_app:person", args=[session.public_id, ranking.filter_name, key])
    url = reverse("sessions_app:films", args=[session.public_id])
    return f"{url}?{stats.explorer_query(ranking.basis, ranking.filter_name, key)}"


def _atlas() -> worldmap.Atlas | None:
    """The world map's shapes, installed at set-up (`make` runs npm's postinstall); None when they are missing."""
    try:
        return worldmap.atlas(settings.BASE_DIR / "static" / "vendor" / "countries-110m.json")
    except FileNotFoundError:
        return None


@register.simple_tag
def world_map(countries: list[Group]) -> SafeString:
    world = _atlas()
    if world is None:
        return format_html('<p class="empty">{}</p>', "The world map is not installed: run make to install it.")
    return worldmap.choropleth(world, {c.key: c.films for c in countries}, "Films per production country")


@register.filter
def unseen_countries(countries: list[Group]) -> list[str]:
    """The map's countries none of these production countries is."""
    world = _atlas()
    return worldmap.unseen(world, {c.key for c in countries}) if world else []


@register.simple_tag
def explorer_query(scope: str, *pairs: object) -> str:
    return stats.explorer_query(scope, *pairs)


@register.filter
def get(mapping, key: str):
    """A value of a query string by a name held in a variable (the explorer's yes/no selects)."""
    return mapping.get(key, "")


@register.inclusion_tag("sessions_app/_film_ref_tile.html")
def film_tile(session: Session, ref: stats.FilmRef) -> dict:
    """A film named on the dashboard as a poster tile, linked to its page."""
    return {"session": session, "ref": ref}
