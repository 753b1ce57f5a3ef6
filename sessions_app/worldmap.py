"""A world map drawn on the server: one SVG path per country, shaded by how many of your films it produced.

The shapes are Natural Earth's 1:110m countries as npm's `world-atlas` packs them (TopoJSON), copied into
static/vendor at set-up (package.json's postinstall): no CDN, no JavaScript. TopoJSON stores each border once,
as an "arc" of quantised, delta-encoded points that neighbouring countries share (France and Spain both walk the
Pyrenees arc, one of them backwards); a country is rings of arc indexes. Decoding and projecting is done once per
process (`atlas`). Countries are keyed by ISO 3166-1 alpha-2, as TMDB names production countries; the atlas
names them by ISO numeric code, which `pycountry` turns into alpha-2.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pycountry
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 800
LEVELS = 4  # shades of a seen country, from one film to the most
# Countries the atlas draws without an ISO numeric code, with the code TMDB uses for them (when it has one).
UNNUMBERED = {"Kosovo": "XK"}
LEFT_OUT = {"010"}  # Antarctica: the map's widest shape, and no country's films


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2, "" when neither the atlas nor TMDB has one (Somaliland, N. Cyprus)
    name: str
    path: str  # SVG path data in the map's coordinates


@dataclass(frozen=True)
class Atlas:
    countries: tuple[Country, ...]
    height: int


def natural_earth(lon: float, lat: float) -> tuple[float, float]:
    """The Natural Earth projection (Šavrič, Jenny, Patterson and Jenny, 2011) of a point in degrees: a world
    that looks like a world (Greenland not the size of Africa), in units where the equator is about 5.45 long."""
    lam, phi = math.radians(lon), math.radians(lat)
    p2 = phi * phi
    p4 = p2 * p2
    x = lam * (0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4)))
    y = phi * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4)))
    return x, y


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Every arc as (longitude, latitude) points: undo the delta encoding, then the quantisation."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    """A closed ring from its arcs; index ~i is arc i walked backwards. Consecutive arcs share an end point.

    A ring that crosses the antimeridian (Fiji's Vanua Levu, Russia's Chukotka) goes on past 180° rather than
    jumping back to -180°, which would draw a band across the whole map; the SVG's frame clips what lies beyond."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    unwrapped, shift = points[:1], 0.0
    for (before, _), (lon, lat) in zip(points, points[1:], strict=False):
        if lon - before > 180:
            shift -= 360
        elif before - lon > 180:
            shift += 360
        unwrapped.append((lon + shift, lat))
    return unwrapped


def alpha_2(numeric: str | None, name: str) -> str:
    if numeric is None:
        return UNNUMBERED.get(name, "")
    found = pycountry.countries.get(numeric=numeric)
    return found.alpha_2 if found else ""


@cache
def atlas(path: Path) -> Atlas:
    """The atlas at `path` decoded and projected into SVG paths: once per process."""
    topology = json.loads(path.read_text())
    arcs = decode_arcs(topology)
    left, top = natural_earth(-180, 0)[0], natural_earth(0, 90)[1]
    scale = WIDTH / (2 * -left)
    bottom = natural_earth(0, -60)[1]  # the map stops at 60°S: below it only Antarctica
    height = round((top - bottom) * scale)

    def outline(points: list[tuple[float, float]]) -> str:
        """A ring as path data in whole units of the map (a pixel at its full width): points that round to the
        one before are dropped, which halves the page's weight and changes nothing one can see, and so is an
        island smaller than a pixel."""
        kept: list[tuple[int, int]] = []
        for lon, lat in points:
            x, y = natural_earth(lon, lat)
            here = (round((x - left) * scale), round((top - y) * scale))
            if not kept or here != kept[-1]:
                kept.append(here)
        return "M" + "L".join(f"{x} {y}" for x, y in kept) + "Z" if len(kept) > 2 else ""

    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("id") in LEFT_OUT or geometry["type"] not in ("Polygon", "MultiPolygon"):
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        d = "".join(outline(ring(arcs, indexes)) for polygon in polygons for indexes in polygon)
        name = geometry["properties"]["name"]
        countries.append(Country(alpha_2(geometry.get("id"), name), name, d))
    return Atlas(tuple(sorted(countries, key=lambda c: c.name)), height)


def level(films: int, most: int) -> int:
    """A seen country's shade, 1 to LEVELS, on a logarithmic scale: one film shows, and the United States'
    hundreds do not wash every other country out."""
    if films <= 0:
        return 0
    return max(1, math.ceil(LEVELS * math.log1p(films) / math.log1p(most)))


def choropleth(world: Atlas, films: Mapping[str, int], title: str) -> SafeString:
    """The map, each country shaded by its films (`films`: alpha-2 code → count), its name and count as a tooltip."""
    most = max(films.values(), default=0)
    parts = []
    for country in world.countries:
        n = films.get(country.code, 0)
        label = f"{country.name}: {n} film{'s' if n != 1 else ''}" if n else f"{country.name}: not seen yet"
        parts.append(
            f'<path class="country l{level(n, most)}" d="{country.path}"><title>{escape(label)}</title></path>'
        )
    return format_html(
        '<svg class="chart world-map" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        WIDTH,
        world.height,
        title,
        mark_safe("".join(parts)),
    )


def unseen(world: Atlas, seen: set[str]) -> list[str]:
    """Names of the map's countries (those with a code) that none of your films was made in."""
    return [c.name for c in world.countries if c.code and c.code not in seen]
