"""Finance → Reports (issue 14): revenue, tax collected, aging of unpaid documents, balances and
credit by group. The figures come from reports.reports; a view reads the filters (a bad value is
refused with a 400 and the reason, never a 500: query.refuses_bad_query), lays the figures out as
tables and charts, and exports any one table as CSV — the same rows the page shows."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from clientpanel.accounts.roles import FINANCE
from clientpanel.core.ids import int_id_or_none
from clientpanel.invoicing.models import DocumentType
from clientpanel.reports import reports
from clientpanel.ui.downloads import csv_attachment
from clientpanel.ui.exports import export_filename

from ..access import area_required
from ..query import RefusedQuery, query_text, refuses_bad_query
from .report_tables import Link, Money, Table, csv_cell
from .report_tax import tax_tables

CURRENCY = re.compile(r"[A-Z]{3}")
REPORTS = {  # slug → (title, what it shows)
    "revenue": (gettext_lazy("Revenue"), gettext_lazy(
        "Payments received less credit notes issued, by month or quarter, home company, client group and "
        "product (usage).")),
    "tax": (gettext_lazy("Tax collected"), gettext_lazy(
        "Tax on the invoices and credit notes issued, per rate and client country, for the VAT return; "
        "reverse-charge sales apart.")),
    "aging": (gettext_lazy("Aging of unpaid documents"), gettext_lazy(
        "What is due on unpaid proformas and invoices, by days past the due date.")),
    "balances": (gettext_lazy("Balances and credit by group"), gettext_lazy(
        "Clients, balances, credit used and credit limits per client group.")),
}
BUCKET_LABELS = {
    reports.NOT_DUE: gettext_lazy("Not yet due"), reports.DAYS_30: gettext_lazy("0–30 days"),
    reports.DAYS_60: gettext_lazy("31–60 days"), reports.DAYS_90: gettext_lazy("61–90 days"),
    reports.OVER_90: gettext_lazy("Over 90 days"),
}


# --- filters ------------------------------------------------------------------------------------

class Refused(RefusedQuery):
    """A filter's value the report cannot use, with the filter's label in the reader's language."""

    def __init__(self, name: str, label: str, problem: str):
        BadRequest.__init__(self, f"{label}: {problem}")
        self.name = name


def _value(request: HttpRequest, name: str) -> str:
    return query_text(request, name, max_length=40)


def _date(request: HttpRequest, name: str, label: str, default: dt.date) -> dt.date:
    value = _value(request, name)
    if not value:
        return default
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise Refused(name, label, _("Use a date such as 2025-01-31.")) from None
    if not reports.FIRST_DAY <= day <= reports.LAST_DAY:  # year 1 or 9999 overflowed the range's moments
        raise Refused(name, label, _("Use a date from %(first)s to %(last)s.") % {
            "first": reports.FIRST_DAY.isoformat(), "last": reports.LAST_DAY.isoformat()})
    return day


def _span(request: HttpRequest) -> reports.Range:
    by = _value(request, "by") or reports.MONTH
    if by not in reports.GRANULARITIES:
        raise Refused("by", _("Period"), _("Choose month or quarter."))
    default = reports.default_range(timezone.now(), by)
    since = _date(request, "since", _("From"), default.since)
    until = _date(request, "until", _("To"), default.until if "since" not in request.GET else max(default.until, since))
    if until < since:
        raise Refused("until", _("To"), _("The period ends before it starts."))
    if reports.months_between(since, until) > reports.MAX_MONTHS:
        raise Refused("since", _("From"), _("A report covers at most %(months)d months.") % {
            "months": reports.MAX_MONTHS})
    return reports.Range(since, until, by)


def _filters(request: HttpRequest, choices, *, company: bool = True, group: bool = True) -> reports.Filters:
    companies, groups = choices
    company_id = group_id = None
    if company and (value := _value(request, "company")):
        company_id = int_id_or_none(value)
        if company_id not in {pk for pk, _name in companies}:
            raise Refused("company", _("Home company"), _("Choose a home company from the list."))
    if group and (value := _value(request, "group")):
        group_id = reports.NO_GROUP if value == reports.NO_GROUP else int_id_or_none(value)
        if group_id != reports.NO_GROUP and group_id not in {pk for pk, _name in groups}:
            raise Refused("group", _("Group"), _("Choose a group from the list."))
    currency = _value(request, "currency").upper() or None
    if currency and not CURRENCY.fullmatch(currency):
        raise Refused("currency", _("Currency"), _("Use a three-letter currency code such as EUR."))
    return reports.Filters(company=company_id, group=group_id, currency=currency)


