"""What a report page shows: tables of cells (text, amounts, links), each exportable as CSV — the
same rows the page shows."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.translation import get_language

from clientpanel.core.csv_export import Amount
from clientpanel.core.money import currency_minor_unit, display_amount, display_percent


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Rate:
    """A tax rate: "23%", "25,5%" on a Polish page; the plain number ("25.5") in the CSV."""
    rate: Decimal


@dataclass(frozen=True)
class Link:
    text: str
    url: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Table:
    key: str  # the ?part= of its CSV export
    title: str
    columns: list[tuple[str, bool]]  # label, is it a number (right-aligned)
    rows: list[list[object]] = field(default_factory=list)
    note: str = ""
    export: str = ""  # the URL of its CSV, set by the page
    # Columns shown on wide screens only (and always in the CSV): what a laptop's width leaves out
    # of a long row without losing its sense (the currency beside amounts that carry their sign).
    wide_only: frozenset[int] = frozenset()

    def _css(self, index: int, base: str) -> str:
        return f"{base} d-none d-xxl-table-cell".strip() if index in self.wide_only else base

    @property
    def headers(self) -> list[tuple[str, str]]:
        """Each column's label and its header cell's classes."""
        return [(label, self._css(index, "text-end" if numeric else ""))
                for index, (label, numeric) in enumerate(self.columns)]

    @property
    def body_html(self) -> str:
        """The table's rows as HTML, built here rather than cell by cell in the template, where the
        aging report's list of a dozen cells a row took most of the page's time."""
        language = get_language() or "en"
        classes = [self._css(index, "text-end text-nowrap" if numeric else "")
                   for index, (_label, numeric) in enumerate(self.columns)]
        # On a phone a row is a card (base.html: .cp-cards): its first cell heads it, the others
        # name their column (data-label), as the hidden header did.
        labels = [""] + [format_html(' data-label="{}"', label) for label, _numeric in self.columns[1:]]

        def cells(row: list[object]):
            for index, (cell, css, label) in enumerate(zip(row, classes, labels, strict=True)):
                # A number, a day, a period or a link kept on one line: "2026-11-04" broke into "2026-" and
                # "11-04", "2026-12" into "2026-" and "12".
                if (isinstance(cell, Link) or _is_day(cell)) and "text-nowrap" not in css:
                    css = f"text-nowrap {css}".strip()
                yield (css + " cp-card-head" if index == 0 else css).strip(), label, cell_html(cell, language)

        return format_html_join("\n", "<tr>{}</tr>", ((format_html_join("", '<td class="{}"{}>{}</td>', cells(row)),)
                                                       for row in self.rows))


_DAY = re.compile(r"\d{4}-(\d{2}(-\d{2})?|Q[1-4])")  # a day, or a report's period: "2026-11", "2026-Q4"


def _is_day(cell: object) -> bool:
    return isinstance(cell, str) and _DAY.fullmatch(cell) is not None


def cell_html(cell: object, language: str) -> str:
    if isinstance(cell, Link):
        return format_html('<a href="{}">{}</a>', cell.url, cell.text)
    if isinstance(cell, Money):
        return conditional_escape(display_amount(cell.amount, cell.currency, language))
    if isinstance(cell, Rate):
        return conditional_escape(display_percent(cell.rate, language))
    return conditional_escape(cell)


def _places(currency: str) -> int:
    try:
        return currency_minor_unit(currency)
    except Exception:  # a currency Babel does not know: the usual 2
        return 2


def csv_cell(cell: object) -> object:
    if isinstance(cell, Money):
        return Amount(cell.amount, _places(cell.currency))
    if isinstance(cell, Rate):
        return rate_text(cell.rate)
    return str(cell) if isinstance(cell, Link) else cell


def day_text(moment: dt.datetime | None) -> str:
    return f"{timezone.localdate(moment):%Y-%m-%d}" if moment else ""


def rate_text(rate: Decimal) -> str:
    text = format(rate, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
