"""The VAT of a foreign-currency invoice or credit note in the seller's tax currency, as its PDF
prints it under the summary: art. 106e ust. 11 of the Polish VAT act wants the tax in złoty on an
invoice in another currency, with the NBP rate it was converted at (its table and day).

Invoicing does not keep those rates: e-invoices do (their "tax exchange rates", a layer above), and
the e-invoice converts the same VAT for KSeF (FA(3) P_14_xW). So the figures are e-invoices' — one
rate lookup, one conversion, for the file and the PDF alike — handed in through `register_source`
from e-invoices' AppConfig.ready(); with no source registered a PDF prints no such block."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_decimal
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Document

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaxInCurrency:
    """One tax line of the document (its name and rate) and its amount in the tax currency."""

    name: str
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True)
class VatInTaxCurrency:
    """The document's VAT converted: per tax line and in all, and the rate it was converted at."""

    currency: str  # the tax currency: "PLN"
    rate: Decimal  # units of the tax currency for one unit of the document's currency
    day: dt.date  # the day the rate was published for
    table: str  # NBP's table number ("226/A/NBP/2026"), "" when none was entered
    taxes: tuple[TaxInCurrency, ...]

    @property
    def total(self) -> Decimal:
        return sum((tax.amount for tax in self.taxes), Decimal(0))


Source = Callable[[Document], "VatInTaxCurrency | None"]
_sources: list[Source] = []


def register_source(source: Source) -> None:
    """Called once by the app that keeps the rates (e-invoices) when Django starts."""
    if source not in _sources:
        _sources.append(source)


def vat_in_tax_currency(document: Document) -> VatInTaxCurrency | None:
    """The document's VAT in its seller's tax currency, when the seller has one other than the
    document's currency, VAT was charged and the rate is known; else None. A source that fails
    (a database error looking the rate up) never stops the document being issued: it runs in a
    savepoint, and the PDF is made without the block, as when the rate is not known."""
    for source in _sources:
        try:
            with transaction.atomic():
                found = source(document)
        except Exception:
            log.exception("The VAT of %s in the tax currency could not be found; its PDF is made without it",
                          document.number)
            continue
        if found is not None:
            return found
    return None


def rate_sentence(figures: VatInTaxCurrency, *, currency: str, locale: str) -> str:
    """The line under the converted VAT, in the active language: "1 USD = 3.9876 PLN, NBP average
    exchange rate, table 226/A/NBP/2026 of 2026-11-23" — the PDF's and the staff page's alike."""
    values = {"currency": currency, "rate": format_decimal(figures.rate, "#,##0.0000##", locale=locale),
              "to": figures.currency, "table": figures.table, "day": figures.day.isoformat()}
    if figures.table:
        return _("1 %(currency)s = %(rate)s %(to)s, NBP average exchange rate, table %(table)s of %(day)s") % values
    return _("1 %(currency)s = %(rate)s %(to)s, NBP average exchange rate of %(day)s") % values
