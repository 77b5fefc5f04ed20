"""Finance → Reports → Revenue (issue 14): money in, as on the dashboard — payments received (gross,
and net beside it, on the day they were paid in their home company's zone) minus credit notes issued
(their total and net, on the day their company dated them), by period,
home company and client group — and the charges posted to services by product, less what credit
notes gave back of them ("usage": a payment that tops up a balance is not revenue of any product yet;
docs/decisions.md, "Reports (issue 14)" and "usage by product and credit notes").
Amounts stay per currency, never added across currencies. Staff who see every client read the
daily rollups and add up live only what was written since (reports/rollups.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.catalog.models import Product
from clientpanel.clients.models import ClientGroup
from clientpanel.clients.selectors import sees_every_client
from clientpanel.invoicing.models import Payment
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.tax.models import HomeCompany

from .models import DailyRevenue, DailyUsage
from .periods import Filters, Range, may_read_reports, sale_group, scoped
from .reversals import charge_reversals, reversals_by
from .rollups import NIL, MoneyIn, Written, rolled_until
from .sums import ZERO, charges_by, credit_notes, credit_notes_by, payments_by


@dataclass(frozen=True)
class Revenue(MoneyIn):
    """Money in for one period, home company or group, in one currency."""

    currency: str
    key: object  # the period's first day, the home company's or group's name (None: no group)
    payments: Decimal = ZERO
    refunds: Decimal = ZERO  # credit notes issued, as a positive amount
    payments_net: Decimal = ZERO  # the payments' net (without tax)
    refunds_net: Decimal = ZERO  # the credit notes' net, as a positive amount

    @property
    def net(self) -> Decimal:
        """Revenue without tax: the payments' net less the credit notes'."""
        return self.payments_net - self.refunds_net

    @property
    def tax(self) -> Decimal:
        """The tax in the revenue: gross less net (each payment's and note's own split, never
        recomputed from a rate)."""
        return self.revenue - self.net


@dataclass(frozen=True)
class Usage:
    """The charges posted to one product's services in one currency (net, as the ledger posts them),
    less what credit notes gave back of that product's charges (reports/reversals.py)."""

    currency: str
    product: str | None  # None: charges of items sold outside a service
    charges: int  # CHARGE entries posted in the range (a credit note reverses amounts, not entries)
    amount: Decimal  # charged less reversed
    reversed: Decimal = ZERO  # given back by credit notes issued in the range (positive)


@dataclass
class RevenueReport:
    span: Range
    by_period: dict[str, list[Revenue]] = field(default_factory=dict)  # currency → one per period
    by_company: list[Revenue] = field(default_factory=list)
    by_group: list[Revenue] = field(default_factory=list)
    by_product: list[Usage] = field(default_factory=list)

    @property
    def totals(self) -> list[Revenue]:
        return [Revenue(currency, None, *(sum((getattr(r, name) for r in rows), ZERO)
                                          for name in ("payments", "refunds", "payments_net", "refunds_net")))
                for currency, rows in self.by_period.items()]


def reads_rollups(actor) -> Written | None:
    """What the actor's report adds up live: only what was written since the rollups (staff who
    see every client, once the job has run), or everything (None) — staff limited to their clients."""
    if not (may_read_reports(actor) and sees_every_client(actor)):
        return None
    until = rolled_until()
    return None if until is None else Written(since=until)


