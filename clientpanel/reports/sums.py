"""What Finance → Reports add up, grouped by a bucket and the rollups' keys: the same grouped
queries serve the live part of a report (the bucket a period) and the daily rollups (the bucket a
day; reports/rollups.py). Payments, invoices and credit notes fall on the days of their home
company's zone (reports/zones.py); charges, posted to a balance and billed by no company, on the
server's."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import (
    BigIntegerField,
    Count,
    DecimalField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    UUIDField,
    Value,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, Round

from clientpanel.client_services.models import Service
from clientpanel.core.fields import AmountField
from clientpanel.invoicing.models import Document, DocumentType, Payment
from clientpanel.ledger.models import LedgerEntry

from .models import MAX_TAXES, NO_GROUP_KEY, ZERO, DailyTax
from .periods import sale_group
from .tax_currency import Converted, converted_by, seller_tax_currency
from .zones import by_zone, day_in

# A bucket in a zone: the expression truncating a moment to its day or period there.
Bucket = Callable[[dt.tzinfo], Any]


def grouped(queryset: QuerySet, bucket, keys: dict, fields: tuple[str, ...] = ()) -> QuerySet:
    """The rows grouped by a bucket (None: none), the annotated keys and the model's own `fields`."""
    if bucket is not None:
        keys = {"bucket": bucket, **keys}
    return queryset.annotate(**keys).values(*keys, *fields).order_by()


def payments_by(payments: QuerySet[Payment], bucket: Bucket | None, *, since: dt.date | None = None,
                until: dt.date | None = None) -> dict[tuple, list[Decimal]]:
    """Payments received — [gross, net] — per (bucket, currency, home company, client group — their
    proforma's: the sale's, reports.periods.sale_group, NO_GROUP_KEY for none). A payment falls on
    the day (and in the days since–until) of the zone its proforma was dated in: `bucket(zone)`
    truncates paid_at there, and comes back as the day it starts on."""
    sums: dict = defaultdict(lambda: [ZERO, ZERO])
    for zone, part in by_zone(payments, "document__company_snapshot__time_zone", "paid_at", since=since,
                              until=until):
        keys = {"currency": F("document__currency"), "company": F("document__home_company_id"),
                "group": sale_group("document__")}
        for row in grouped(part, bucket(zone) if bucket is not None else None, keys).annotate(
                amount=Sum("gross"), net_amount=Sum("net")):
            entry = sums[day_in(row.get("bucket"), zone), row["currency"], row["company"], row["group"] or NO_GROUP_KEY]
            entry[0] += row["amount"]
            entry[1] += row["net_amount"]
    return sums


def credit_notes_by(notes: QuerySet[Document], bucket: Bucket | None, *, since: dt.date | None = None,
                    until: dt.date | None = None) -> dict[tuple, list[Decimal]]:
    """Credit notes' [total, net] (negative) per (bucket, currency, home company, group), each note on the
    day (and in the days since–until) its company dated it: the zone kept on the note at its own issue,
    as its number, PDF and the tax report read it."""
    sums: dict = defaultdict(lambda: [ZERO, ZERO])
    for zone, part in by_zone(notes, "company_snapshot__time_zone", "issue_date", since=since, until=until):
        rows = grouped(part, bucket(zone) if bucket is not None else None,
                       {"company": F("home_company_id"), "group": sale_group()}, ("currency",))
        for row in rows.annotate(amount=Sum("total"), net_amount=Sum("net")):
            entry = sums[day_in(row.get("bucket"), zone), row["currency"], row["company"], row["group"] or NO_GROUP_KEY]
            entry[0] += row["amount"]
            entry[1] += row["net_amount"]
    return sums


def charges_by(entries: QuerySet[LedgerEntry], bucket) -> QuerySet:
    """CHARGE entries (count and net, negative) per bucket, currency, client group and the product of
    their service (named on the entry by id, so looked up in a subquery)."""
    service = Service.objects.filter(pk=OuterRef("service_id"))
    return grouped(entries, bucket, {"currency": F("client__currency"), "group": F("client__group_id"),
                                     "product": Subquery(service.values("product_id")[:1], output_field=UUIDField())}
                   ).annotate(charges=Count("id"), amount=Sum("net"))


def credit_notes(documents: QuerySet[Document] | None = None) -> QuerySet[Document]:
    return (documents if documents is not None else Document.objects.all()).filter(type=DocumentType.CREDIT_NOTE)


