import itertools
import re
from datetime import date

from sessions_app import charts


def drawn(svg: str, css: str) -> list[tuple[float, str]]:
    """The (x, text) of every <text> of a class in the SVG, in drawing order."""
    return [(float(x), text) for x, text in re.findall(rf'<text class="{css}" x="([\d.]+)"[^>]*>([^<]*)</text>', svg)]


def months(count: int) -> list[tuple[str, int]]:
    return [(f"{2020 + i // 12}-{i % 12 + 1:02d}", i % 7 + 1) for i in range(count)]


def test_sixty_months_draw_labels_spaced_by_at_least_their_width():
    labels = drawn(charts.columns(months(60), "Viewings per month"), "label")

    # one in five, 47 units apart; the first is pushed in from the edge, so its neighbour 2020-06 gives way
    expected = ["2020-01", "2020-11", "2021-04", "2021-09", "2022-02", "2022-07"]
    expected += ["2022-12", "2023-05", "2023-10", "2024-03", "2024-08"]
    assert [text for _, text in labels] == expected
    for (x, text), (next_x, next_text) in itertools.pairwise(labels):
        assert next_x - x >= (charts.text_width(text) + charts.text_width(next_text)) / 2 + charts.LABEL_GAP


def test_a_few_months_label_every_bar_and_print_every_value():
    svg = charts.columns(months(12), "Viewings per month")

    assert len(drawn(svg, "label")) == 12
    assert [text for _, text in drawn(svg, "value")] == ["1", "2", "3", "4", "5", "6", "7", "1", "2", "3", "4", "5"]


def test_values_that_would_touch_are_left_to_the_table_not_thinned():
    # 31 days with three-digit counts: 18 units a bar, 20 a value
    svg = charts.columns([(str(day), 100 + day) for day in range(1, 32)], "Viewings per day")

    assert drawn(svg, "value") == []


def test_labels_at_the_ends_stay_inside_the_chart():
    labels = drawn(charts.columns(months(24), "Viewings per month"), "label")
    first, last = labels[0], labels[-1]

    assert first[0] - charts.text_width(first[1]) / 2 >= 0
    assert last[0] + charts.text_width(last[1]) / 2 <= charts.COLUMNS_WIDTH


def test_two_years_are_two_columns_not_two_walls():
    svg = charts.columns([("2023", 33), ("2024", 31)], "Viewings per year")

    assert re.findall(r'<rect class="bar" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg) == ["48.0", "48.0"]


def test_star_labels_are_measured_as_wide_glyphs():
    stars = ["½", "★", "★½", "★★", "★★½", "★★★", "★★★½", "★★★★", "★★★★½", "★★★★★"]
    labels = drawn(charts.columns([(s, 1) for s in stars], "Films per rating"), "label")

    assert charts.text_width("★★★★★") == 45
    assert [text for _, text in labels] == stars  # 56 units a column: all fit
    for (x, text), (next_x, _) in itertools.pairwise(labels):
        assert next_x - x >= charts.text_width(text) + charts.LABEL_GAP


def test_charts_scale_to_the_width_they_are_given():
    svg = charts.columns(months(3), "Viewings per month")

    assert svg.startswith(f'<svg class="chart columns" viewBox="0 0 {charts.COLUMNS_WIDTH} 120"')
    assert "width=" not in svg.split(">")[0]  # the page's CSS sets the width: 100% of the column


def test_a_long_name_beside_a_bar_is_cut_to_the_room_it_has():
    title = "The Assassination of Jesse James by the Coward Robert Ford"
    names = drawn(charts.bars([(title, 3), ("Heat", 2)], "Films"), "name")

    assert names[1][1] == "Heat"
    assert names[0][1].endswith("…") and title.startswith(names[0][1][:-1])
    assert charts.text_width(names[0][1], charts.NAME_FONT_SIZE) <= 140


def test_the_heatmap_names_every_month_once():
    svg = charts.heatmap(2024, {date(2024, 3, 1): 2}, set())

    assert [text for _, text in drawn(svg, "label")] == [
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    ]
