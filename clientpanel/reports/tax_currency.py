"""Tax collected in the seller's tax currency: Polish VAT is reported in złoty, so a Polish
company's invoice or credit note in euros or dollars counts in the tax report with its net and VAT
in PLN too — each document's own figures, converted as its PDF and e-invoice convert them, never
at another day's rate.

The rate is the one kept on the document's e-invoice (einvoices.EInvoice.rate: once converted,
always at that rate, even if the table is corrected later); a credit note's is its invoice's (Art.
31a: the correction follows the original). A document without a kept rate (no e-invoice: a
consumer's, or a company without KSeF) takes what its PDF took: the NBP rate entered for the last
working day before its (or its invoice's) issue day. Each amount is rounded half up to the grosz per
document and tax line (einvoices.exporters.in_tax_currency: FA(3)'s P_14_xW), then summed.

A document of a seller without a tax currency has none; one in the tax currency itself is its own
figures (sums.tax_by). Only the others are read here, a row per document: one query for them with
their kept rates (per zone, when sums.tax_by asks), read in chunks of CHUNK documents (memory stays
bounded over a year of them), and per chunk one for the entered rates the rest need."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.db.models.fields.json import KeyTextTransform

from clientpanel.einvoices.exporters import in_tax_currency
from clientpanel.einvoices.models import VatExchangeRate
from clientpanel.einvoices.rates import TAX_CURRENCY, previous_working_day
from clientpanel.invoicing.models import Document, DocumentType

from .models import MAX_TAXES, NO_GROUP_KEY, ZERO, DailyTax
from .periods import sale_group
from .zones import document_zone

CHUNK = 2000  # documents read and converted at a time


def seller_tax_currency(country: str | None) -> str:
    """The currency the seller's country wants its tax reported in ("" none: the document's own)."""
    return TAX_CURRENCY.get(country or "", "")


@dataclass
class Converted:
    """Per (day, company, group, currency, country, kind, tax name, rate, tax currency) — the keys of
    DailyTax — [documents, net, tax, documents without a rate yet] in the tax currency; the documents
    without a rate yet, with their day, and those converted."""

    sums: dict = field(default_factory=lambda: defaultdict(lambda: [0, ZERO, ZERO, 0]))
    waiting: dict = field(default_factory=dict)  # document id → its day
    converted: set = field(default_factory=set)  # the ids of the documents converted


def _foreign(documents: QuerySet[Document]) -> QuerySet[Document]:
    """The documents of sellers with a tax currency, in another currency."""
    other = Q(pk__in=[])
    for country, currency in TAX_CURRENCY.items():
        other |= Q(company_snapshot__country=country) & ~Q(currency=currency)
    return documents.filter(other)


def converted_by(documents: QuerySet[Document], *, since: dt.date | None = None, until: dt.date | None = None,
                 into: Converted | None = None) -> Converted:
    """The tax-currency figures of the foreign-currency documents among `documents` dated (in their
    company's zone) from `since` to `until` (both included; None: no bound), added to `into` if given."""
    rows = _foreign(documents)
    if since is not None:  # no zone is more than a day off UTC; each document's own day is checked below
        rows = rows.filter(issue_date__gte=dt.datetime.combine(since - dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC))
    if until is not None:
        rows = rows.filter(issue_date__lt=dt.datetime.combine(until + dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC))
    rows = rows.annotate(
        group=sale_group(), country=KeyTextTransform("country", "billing_address"),
        seller=KeyTextTransform("country", "company_snapshot"), zone=KeyTextTransform("time_zone", "company_snapshot"),
        invoice_zone=KeyTextTransform("time_zone", "related__company_snapshot"),
    ).values("pk", "type", "related_id", "issue_date", "related__issue_date", "currency", "net", "tax_lines",
             "reverse_charge", "home_company_id", "group", "country", "seller", "zone", "invoice_zone",
             "einvoice__rate", "related__einvoice__rate").order_by()
    found = into if into is not None else Converted()
    batch: list = []
    for row in rows.iterator(chunk_size=CHUNK):  # a year of documents is never all in memory at once
        day = row["issue_date"].astimezone(document_zone(row["zone"])).date()
        if (since is not None and day < since) or (until is not None and day > until):
            continue
        batch.append((row, day))
        if len(batch) >= CHUNK:
            _convert(found, batch)
            batch = []
    _convert(found, batch)
    return found


def _convert(found: Converted, batch: list) -> None:
    """A chunk of (document row, its day): the entered rates its documents without a kept rate need in
    one query, then each document's figures added."""
    wanted: dict = {}  # the documents without a kept rate → (currency, tax currency, the rate's day)
    for row, day in batch:
        follows_invoice = row["type"] == DocumentType.CREDIT_NOTE and row["related_id"] is not None
        if _kept_rate(row, follows_invoice) is None:
            issued = (row["related__issue_date"].astimezone(document_zone(row["invoice_zone"])).date()
                      if follows_invoice else day)
            wanted[row["pk"]] = (row["currency"], seller_tax_currency(row["seller"]), previous_working_day(issued))
    entered = _entered_rates(set(wanted.values()))
    for row, day in batch:
        rate = _kept_rate(row, row["type"] == DocumentType.CREDIT_NOTE and row["related_id"] is not None)
        if rate is None:
            rate = entered.get(wanted[row["pk"]])
        _add(found, row, day, rate)


def _kept_rate(row: dict, follows_invoice: bool) -> Decimal | None:
    """The rate kept on the e-invoice: the invoice's for a credit note (its own keeps the same)."""
    if follows_invoice and row["related__einvoice__rate"] is not None:
        return row["related__einvoice__rate"]
    return row["einvoice__rate"]


def _entered_rates(wanted: set[tuple]) -> dict[tuple, Decimal]:
    """The rates entered (or fetched from NBP) for the (currency, tax currency, day)s wanted: one query."""
    if not wanted:
        return {}
    days = [day for _currency, _to, day in wanted]
    found = VatExchangeRate.objects.filter(currency__in={c for c, _to, _day in wanted},
                                           to_currency__in={to for _c, to, _day in wanted},
                                           day__gte=min(days), day__lte=max(days))
    return {(r.currency, r.to_currency, r.day): r.rate for r in found if (r.currency, r.to_currency, r.day) in wanted}


def _add(found: Converted, row: dict, day: dt.date, rate: Decimal | None) -> None:
    """One document's figures under its DailyTax keys (sums.tax_by's: a reverse-charge or untaxed sale
    under its kind with its net, else each tax line on the whole net)."""
    where = (day, row["home_company_id"], row["group"] or NO_GROUP_KEY, row["currency"], row["country"] or "")
    currency = seller_tax_currency(row["seller"])
    lines = [line for line in (row["tax_lines"] or [])[:MAX_TAXES] if line.get("name") is not None]
    net = in_tax_currency(row["net"], rate) if rate is not None else ZERO
    if row["reverse_charge"] or not lines:
        kind = DailyTax.REVERSE_CHARGE if row["reverse_charge"] else DailyTax.UNTAXED
        taxes = [((kind, "", ZERO), ZERO)]
    else:
        taxes = [((DailyTax.RATE, str(line["name"]), Decimal(str(line["rate"]))),
                  in_tax_currency(Decimal(str(line["amount"])), rate) if rate is not None else ZERO)
                 for line in lines]
    for what, tax in taxes:
        entry = found.sums[(*where, *what, currency)]
        entry[0] += 1
        if rate is None:
            entry[3] += 1
        else:
            entry[1] += net
            entry[2] += tax
    if rate is None:
        found.waiting[row["pk"]] = day
    else:
        found.converted.add(row["pk"])
