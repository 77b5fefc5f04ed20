"""Widths of the PDF's tables that keep every amount on one line: a column of amounts is as wide
as its widest amount needs (and never narrower than its usual width), and the item's description
takes what is left. Fixed widths broke "PLN 100,010.00" into "PLN 100,010.0" and "0" below it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

CELL_PADDING = 6 + 6 + 1  # reportlab's left and right padding of a cell, and a point to spare
PAGE_WIDTH = 174 * mm  # what the page's frame holds
DESCRIPTION_MINIMUM = 30 * mm


def fitted(texts: Iterable[str], *, font: str, size: float, minimum: float) -> float:
    """The width (points) a column needs to set each text on one line, `minimum` at least."""
    return max([minimum, *(stringWidth(text, font, size) + CELL_PADDING for text in texts)])


def with_description(widths: Sequence[float | None], total: float = PAGE_WIDTH) -> list[float]:
    """The widths with the one None (the description's column) given what the others leave of
    `total`, DESCRIPTION_MINIMUM at least."""
    rest = total - sum(width for width in widths if width is not None)
    return [max(rest, DESCRIPTION_MINIMUM) if width is None else width for width in widths]