def tax_documents(documents: QuerySet[Document] | None = None) -> QuerySet[Document]:
    """Invoices and credit notes with their number (proformas are not tax documents: their final
    invoice is)."""
    return (documents if documents is not None else Document.objects.all()).filter(
        type__in=[DocumentType.INVOICE, DocumentType.CREDIT_NOTE], number__isnull=False)


def _line(index: int, key: str) -> KeyTextTransform:
    return KeyTextTransform(key, KeyTransform(str(index), "tax_lines"))


def _line_amount_units(index: int):
    """The tax line's amount (a string in the JSON, "4.60") as integer 1/10,000 units, so that the
    sum is exact on SQLite too (SPEC §5); read back as Decimal through AmountField."""
    amount = Cast(_line(index, "amount"), DecimalField(max_digits=20, decimal_places=4))
    return Cast(Round(amount * Value(Decimal(10000), output_field=DecimalField(max_digits=20, decimal_places=4))),
                BigIntegerField())


# (day or period start, company id, group id or None, currency, country, kind, tax name, rate, tax currency)
TaxKey = tuple


def tax_by(documents: QuerySet[Document], bucket: Bucket | None, *, since: dt.date | None = None,
           until: dt.date | None = None, converted: Converted | None = None) -> dict[TaxKey, list]:
    """Tax per bucket (over issue_date), home company, group, currency, client country (the billing
    address kept at issue), tax name and rate, and the seller's tax currency ("" none) — [documents,
    net, tax, net and tax in the tax currency, documents not converted] under each; reverse-charge
    sales and sales without tax under the kinds DailyTax.REVERSE_CHARGE and UNTAXED, with their net.
    Taxes add, never compound, so each is charged on the document's whole net. A document in its
    seller's tax currency is its own figures in it; one in another currency is converted by
    reports/tax_currency.converted_by into `converted` when given, by day (here its figures stay 0).

    A tax document belongs to the day its company dated it (the VAT return's period): `bucket(zone)`
    truncates issue_date in the zone the document was issued in, and `since`–`until` (days, both
    included) are read in it too — a Warsaw invoice issued at 00:30 on 1 December is December's
    whatever the server's zone. The buckets come back as the days they start on. One query per zone
    the documents were issued in (and one to find those zones), each grouping documents by their up
    to three tax lines."""
    lines = {}
    for index in range(MAX_TAXES):
        lines[f"name{index}"] = _line(index, "name")
        lines[f"rate{index}"] = _line(index, "rate")
    sums = {f"amount{index}": Sum(_line_amount_units(index), output_field=AmountField()) for index in range(MAX_TAXES)}
    facts: dict = defaultdict(lambda: [0, ZERO, ZERO, ZERO, ZERO, 0])
    for zone, part in by_zone(documents, "company_snapshot__time_zone", "issue_date", since=since, until=until):
        rows = grouped(part, bucket(zone) if bucket is not None else None,
                       {"company": F("home_company_id"), "group": sale_group(),
                        "country": KeyTextTransform("country", "billing_address"),
                        "seller": KeyTextTransform("country", "company_snapshot"), **lines},
                       ("currency", "reverse_charge")).annotate(documents=Count("id"), net_sum=Sum("net"), **sums)
        for row in rows:
            where = (day_in(row.get("bucket"), zone), row["company"], row["group"], row["currency"],
                     row["country"] or "")
            tax_currency = seller_tax_currency(row["seller"])
            own = tax_currency == row["currency"]  # in the tax currency itself: its own figures
            named = [(row[f"name{i}"], Decimal(row[f"rate{i}"]), row[f"amount{i}"] or ZERO)
                     for i in range(MAX_TAXES) if row[f"name{i}"] is not None]
            if row["reverse_charge"] or not named:
                kind = DailyTax.REVERSE_CHARGE if row["reverse_charge"] else DailyTax.UNTAXED
                taxes = [((*where, kind, "", ZERO, tax_currency), ZERO)]
            else:
                taxes = [((*where, DailyTax.RATE, name_, rate, tax_currency), amount) for name_, rate, amount in named]
            for key, amount in taxes:
                entry = facts[key]
                entry[0] += row["documents"]
                entry[1] += row["net_sum"]
                entry[2] += amount
                if own:
                    entry[3] += row["net_sum"]
                    entry[4] += amount
        if converted is not None:
            converted_by(part, into=converted)  # the part is this zone's days already
    return facts
