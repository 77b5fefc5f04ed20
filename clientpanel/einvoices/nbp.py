"""NBP's average exchange rates (table A) through NBP's public API, where the network allows
(issue 16): "Fetch from NBP" on Finance → Tax exchange rates, and the `fetch_nbp_rates` job when
CLIENTPANEL_NBP_FETCH is on. A rate is taken only from NBP's own answer for the day asked — a day
without a table (a holiday NBP keeps that our calendar does not) stores nothing, never a guess.

    GET {CLIENTPANEL_NBP_API_URL}/exchangerates/tables/A/{YYYY-MM-DD}/?format=json
    → [{"table": "A", "no": "225/A/NBP/2026", "effectiveDate": "2026-11-20",
        "rates": [{"currency": "euro", "code": "EUR", "mid": 4.2345}, …]}]

`mid` is the złoty value of one unit of the currency (the API's own unit, also for HUF or JPY).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.core.errors import Conflict, require

from . import policies
from .making import einvoices_waiting_for_rate
from .models import RATE_PLACES, VatExchangeRate
from .rates import previous_working_day

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
QUANTUM = Decimal(1).scaleb(-RATE_PLACES)


class NbpUnavailable(Conflict):
    """NBP could not be reached or answered what is not its table: nothing was stored."""

    code = "nbp_unavailable"


@dataclass(frozen=True)
class NbpTable:
    number: str  # "225/A/NBP/2026"
    day: dt.date
    rates: dict[str, Decimal]  # code → złoty for one unit


def nbp_table_a(day: dt.date) -> NbpTable | None:
    """NBP's table A of `day`, or None when NBP published none that day."""
    base = str(settings.CLIENTPANEL_NBP_API_URL).rstrip("/")
    if not base.startswith(("https://", "http://")):  # never file: or another scheme
        raise NbpUnavailable(_("CLIENTPANEL_NBP_API_URL must be an http(s) address."))
    url = f"{base}/exchangerates/tables/A/{day.isoformat()}/?format=json"
    request = urllib.request.Request(  # noqa: S310 — the scheme is checked above
        url, headers={"Accept": "application/json", "User-Agent": "Clientpanel"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310 — checked above
            body = answer.read(2_000_000)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise NbpUnavailable(_("NBP answered HTTP %(status)s; try again later.") % {"status": error.code}) from None
    except (urllib.error.URLError, http.client.HTTPException, TimeoutError, OSError) as error:
        raise NbpUnavailable(_("NBP could not be reached (%(reason)s); enter the rates from nbp.pl by hand.") % {
            "reason": type(error).__name__}) from None
    try:
        (table,) = json.loads(body)
        effective = dt.date.fromisoformat(table["effectiveDate"])
        rates = {}
        for entry in table["rates"]:
            code = str(entry["code"]).upper()
            mid = Decimal(str(entry["mid"]))
            if len(code) == 3 and code.isalpha() and mid.is_finite() and mid > 0:
                rates[code] = mid.quantize(QUANTUM)
        number = str(table["no"])[:40]
    except (ValueError, KeyError, TypeError, InvalidOperation) as error:
        raise NbpUnavailable(_("NBP's answer was not its table (%(reason)s); nothing was stored.") % {
            "reason": type(error).__name__}) from None
    if effective != day:
        raise NbpUnavailable(_("NBP answered the table of %(effective)s for %(day)s; nothing was stored.") % {
            "effective": effective.isoformat(), "day": day.isoformat()})
    return NbpTable(number=number, day=effective, rates=rates)


def vat_exchange_rates_fetch(*, actor: ActorLike, day: dt.date | None = None) -> tuple[dt.date, int]:
    """Store NBP's rates of the currencies the panel bills in for `day` (the last working day before
    today by default): answers the day and how many rates are new or changed. E-invoices that
    waited for one of them are made."""
    require(policies.can_enter_vat_rates(as_actor(actor)), _("You are not allowed to enter exchange rates."))
    day = day or previous_working_day(timezone.localdate())
    table = nbp_table_a(day)
    if table is None:
        raise Conflict(_("NBP published no table A for %(day)s.") % {"day": day.isoformat()})
    label = as_actor(actor).label[:300]
    changed = 0
    with transaction.atomic():
        for code in sorted(set(settings.CLIENTPANEL_CURRENCIES) - {"PLN"}):
            rate = table.rates.get(code)
            if rate is None:
                continue
            row, created = VatExchangeRate.objects.get_or_create(
                currency=code, to_currency="PLN", day=day,
                defaults={"rate": rate, "table": table.number, "created_by_label": label})
            if not created and (row.rate != rate or row.table != table.number):
                log.warning("NBP's %s rate of %s is %s; %s had entered %s", code, day, rate, row.created_by_label,
                            row.rate)
                row.rate, row.table, row.created_by_label = rate, table.number, label
                row.save()
                created = True
            changed += created
            einvoices_waiting_for_rate(currency=code, day=day)
    return day, changed


MISSED_DAYS_LOOKED_AT = 30  # how far back rates e-invoices still wait for are fetched again


def days_wanted(today: dt.date) -> list[dt.date]:
    """The last working day before today, and the days whose rate foreign-currency e-invoices of the
    last weeks still wait for (NBP or the server was out of reach that day), oldest first."""
    from .building import local_day
    from .models import EInvoice, EInvoiceStatus

    days = {previous_working_day(today)}
    waiting = (EInvoice.objects.filter(status=EInvoiceStatus.FAILED,
                                       document__issue_date__gte=timezone.now() - dt.timedelta(
                                           days=MISSED_DAYS_LOOKED_AT))
               .exclude(document__currency="PLN").select_related("document")[:500])
    for einvoice in waiting:
        issued = local_day(einvoice.document, einvoice.document.issue_date)
        if issued:
            days.add(previous_working_day(issued))
    return sorted(day for day in days if day < today)


def job_fetch_nbp_rates(*, now: dt.datetime) -> dict:
    """Fetch NBP's rates of the days still without them (the last working day's once NBP has
    published it, around noon, and any day e-invoices still wait for), where CLIENTPANEL_NBP_FETCH
    allows the network. A day is asked for once it has no rate at all: NBP's table is whole."""
    if not settings.CLIENTPANEL_NBP_FETCH:
        return {"rows": 0}
    fetched = set(VatExchangeRate.objects.filter(to_currency="PLN", day__in=days_wanted(
        timezone.localtime(now).date())).values_list("day", flat=True))
    rows = failed = 0
    for day in days_wanted(timezone.localtime(now).date()):
        if day in fetched:
            continue
        try:
            rows += vat_exchange_rates_fetch(actor=None, day=day)[1]
        except Conflict as error:
            log.warning("NBP rates of %s not fetched: %s", day, error.message)
            failed += 1
            break  # NBP out of reach: the next pass tries again
    return {"rows": rows, "failed": failed} if failed else {"rows": rows}