# --- the four reports as tables and charts ------------------------------------------------------

def _revenue(request: HttpRequest, choices) -> dict:
    span, filters = _span(request), _filters(request, choices)
    report = reports.revenue_report(actor=request.user, span=span, filters=filters)
    # Gross (as the clients paid), then its net and tax: each payment's and credit note's own split.
    amounts = [(_("Payments received"), True), (_("Credit notes"), True), (_("Revenue (gross)"), True),
               (_("Revenue (net)"), True), (_("Tax amount"), True)]

    def money(row: reports.Revenue) -> list[object]:
        return [Money(amount, row.currency) for amount in (row.payments, row.refunds, row.revenue, row.net, row.tax)]

    codes = {period.start: period.code for period in span.periods}
    tables = [
        Table("period", _("By period"), [(_("Period"), False), (_("Currency"), False), *amounts],
              [[codes[row.key], currency, *money(row)] for currency, rows in report.by_period.items() for row in rows],
              note=_("Payments and credit notes gross, as the clients paid and were refunded; revenue also without "
                     "tax (net) and its tax. Each falls on the day of its home company's time zone.")),
        Table("company", _("By home company"), [(_("Home company"), False), (_("Currency"), False), *amounts],
              [[row.key, row.currency, *money(row)] for row in report.by_company]),
        Table("group", _("By client group"), [(_("Group"), False), (_("Currency"), False), *amounts],
              [[row.key or _("No group"), row.currency, *money(row)] for row in report.by_group],
              note=_("Each sale is counted in the group its client was in at the time of the sale.")),
        Table("product", _("Usage by product"), [(_("Product"), False), (_("Currency"), False), (_("Charges"), True),
                                                 (pgettext("usage by product", "Given back"), True),
                                                 (_("Usage (net)"), True)],
              [[row.product or _("Other items (no service)"), row.currency, row.charges,
                Money(row.reversed, row.currency), Money(row.amount, row.currency)] for row in report.by_product],
              note=_("What the services consumed: the charges posted to their balances, net of tax, less what "
                     "was given back of them in the period — by credit notes (shared among the refunded invoice's "
                     "products by their net) and for services never set up. Payments that add funds belong to no "
                     "product until they are used. The home company filter does not apply here.")),
    ]
    charts = [(_("Revenue by period, %(currency)s") % {"currency": currency}, currency,
               [(codes[row.key], row.revenue) for row in rows]) for currency, rows in report.by_period.items()]
    return {"span": span, "filters": filters, "tables": tables, "charts": charts}


def _tax(request: HttpRequest, choices) -> dict:
    span, filters = _span(request), _filters(request, choices)
    report = reports.tax_report(actor=request.user, span=span, filters=filters)
    tables, charts = tax_tables(report, {period.start: period.code for period in span.periods})
    return {"span": span, "filters": filters, "tables": tables, "charts": charts}


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _aging(request: HttpRequest, choices) -> dict:
    filters = _filters(request, choices)
    report = reports.aging_report(actor=request.user, now=timezone.now(), filters=filters)
    types = dict(DocumentType.choices)
    tables = [
        Table("buckets", _("Due per currency"), [(_("Currency"), False), (_("Documents"), True),
                                                  *[(str(BUCKET_LABELS[key]), True) for key in reports.BUCKETS],
                                                  (_("Total due"), True)],
              [[line.currency, line.count, *[Money(bucket.amount, line.currency) for bucket in line.buckets],
                Money(line.amount, line.currency)] for line in report.lines]),
        Table("documents", _("Unpaid documents"), [
            (_("Number"), False), (_("Type"), False), (_("Home company"), False), (_("Client number"), False),
            (_("Client"), False), (_("Currency"), False), (_("Issue Date"), False), (_("Due Date"), False),
            (_("Days past due"), True), (_("Total"), True), (pgettext("amount still to pay", "Due"), True),
            (_("Bucket"), False)],
            [[Link(d.number, reverse("backoffice:document-detail", args=[d.document_id])), str(types[d.type]),
              d.company, d.client_number, d.client_name, d.currency, _day(d.issue_day), _day(d.due_day),
              d.days_overdue if d.days_overdue is not None and d.days_overdue >= 0 else "",
              Money(d.total, d.currency), Money(d.due, d.currency), str(BUCKET_LABELS[d.bucket])]
             for d in report.documents],
            wide_only=frozenset({1, 2, 3, 5}),  # the type, the home company, the client's number, the currency
            note=(_("The first %(shown)d of %(count)d documents, most overdue first; Finance → Documents lists "
                    "them all.") % {
                "shown": len(report.documents), "count": report.count}
                if report.count > len(report.documents) else "")),
    ]
    charts = [(_("Due by days past due, %(currency)s") % {"currency": line.currency}, line.currency,
               [(str(BUCKET_LABELS[bucket.key]), bucket.amount) for bucket in line.buckets]) for line in report.lines]
    return {"filters": filters, "tables": tables, "charts": charts, "as_of": report.now}


