"""Bar charts drawn on the server as SVG (no chart library, no CDN, no script): the dashboard's and
the reports' figures by month. Bars take the text colour of their container (`currentColor`), so a
chart follows the page's theme and prints in black on white; each bar carries its label and value
as a tooltip (`<title>`), and the chart as a whole an accessible name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 600, 160
LABELS = 18  # px under the bars for the labels
GAP = 0.25  # of each bar's slot left empty


def bar_chart(bars: Sequence[tuple[str, Decimal | int]], *, title: str,
              shown: Callable[[Decimal | int], str] = str) -> SafeString:
    """An SVG bar chart of (label, value) pairs, left to right; negative values hang below the zero
    line. `shown` formats a value for the tooltips."""
    values = [Decimal(value) for _label, value in bars]  # ints and Decimals alike: all zero is still a chart
    top = max([Decimal(0), *values])
    bottom = min([Decimal(0), *values])
    span = (top - bottom) or Decimal(1)
    plot = HEIGHT - LABELS
    zero = plot * top / span
    slot = WIDTH / max(len(bars), 1)
    width = slot * (1 - GAP)
    rects, texts = [], []
    for index, ((label, shown_value), value) in enumerate(zip(bars, values, strict=True)):
        x = index * slot + slot * GAP / 2
        height = plot * abs(value) / span
        y = zero - height if value >= 0 else zero
        rects.append((f"{x:.1f}", f"{y:.1f}", f"{width:.1f}", f"{max(height, 0.5 if value else 0):.1f}",
                      f"{label}: {shown(shown_value)}"))
        texts.append((f"{x + width / 2:.1f}", str(HEIGHT - 4), label))
    return format_html(
        '<svg class="bar-chart" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}" '
        'preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">'
        '<line x1="0" x2="{}" y1="{}" y2="{}" stroke="currentColor" stroke-opacity=".3"/>{}{}</svg>',
        WIDTH, HEIGHT, title, WIDTH, f"{zero:.1f}", f"{zero:.1f}",
        format_html_join("", '<rect x="{}" y="{}" width="{}" height="{}" fill="currentColor"><title>{}</title></rect>',
                         rects),
        format_html_join("", '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="currentColor" '
                         'fill-opacity=".7">{}</text>', texts))
