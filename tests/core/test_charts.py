"""core.charts: accessible SVG, escaped labels, bars proportional to the values."""

import re

from core.charts import bar_chart, column_chart


def test_bar_chart_is_a_named_image_with_escaped_labels():
    svg = str(bar_chart([("<b>x</b>", 10), ("Second", 5)], title="Refusals & more", summary="two bars"))
    assert svg.startswith('<svg class="chart" role="img"') and 'aria-label="Refusals &amp; more"' in svg
    assert "<title>Refusals &amp; more</title><desc>two bars</desc>" in svg
    assert "&lt;b&gt;x&lt;/b&gt;" in svg and "<b>" not in svg
    widths = [int(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="(\d+)"', svg)]
    assert widths[0] == 2 * widths[1]  # proportional


def test_empty_charts_say_so():
    assert "—" in str(bar_chart([], title="Nothing"))
    assert 'role="img"' in str(column_chart([], title="Nothing"))


def test_column_chart_names_its_first_and_last_labels():
    svg = str(column_chart([("1 Jan", 1), ("8 Jan", 3), ("15 Jan", 2)], title="Per week"))
    assert svg.count("<rect") == 3 and ">1 Jan<" in svg and ">15 Jan<" in svg and ">3<" in svg
