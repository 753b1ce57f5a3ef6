"""The world map: Natural Earth's countries decoded from TopoJSON, projected, keyed as TMDB keys countries."""

from django.conf import settings

from sessions_app import worldmap

ATLAS = settings.BASE_DIR / "static" / "vendor" / "countries-110m.json"


def test_a_topojson_ring_walks_shared_arcs_forwards_and_backwards_without_repeating_their_ends():
    topology = {
        "transform": {"scale": [1, 1], "translate": [10, 20]},
        "arcs": [[[0, 0], [2, 0], [0, 2]], [[2, 2], [-2, 0], [0, -2]]],
    }
    arcs = worldmap.decode_arcs(topology)

    assert arcs == [[(10, 20), (12, 20), (12, 22)], [(12, 22), (10, 22), (10, 20)]]
    assert worldmap.ring(arcs, [0, 1]) == [(10, 20), (12, 20), (12, 22), (10, 22), (10, 20)]
    assert worldmap.ring(arcs, [~1]) == [(10, 20), (10, 22), (12, 22)]


def test_the_natural_earth_projection_keeps_the_origin_and_squeezes_the_poles():
    assert worldmap.natural_earth(0, 0) == (0.0, 0.0)
    x_equator, _ = worldmap.natural_earth(180, 0)
    x_pole, y_pole = worldmap.natural_earth(180, 90)
    assert round(x_equator, 4) == 2.7354  # 0.8707 × π
    assert round(x_pole / x_equator, 3) == 0.550  # the poles are lines, not points, and shorter than the equator
    assert round(y_pole, 4) == 1.4224


def test_the_atlas_keys_its_countries_by_tmdb_s_alpha_2_codes():
    world = worldmap.atlas(ATLAS)
    by_code = {c.code: c.name for c in world.countries}

    assert len(world.countries) == 176  # Natural Earth's 177, less Antarctica
    assert (by_code["FR"], by_code["US"], by_code["XK"], by_code["KR"]) == (
        "France",
        "United States of America",
        "Kosovo",
        "South Korea",
    )
    assert [c.name for c in world.countries if not c.code] == ["N. Cyprus", "Somaliland"]
    assert worldmap.atlas(ATLAS) is world  # decoded and projected once per process


def test_no_border_jumps_across_the_map_where_a_country_crosses_the_antimeridian():
    world = worldmap.atlas(ATLAS)
    jumps = []
    for country in world.countries:
        for outline in country.path.split("Z")[:-1]:
            points = [tuple(map(int, p.split())) for p in outline.removeprefix("M").split("L")]
            jumps.append(max(abs(x - x0) for (x0, _), (x, _) in zip(points, points[1:], strict=False)))
            assert all(0 <= y <= world.height for _, y in points), country.name
    assert max(jumps) < worldmap.WIDTH / 4
    assert worldmap.ring([[(179.0, -16.0), (-179.5, -16.5)]], [0]) == [(179.0, -16.0), (180.5, -16.5)]


def test_countries_are_shaded_on_a_log_scale_and_the_unseen_ones_listed():
    assert [worldmap.level(n, 100) for n in (0, 1, 3, 10, 30, 100)] == [0, 1, 2, 3, 3, 4]
    world = worldmap.atlas(ATLAS)
    svg = worldmap.choropleth(world, {"FR": 100, "JP": 1}, "Films per production country")

    assert svg.count('class="country l4"') == 1 and svg.count('class="country l1"') == 1
    assert "<title>France: 100 films</title>" in svg and "<title>Japan: 1 film</title>" in svg
    assert "<title>Peru: not seen yet</title>" in svg
    unseen = worldmap.unseen(world, {"FR", "JP"})
    assert len(unseen) == 172 and "France" not in unseen and "Peru" in unseen
