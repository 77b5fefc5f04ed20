"""What was given back per product, for usage by product: credit notes' charge reversals
(docs/decisions.md, "Small choices of 2026-11-24 (usage by product and credit notes)"), and the
charges of a service never provisioned.

A credit note that refunds an invoice's charged items (anything but top-ups) posts one ADJUSTMENT
entry giving their charge back (invoicing/services/credit_notes.py), linked to the note by
document_id; neither the entry nor the note's single item names a service or an invoice item — the
note's `related` invoice does, through its items' service_id. So a reversal is given back to the
products of its invoice's charged items in proportion to their net (as the note's tax is the
invoice's tax, pro rata), counted over every reversal of the invoice so far: the notes that refund
an invoice in full give each product back exactly what its items were charged. Amounts are split in
the currency's minor unit by greatest divisors (_split), so a later note never takes usage back from
a product. Two queries, whatever the number of entries: the reversals (with what earlier notes of
their invoice reversed) and the charged items of their invoices — and one more for the charges of
services never provisioned, given back whole to their service's product."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum, UUIDField
from django.db.models.functions import Coalesce

from clientpanel.client_services.models import Service
from clientpanel.core.fields import AmountField
from clientpanel.core.money import AMOUNT_PLACES, amount_to_units, currency_minor_unit, units_to_amount
from clientpanel.invoicing.models import Document, DocumentItem, DocumentType
from clientpanel.ledger.descriptions import SERVICE_CHARGE_REVERSAL
from clientpanel.ledger.models import EntryType, LedgerEntry


def charge_reversals(entries: QuerySet[LedgerEntry] | None = None) -> QuerySet[LedgerEntry]:
    """The ADJUSTMENT entries that give a charge back: those credit notes posted (the only ones a
    note posts), and those a service never provisioned was given back by (client_services'
    ending.charges_give_back, tied to the service)."""
    notes = Document.objects.filter(type=DocumentType.CREDIT_NOTE).values("pk")
    return (entries if entries is not None else LedgerEntry.objects.all()).filter(
        Q(document_id__in=notes) | Q(description_code=SERVICE_CHARGE_REVERSAL), type=EntryType.ADJUSTMENT)


def reversals_by(entries: QuerySet[LedgerEntry], bucket) -> dict[tuple, Decimal]:
    """Charge reversals (positive) per (bucket or None, currency, client group, product id or None:
    items sold outside a service) — the keys charges_by groups charges under. A service's own
    give-back names its service, so its product directly; a credit note's, through its invoice."""
    given: dict = defaultdict(Decimal)
    direct = entries.filter(description_code=SERVICE_CHARGE_REVERSAL)
    product = Service.objects.filter(pk=OuterRef("service_id")).values("product_id")[:1]
    keys = {"currency": F("client__currency"), "group": F("client__group_id"),
            "product": Subquery(product, output_field=UUIDField())}
    if bucket is not None:
        keys["bucket"] = bucket
    for row in direct.annotate(**keys).values(*keys).annotate(
            amount=Sum("net")).order_by():
        given[row.get("bucket"), row["currency"], row["group"], row["product"]] += row["amount"]
    for key, amount in _note_reversals_by(entries.exclude(pk__in=direct.values("pk")), bucket).items():
        given[key] += amount
    return {key: amount for key, amount in given.items() if amount}


def _note_reversals_by(entries: QuerySet[LedgerEntry], bucket) -> dict[tuple, Decimal]:
    """Credit notes' charge reversals, keyed as reversals_by."""
    invoice = Document.objects.filter(pk=OuterRef("document_id")).values("related_id")[:1]
    earlier_notes = Document.objects.filter(type=DocumentType.CREDIT_NOTE, related_id=OuterRef(OuterRef("invoice")))
    earlier = (LedgerEntry.objects.filter(client_id=OuterRef("client_id"), type=EntryType.ADJUSTMENT,
                                          sequence__lt=OuterRef("sequence"), document_id__in=earlier_notes.values("pk"))
               .order_by().values("client_id").annotate(total=Sum("net")).values("total"))
    keys = {"invoice": Subquery(invoice, output_field=UUIDField()), "currency": F("client__currency"),
            "group": F("client__group_id")}
    if bucket is not None:
        keys["bucket"] = bucket
    rows = list(entries.annotate(**keys).annotate(
        before=Coalesce(Subquery(earlier, output_field=AmountField()), 0, output_field=AmountField()))
        .values(*keys, "before", "net").order_by())
    if not rows:
        return {}
    product = Service.objects.filter(pk=OuterRef("service_id")).values("product_id")[:1]
    # A subquery, not the ids: one bound parameter per invoice overflowed SQLite's limit when the
    # rollups are rebuilt over a long history.
    invoices = Document.objects.filter(pk__in=entries.values("document_id")).values("related_id")
    items: dict = defaultdict(list)  # invoice id → [(product id, net)], in the items' order
    for document_id, product_id, net in (
            DocumentItem.objects.filter(document_id__in=invoices, is_topup=False, net__gt=0)
            .annotate(product=Subquery(product, output_field=UUIDField()))
            .order_by("document_id", "position").values_list("document_id", "product", "net")):
        items[document_id].append((product_id, net))
    given: dict = defaultdict(Decimal)
    for row in rows:
        charged = items.get(row["invoice"]) or [(None, row["before"] + row["net"])]  # items gone: no product
        after, before = _split(charged, row["before"] + row["net"], row["currency"]), \
            _split(charged, row["before"], row["currency"])
        for product_id, amount in after.items():
            given[row.get("bucket"), row["currency"], row["group"], product_id] += amount - before.get(product_id, 0)
    return {key: amount for key, amount in given.items() if amount}


def _split(items: list[tuple], amount: Decimal, currency: str) -> dict:
    """`amount` (at most the items' total) split between the items' products in proportion to their
    net, in the currency's minor unit (1/10,000 when an amount is finer), by greatest divisors
    (D'Hondt): the units left after each product's whole share go one by one to the product with the
    largest net per unit it would then hold, ties in the items' order. A divisor method, unlike largest
    remainders, never gives a product less of a larger amount, so a later note of the invoice never
    takes usage back from a product (a negative give-back)."""
    weights: dict = {}
    for product_id, net in items:
        weights[product_id] = weights.get(product_id, 0) + amount_to_units(net)
    total, units = sum(weights.values()), amount_to_units(amount)
    if units >= total:
        return {product_id: units_to_amount(weight) for product_id, weight in weights.items()}
    step = 10 ** (AMOUNT_PLACES - currency_minor_unit(currency))
    if units % step or any(weight % step for weight in weights.values()):
        step = 1
    steps = units // step
    shares = {product_id: steps * weight // total for product_id, weight in weights.items()}
    order = list(weights)  # the items' order, for ties
    for _unit in range(steps - sum(shares.values())):  # fewer than the number of products
        # weight / (share + 1), compared without fractions: w_a * (s_b + 1) against w_b * (s_a + 1).
        best = order[0]
        for product_id in order[1:]:
            if weights[product_id] * (shares[best] + 1) > weights[best] * (shares[product_id] + 1):
                best = product_id
        shares[best] += 1
    return {product_id: units_to_amount(share * step) for product_id, share in shares.items()}
