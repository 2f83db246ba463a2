"""Charts drawn on the server as accessible SVG: no script, no chart library, no CDN. Pure functions from data to
markup. Each chart is an <svg role="img"> named by its title and described by a one-line summary; the page shows
the same numbers in a table beside it (the fallback for screen readers, printing and copying). Labels and values
are escaped here; the result is marked safe.

- `bar_chart(rows)`: horizontal bars, one per (label, value), the value written at the bar's end.
- `column_chart(rows)`: vertical columns over time (e.g. applications per week), first and last label shown.
"""

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, CHART_WIDTH = 22, 6, 190, 560
COLUMN_HEIGHT = 140
COLOURS = ("#0b57d0", "#116329", "#b42318", "#8a4b00", "#5b2a86", "#0e6e6e")  # >= 4.5:1 on white


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bar_chart(
    rows: Sequence[tuple[str, float]], *, title: str, summary: str = "", colour: str = COLOURS[0], value_format=_number
) -> SafeString:
    """Horizontal bars. `rows`: (label, value >= 0). An empty chart says so instead of drawing nothing."""
    height = max(len(rows), 1) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    top = max((value for _label, value in rows), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 70
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {CHART_WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    if summary:
        parts.append(f"<desc>{escape(summary)}</desc>")
    for index, (label, value) in enumerate(rows):
        y = BAR_GAP + index * (BAR_HEIGHT + BAR_GAP)
        width = max(round(span * value / top), 1 if value else 0)
        text_y = y + BAR_HEIGHT * 0.7
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{text_y:.1f}" text-anchor="end" font-size="13" '
            f'fill="#1b1f24">{escape(_short(label))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" fill="{colour}" rx="2"/>'
            f'<text x="{LABEL_WIDTH + width + 6}" y="{text_y:.1f}" font-size="13" '
            f'fill="#1b1f24">{escape(value_format(value))}</text>'
        )
    if not rows:
        parts.append(f'<text x="8" y="{BAR_HEIGHT}" font-size="13" fill="#4a5360">—</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 every interpolated text is escaped above


def column_chart(
    rows: Sequence[tuple[str, float]], *, title: str, summary: str = "", colour: str = COLOURS[0]
) -> SafeString:
    """Vertical columns in order (time), with the largest value and the first and last labels written."""
    count = max(len(rows), 1)
    top = max((value for _label, value in rows), default=0) or 1
    width = CHART_WIDTH
    step = (width - 40) / count
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {COLUMN_HEIGHT + 40}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    if summary:
        parts.append(f"<desc>{escape(summary)}</desc>")
    parts.append(
        f'<line x1="30" y1="{COLUMN_HEIGHT + 10}" x2="{width - 5}" y2="{COLUMN_HEIGHT + 10}" '
        'stroke="#4a5360"/>'
        f'<text x="26" y="18" text-anchor="end" font-size="12" fill="#1b1f24">{escape(_number(top))}</text>'
    )
    for index, (_label, value) in enumerate(rows):
        h = round(COLUMN_HEIGHT * value / top)
        x = 35 + index * step
        parts.append(
            f'<rect x="{x:.1f}" y="{COLUMN_HEIGHT + 10 - h}" width="{max(step - 3, 1):.1f}" height="{h}" '
            f'fill="{colour}"/>'
        )
    if rows:
        parts.append(
            f'<text x="35" y="{COLUMN_HEIGHT + 30}" font-size="12" fill="#1b1f24">'
            f"{escape(rows[0][0])}</text>"
            f'<text x="{width - 5}" y="{COLUMN_HEIGHT + 30}" text-anchor="end" font-size="12" '
            f'fill="#1b1f24">{escape(rows[-1][0])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 every interpolated text is escaped above


def _short(label: str, limit: int = 26) -> str:
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1] + "…"
