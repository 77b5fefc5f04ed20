"""Finance → Reports → Tax collected (issue 14): tax per home company, period, currency, client
country, tax name and rate on the invoices and credit notes issued in a range (for the VAT
return), reverse-charge sales and sales without tax apart — and, for a seller with a tax currency
(PLN for a Polish company), the net and tax in it: each document's own conversion
(reports/tax_currency.py). A document's period is the one its company dated it in (its number's,
its PDF's), not the server's. Staff who see every client read the daily rollups and add up live
only what was written since (reports/rollups.py)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.einvoices.rates import TAX_CURRENCY
from clientpanel.tax.models import HomeCompany
from clientpanel.tax.selectors import EU_COUNTRIES

from .models import DailyTax, UnconvertedTaxDocument
from .periods import Filters, Range, sale_group, scoped
from .revenue import reads_rollups
from .rollups import Written
from .sums import ZERO, tax_by, tax_documents
from .tax_currency import Converted, converted_by


@dataclass(frozen=True)
class TaxRow:
    """Tax of one name and rate on the invoices and credit notes of one period, home company,
    currency and client country (credit notes take theirs off: their net and tax are negative) —
    and in the seller's tax currency, when it has one."""

    period: dt.date
    company: str
    currency: str
    country: str
    name: str
    rate: Decimal
    documents: int
    net: Decimal  # the net the tax was charged on
    tax: Decimal
    tax_currency: str = ""  # "": the seller has none (the figures above are all there is)
    net_in_tax_currency: Decimal = ZERO  # of the documents converted
    tax_in_tax_currency: Decimal = ZERO
    unconverted: int = 0  # documents whose exchange rate is not known yet: not in the two above

    @property
    def oss(self) -> bool:
        """Another EU state's VAT charged by a seller with a tax currency (a consumer sale under OSS):
        declared on the OSS return in euros at the ECB rate, not on the seller's own VAT return."""
        seller = {currency: country for country, currency in TAX_CURRENCY.items()}.get(self.tax_currency)
        return bool(seller) and self.country in EU_COUNTRIES and self.country != seller


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
    tax_currency: str = ""
    net_in_tax_currency: Decimal = ZERO
    unconverted: int = 0


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

    @property
    def in_tax_currency(self) -> list[TaxRow]:
        """The rates' rows in their tax currency, the documents' currencies added up (each amount
        is in the tax currency already): per period, home company, tax currency, client country, tax
        name and rate — what the seller's own VAT return asks for: another EU state's VAT, sold under
        OSS, is left out (the OSS return declares it in euros). `currency` and `net`/`tax` are the tax
        currency's."""
        sums: dict = defaultdict(lambda: [0, ZERO, ZERO, 0])
        for row in self.rates:
            if row.tax_currency and not row.oss:
                entry = sums[row.period, row.company, row.tax_currency, row.country, row.name, row.rate]
                for index, amount in enumerate((row.documents, row.net_in_tax_currency, row.tax_in_tax_currency,
                                                row.unconverted)):
                    entry[index] += amount
        return [TaxRow(period, company, currency, country, name, rate, count, net, tax, currency, net, tax, unconverted)
                for (period, company, currency, country, name, rate), (count, net, tax, unconverted)
                in sorted(sums.items())]


def tax_report(*, actor: ActorLike, span: Range, filters: Filters | None = None) -> TaxReport:
    """Tax collected in the range, per home company, period, currency, client country (the billing
    address kept on the document at issue), tax name and rate, in the seller's tax currency too;
    reverse-charge sales and sales without tax apart, with their net. A constant number of queries."""
    actor, filters = as_actor(actor), filters or Filters()
    live = reads_rollups(actor) or Written()
    every = filters.on(scoped(tax_documents(), actor), client="client__", group=sale_group())
    # The range's days are each document's own (the day its company dated it): tax_by reads them so.
    documents = live.on(every, "issue_date")
    # (period, company id, currency, country, kind, name, rate, tax currency) → documents, net, tax,
    # net and tax in the tax currency, documents not converted
    sums: dict = defaultdict(lambda: [0, ZERO, ZERO, ZERO, ZERO, 0])
    converted = Converted()
    for (bucket, company, _group, *rest), values in tax_by(
            documents, lambda zone: span.truncate("issue_date", zone), since=span.since, until=span.until,
            converted=converted).items():
        _add(sums[(span.period_of(bucket), company, *rest)], values)
    for (day, company, _group, *rest), (_count, net, tax, unconverted) in converted.sums.items():
        _add(sums[(span.period_of(day), company, *rest)], (0, ZERO, ZERO, net, tax, unconverted))
    if live.since is not None:
        rolled = (filters.on_rollup(DailyTax.objects.filter(day__gte=span.since, day__lte=span.until))
                  .annotate(bucket=span.truncate("day"))
                  .values("bucket", "company_id", "currency", "country", "kind", "name", "rate", "tax_currency")
                  .annotate(count=Sum("documents"), net_sum=Sum("net"), tax_sum=Sum("tax"),
                            net_tc=Sum("net_in_tax_currency"), tax_tc=Sum("tax_in_tax_currency"),
                            waiting=Sum("unconverted")).order_by())
        for row in rolled:
            _add(sums[(span.period_of(row["bucket"]), row["company_id"], row["currency"], row["country"], row["kind"],
                       row["name"], row["rate"], row["tax_currency"])],
                 (row["count"], row["net_sum"], row["tax_sum"], row["net_tc"], row["tax_tc"], row["waiting"]))
        # Rolled up before their exchange rate came: the ones whose rate has come since the last run.
        waiting = UnconvertedTaxDocument.objects.filter(day__gte=span.since, day__lte=span.until)
        came = converted_by(every.filter(pk__in=waiting.values("document_id")), since=span.since,
                            until=span.until) if waiting.exists() else Converted()
        for (day, company, _group, *rest), (count, net, tax, unconverted) in came.sums.items():
            _add(sums[(span.period_of(day), company, *rest)], (0, ZERO, ZERO, net, tax, unconverted - count))
    companies = dict(HomeCompany.objects.values_list("pk", "name"))
    report = TaxReport(span=span)
    for (period, company, currency, country, kind, name, rate, tax_currency), values in sums.items():
        count, net, tax, net_tc, tax_tc, unconverted = values
        where = (period, companies.get(company, ""), currency, country)
        if kind == DailyTax.RATE:
            report.rates.append(TaxRow(*where, name, rate, count, net, tax, tax_currency, net_tc, tax_tc, unconverted))
        else:
            (report.reverse_charge if kind == DailyTax.REVERSE_CHARGE else report.untaxed).append(
                UntaxedRow(*where, count, net, tax_currency, net_tc, unconverted))
    report.rates.sort(key=lambda r: (r.period, r.company, r.currency, r.country, r.name, r.rate, r.tax_currency))
    report.reverse_charge.sort(key=lambda r: (r.period, r.company, r.currency, r.country, r.tax_currency))
    report.untaxed.sort(key=lambda r: (r.period, r.company, r.currency, r.country, r.tax_currency))
    return report


def _add(entry: list, values) -> None:
    for index, amount in enumerate(values):
        entry[index] += amount
