"""Finance → Reports → Tax collected (issue 14): tax per home company, period, currency, client
country, tax name and rate on the invoices and credit notes issued in a range (for the VAT
return), reverse-charge sales and sales without tax apart. A document's period is the one its
company dated it in (its number's, its PDF's), not the server's. Staff who see every client read the
daily rollups and add up live only what was written since (reports/rollups.py)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.tax.models import HomeCompany

from .models import DailyTax
from .periods import Filters, Range, sale_group, scoped
from .revenue import reads_rollups
from .rollups import Written
from .sums import ZERO, tax_by, tax_documents


@dataclass(frozen=True)
class TaxRow:
    """Tax of one name and rate on the invoices and credit notes of one period, home company,
    currency and client country (credit notes take theirs off: their net and tax are negative)."""

    period: dt.date
    company: str
    currency: str
    country: str
    name: str
    rate: Decimal
    documents: int
    net: Decimal  # the net the tax was charged on
    tax: Decimal


@dataclass(frozen=True)
class UntaxedRow:
    """Sales without tax of one period, home company, currency and country: reverse-charge sales
    (the buyer accounts for the VAT) or sales no tax rule taxed (exempt, outside the rules)."""

    period: dt.date
    company: str
    currency: str
    country: str
    documents: int
    net: Decimal


@dataclass
class TaxReport:
    span: Range
    rates: list[TaxRow] = field(default_factory=list)
    reverse_charge: list[UntaxedRow] = field(default_factory=list)
    untaxed: list[UntaxedRow] = field(default_factory=list)

    @property
    def tax_by_period(self) -> dict[str, list[tuple[dt.date, Decimal]]]:
        """Currency → the tax collected per period (every rate added up), for the chart."""
        sums: dict = defaultdict(lambda: ZERO)
        for row in self.rates:
            sums[row.currency, row.period] += row.tax
        return {currency: [(period.start, sums[currency, period.start]) for period in self.span.periods]
                for currency in sorted({currency for currency, _period in sums})}


def tax_report(*, actor: ActorLike, span: Range, filters: Filters | None = None) -> TaxReport:
    """Tax collected in the range, per home company, period, currency, client country (the billing
    address kept on the document at issue), tax name and rate; reverse-charge sales and sales
    without tax apart, with their net. A constant number of queries."""
    actor, filters = as_actor(actor), filters or Filters()
    live = reads_rollups(actor) or Written()
    # The range's days are each document's own (the day its company dated it): tax_by reads them so.
    documents = live.on(filters.on(scoped(tax_documents(), actor), client="client__", group=sale_group()),
                        "issue_date")
    sums: dict = defaultdict(lambda: [0, ZERO, ZERO])  # (period, company id, currency, country, kind, name, rate)
    for (bucket, company, _group, *rest), (count, net, tax) in tax_by(
            documents, lambda zone: span.truncate("issue_date", zone), since=span.since, until=span.until).items():
        entry = sums[(span.period_of(bucket), company, *rest)]
        entry[0] += count
        entry[1] += net
        entry[2] += tax
    if live.since is not None:
        rolled = (filters.on_rollup(DailyTax.objects.filter(day__gte=span.since, day__lte=span.until))
                  .annotate(bucket=span.truncate("day"))
                  .values("bucket", "company_id", "currency", "country", "kind", "name", "rate")
                  .annotate(count=Sum("documents"), net_sum=Sum("net"), tax_sum=Sum("tax")).order_by())
        for row in rolled:
            entry = sums[(span.period_of(row["bucket"]), row["company_id"], row["currency"], row["country"],
                          row["kind"], row["name"], row["rate"])]
            entry[0] += row["count"]
            entry[1] += row["net_sum"]
            entry[2] += row["tax_sum"]
    companies = dict(HomeCompany.objects.values_list("pk", "name"))
    report = TaxReport(span=span)
    for (period, company, currency, country, kind, name, rate), (count, net, tax) in sums.items():
        where = (period, companies.get(company, ""), currency, country)
        if kind == DailyTax.RATE:
            report.rates.append(TaxRow(*where, name, rate, count, net, tax))
        else:
            (report.reverse_charge if kind == DailyTax.REVERSE_CHARGE else report.untaxed).append(
                UntaxedRow(*where, count, net))
    report.rates.sort(key=lambda r: (r.period, r.company, r.currency, r.country, r.name, r.rate))
    report.reverse_charge.sort(key=lambda r: (r.period, r.company, r.currency, r.country))
    report.untaxed.sort(key=lambda r: (r.period, r.company, r.currency, r.country))
    return report