def revenue_report(*, actor: ActorLike, span: Range, filters: Filters | None = None) -> RevenueReport:
    """Payments received less credit notes issued within the range, per currency: by period, by
    home company (the document's), by client group (the sale's: the client's when its proforma was
    issued, kept on the documents, as the rollups keep it — reports.periods.sale_group) — and the
    charges posted to services in the range by product. A constant number of queries."""
    actor, filters = as_actor(actor), filters or Filters()
    report = RevenueReport(span=span)
    live = reads_rollups(actor) or Written()
    # The range's days are each payment's and credit note's home company's (reports/zones.py):
    # payments_by and credit_notes_by read them so.
    payments = live.on(filters.on(scoped(Payment.objects.all(), actor), client="client__",
                                  company="document__home_company", currency="document__currency",
                                  group=sale_group("document__")), "created_at")
    notes = live.on(filters.on(scoped(credit_notes(), actor), client="client__", group=sale_group()), "issue_date")
    # (currency, period, company id, group id) → paid, refunded, and the net of each
    sums: dict = defaultdict(lambda: [ZERO, ZERO, ZERO, ZERO])
    for (day, currency, company, group), (gross, net) in payments_by(
            payments, lambda zone: span.truncate("paid_at", zone), since=span.since, until=span.until).items():
        entry = sums[currency, span.period_of(day), company, group]
        entry[0] += gross
        entry[2] += net
    for (day, currency, company, group), (total, net) in credit_notes_by(  # a credit note's amounts are negative
            notes, lambda zone: span.truncate("issue_date", zone), since=span.since, until=span.until).items():
        entry = sums[currency, span.period_of(day), company, group]
        entry[1] -= total
        entry[3] -= net
    if live.since is not None:
        rolled = (filters.on_rollup(DailyRevenue.objects.filter(day__gte=span.since, day__lte=span.until))
                  .annotate(bucket=span.truncate("day")).values("bucket", "currency", "company_id", "group_id")
                  .annotate(paid=Sum("payments"), refunded=Sum("refunds"), paid_net=Sum("payments_net"),
                            refunded_net=Sum("refunds_net")).order_by())
        for row in rolled:
            entry = sums[row["currency"], span.period_of(row["bucket"]), row["company_id"], row["group_id"]]
            for index, name in enumerate(("paid", "refunded", "paid_net", "refunded_net")):
                entry[index] += row[name]
    companies = dict(HomeCompany.objects.values_list("pk", "name"))
    groups = dict(ClientGroup.objects.values_list("pk", "name"))
    # breakdown → (currency, key) → paid, refunded, paid net, refunded net
    amounts: dict = defaultdict(lambda: defaultdict(lambda: [ZERO, ZERO, ZERO, ZERO]))
    for (currency, period, company, group), values in sums.items():
        for breakdown, key in (("period", period), ("company", companies.get(company, "")),
                               ("group", groups.get(group))):
            entry = amounts[breakdown][currency, key]
            for index, amount in enumerate(values):
                entry[index] += amount
    currencies = sorted({currency for currency, _key in amounts["period"]})
    report.by_period = {currency: [Revenue(currency, period.start, *amounts["period"][currency, period.start])
                                   for period in span.periods] for currency in currencies}
    for breakdown, into in (("company", report.by_company), ("group", report.by_group)):
        into.extend(Revenue(currency, key, *amounts[breakdown][currency, key])
                    for currency, key in sorted(amounts[breakdown], key=lambda k: (k[0], k[1] is None, k[1] or "")))
    report.by_product = _usage(actor, span, filters, live)
    return report


def _usage(actor, span: Range, filters: Filters, live: Written) -> list[Usage]:
    """Charges posted in the range, per currency and product of their service, less the charge
    reversals of credit notes issued in the range (given back to the products of the items they
    refund). The home company filter does not narrow usage: a charge is posted to a balance, not
    billed by a company."""
    def entries(queryset):
        return live.on(filters.on(scoped(queryset.filter(created_at__gte=span.start, created_at__lt=span.end), actor),
                                  client="client__", company=None, currency="client__currency"), "created_at")

    sums: dict = defaultdict(lambda: [0, ZERO, ZERO])  # (currency, product id) → charges, charged, reversed
    for row in charges_by(entries(LedgerEntry.objects.filter(type=EntryType.CHARGE)), None):
        entry = sums[row["currency"], row["product"] or NIL]
        entry[0] += row["charges"]
        entry[1] -= row["amount"]
    for (_bucket, currency, _group, product), amount in reversals_by(entries(charge_reversals()), None).items():
        sums[currency, product or NIL][2] += amount
    if live.since is not None:
        rolled = (filters.on_rollup(DailyUsage.objects.filter(day__gte=span.since, day__lte=span.until), company=False)
                  .values("currency", "product_id").annotate(count=Sum("charges"), used=Sum("amount"),
                                                             given=Sum("reversed")).order_by())
        for row in rolled:
            entry = sums[row["currency"], row["product_id"]]
            entry[0] += row["count"]
            entry[1] += row["used"]
            entry[2] += row["given"]
    names = dict(Product.objects.filter(pk__in={product for _currency, product in sums}).values_list("pk", "name"))
    usage = [Usage(currency, names.get(product), charges, charged - given, given)
             for (currency, product), (charges, charged, given) in sums.items() if charges or given]
    usage.sort(key=lambda u: (u.currency, u.product is None, -u.amount, u.product or ""))
    return usage
