"""Finance → Reports → Tax collected laid out as tables (reports.py reads the filters): per rate, in
the seller's tax currency for its own VAT return, reverse-charge and untaxed sales. An amount in the
tax currency is left empty while documents wait for their rate — their count has its own column, a
number, never words in an amount cell — and for another EU state's VAT (OSS), which the OSS return
declares in euros at the ECB rate (docs/decisions.md)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from clientpanel.reports import reports

from .report_tables import Money, Rate, Table


def _in_tax_currency(row, amount) -> object:
    """An amount in the row's tax currency: blank when its seller has none, for OSS, and while a
    document's exchange rate is not known yet (a partial sum would pass for the whole)."""
    if not row.tax_currency or row.unconverted or getattr(row, "oss", False):
        return ""
    return Money(amount, row.tax_currency)


def _tax_currency(row) -> str:
    return pgettext("tax report", "OSS") if getattr(row, "oss", False) else row.tax_currency


def _waiting(row) -> object:
    """How many documents wait for their exchange rate ("" none)."""
    return row.unconverted or ""


def tax_tables(report: reports.TaxReport, codes: dict) -> tuple[list[Table], list]:
    """The tax report's tables and chart; `codes` names each period by its start."""
    where = [(_("Period"), False), (_("Home company"), False), (_("Currency"), False), (_("Country"), False)]
    in_tax_currency = [(_("Tax currency"), False), (_("Net in tax currency"), True)]
    waiting = (_("Documents without a rate"), True)
    untaxed_columns = [*where, (_("Documents"), True), (_("Net"), True), *in_tax_currency, waiting]

    def untaxed(rows: list[reports.UntaxedRow]) -> list[list[object]]:
        return [[codes[r.period], r.company, r.currency, r.country, r.documents, Money(r.net, r.currency),
                 r.tax_currency, _in_tax_currency(r, r.net_in_tax_currency), _waiting(r)] for r in rows]

    converted = _("Amounts in the tax currency (PLN for a Polish company's documents in other currencies) are "
                  "each document's own: converted at the rate its e-invoice or PDF used — the NBP rate of the last "
                  "working day before it was issued, a credit note at its invoice's — and rounded per document. "
                  "Where documents still wait for their rate (Finance → Tax exchange rates), the amounts are left "
                  "empty and 'Documents without a rate' says how many.")
    oss = _("OSS: another EU country's VAT charged to consumers there is not converted here — it is declared on "
            "the OSS return in euros at the ECB rate, not on the VAT return.")
    tables = [
        Table("rates", _("Tax per rate"), [*where, (_("Tax"), False), (pgettext("tax rate", "Rate"), True),
                                          (_("Documents"), True), (_("Net"), True), (_("Tax amount"), True),
                                          *in_tax_currency, (_("Tax in tax currency"), True), waiting],
              [[codes[r.period], r.company, r.currency, r.country, r.name, Rate(r.rate), r.documents,
                Money(r.net, r.currency), Money(r.tax, r.currency), _tax_currency(r),
                _in_tax_currency(r, r.net_in_tax_currency), _in_tax_currency(r, r.tax_in_tax_currency), _waiting(r)]
               for r in report.rates],
              note=_("Invoices and credit notes by issue date (credit notes negative); the country is the "
                     "client's billing country on the document.") + " " + converted + " " + oss,
              wide_only=frozenset({9})),  # the tax currency: its amounts carry its sign
        Table("tax_currency", _("Tax in the tax currency"), [
            (_("Period"), False), (_("Home company"), False), (_("Tax currency"), False), (_("Country"), False),
            (_("Tax"), False), (pgettext("tax rate", "Rate"), True), (_("Documents"), True), (_("Net"), True),
            (_("Tax amount"), True), waiting],
            [[codes[r.period], r.company, r.tax_currency, r.country, r.name, Rate(r.rate), r.documents,
              _in_tax_currency(r, r.net), _in_tax_currency(r, r.tax), _waiting(r)] for r in report.in_tax_currency],
            note=_("Tax per rate for the seller's own VAT return, in the tax currency: the documents of every "
                   "currency added up; reverse-charge and untaxed sales are in their own tables.") + " " + converted
            + " " + oss),
        Table("reverse_charge", _("Reverse charge"), untaxed_columns, untaxed(report.reverse_charge),
              note=_("Sales to companies with a valid EU VAT number in another member state: no tax charged, "
                     "the buyer accounts for it."), wide_only=frozenset({6})),
        Table("untaxed", _("Without tax"), untaxed_columns, untaxed(report.untaxed),
              note=_("Sales no tax rule taxed (tax-exempt clients, countries without a rule)."),
              wide_only=frozenset({6})),
    ]
    charts = [(_("Tax collected by period, %(currency)s") % {"currency": currency}, currency,
               [(codes[start], amount) for start, amount in bars]) for currency, bars in report.tax_by_period.items()]
    return tables, charts