def _balances(request: HttpRequest, choices) -> dict:
    filters = _filters(request, choices, company=False)
    report = reports.balances_report(actor=request.user, filters=filters)
    rows = report.rows
    tables = [Table("groups", _("By client group"), [
        (_("Group"), False), (_("Currency"), False), (_("Clients"), True), (_("Balance"), True),
        (_("Credit used"), True), (_("Clients below zero"), True), (_("Credit limits"), True)],
        [[row.group or _("No group"), row.currency, row.clients, Money(row.balance, row.currency),
          Money(row.credit_used, row.currency), row.in_debit, Money(row.credit_limit, row.currency)] for row in rows],
        note=_("Credit used: what the clients below zero owe on their balances."))]
    charts = [(_("Credit used by group, %(currency)s") % {"currency": currency}, currency,
               [(row.group or _("No group"), row.credit_used) for row in rows if row.currency == currency])
              for currency in sorted({row.currency for row in rows})]
    return {"filters": filters, "tables": tables, "charts": charts, "as_of": report.as_of}


BUILDERS: dict[str, Callable[[HttpRequest, tuple], dict]] = {
    "revenue": _revenue, "tax": _tax, "aging": _aging, "balances": _balances}


# --- the views ----------------------------------------------------------------------------------

@area_required(FINANCE)
def report_index(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/reports/index.html", {"reports": [
        (slug, title, text, reverse(f"backoffice:finance-report-{slug}")) for slug, (title, text) in REPORTS.items()]})


def _page(slug: str):
    @area_required(FINANCE)
    @refuses_bad_query
    def page(request: HttpRequest) -> HttpResponse:
        choices = reports.filter_choices()
        context = BUILDERS[slug](request, choices)
        kept = request.GET.copy()
        kept.pop("part", None)
        for table in context["tables"]:
            kept["part"] = table.key
            table.export = f"{reverse(f'backoffice:finance-report-{slug}-export')}?{kept.urlencode()}"
        title, text = REPORTS[slug]
        return render(request, "backoffice/reports/report.html", context | {
            "slug": slug, "title": title, "text": text, "reports": [(s, t) for s, (t, _text) in REPORTS.items()],
            "companies": choices[0], "groups": choices[1], "currencies": settings.CLIENTPANEL_CURRENCIES,
            "granularities": [(reports.MONTH, _("Month")), (reports.QUARTER, _("Quarter"))],
            "periodic": slug in ("revenue", "tax"), "by_company": slug != "balances", "by_group": slug != "tax",
            "no_group": reports.NO_GROUP})

    page.__name__ = page.__qualname__ = f"report_{slug}"
    return page


def _export(slug: str):
    @area_required(FINANCE)
    def export(request: HttpRequest) -> HttpResponse:
        """One table of the report as CSV: the rows the page shows with the same filters. A filter
        the page would refuse sends the browser back to the page, which says why."""
        back_to = reverse(f"backoffice:finance-report-{slug}")
        try:
            tables = BUILDERS[slug](request, reports.filter_choices())["tables"]
        except RefusedQuery:
            return redirect(f"{back_to}?{request.GET.urlencode()}")
        part = request.GET.get("part", "")
        table = next((t for t in tables if t.key == part), tables[0])
        return csv_attachment([label for label, _numeric in table.columns],
                              ([csv_cell(cell) for cell in row] for row in table.rows),
                              filename=export_filename(f"report-{slug}-{table.key}"))

    export.__name__ = export.__qualname__ = f"report_{slug}_export"
    return export


report_revenue, report_revenue_export = _page("revenue"), _export("revenue")
report_tax, report_tax_export = _page("tax"), _export("tax")
report_aging, report_aging_export = _page("aging"), _export("aging")
report_balances, report_balances_export = _page("balances"), _export("balances")
