"""Daily rollups for Finance → Reports (issue 14): at a million clients a year of payments, credit
notes, tax lines and charges takes seconds to add up, so the `roll_up_reports` job keeps them added
up per day — a payment on the day its home company's zone says it was paid, an invoice's or credit
note's figures on the day its company dated it (reports/zones.py), charges on the server's day — per currency,
home company, client group, tax rate, country and product (reports.models). A report for staff
who see every client reads the rollups for what was written before `RollupState.rolled_until` and
adds up live only what was written since; staff limited to their assigned clients get everything
added up live (theirs are few).

"Written" is when a row came to be — a payment's created_at, a document's issue date (set when it
takes its number), a ledger entry's created_at — never the date it is reported under: a payment
recorded today as paid last March lands in March's rollup. The job rolls up to MARGIN before now,
so a transaction still open when it runs is picked up by the next run (none of ours stays open for
minutes); `manage.py rebuild_report_rollups` adds everything up again from scratch.

The same grouped queries serve the live part and the rollups (reports/sums.py): `payments_by`,
`credit_notes_by`, `tax_by` and `charges_by` group rows by a bucket (a period, or a day) and the
rollups' keys."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from clientpanel.invoicing.models import Payment
from clientpanel.ledger.models import EntryType, LedgerEntry

from .models import NO_GROUP_KEY, DailyRevenue, DailyTax, DailyUsage, RollupState, UnconvertedTaxDocument
from .reversals import charge_reversals, reversals_by
from .sums import ZERO, charges_by, credit_notes, credit_notes_by, payments_by, tax_by, tax_documents
from .tax_currency import Converted, converted_by

STATE_KEY = "reports"
MARGIN = dt.timedelta(minutes=10)  # what was written this recently is always added up live
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # rolled up until then: nothing is
NIL = uuid.UUID(int=0)  # DailyUsage's product of charges outside a service


class MoneyIn:
    """Payments less refunds (credit notes, as a positive amount): the revenue of a period, home
    company or group. Mixed into the report rows that carry both."""

    payments: Decimal
    refunds: Decimal

    @property
    def revenue(self) -> Decimal:
        return self.payments - self.refunds


@dataclass(frozen=True)
class Written:
    """The rows written from `since` (included) to `until` (excluded); None: no bound."""

    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def on(self, queryset: QuerySet, column: str) -> QuerySet:
        if self.since is not None:
            queryset = queryset.filter(**{f"{column}__gte": self.since})
        if self.until is not None:
            queryset = queryset.filter(**{f"{column}__lt": self.until})
        return queryset


def rolled_until() -> dt.datetime | None:
    """Up to when the rollups hold what was written (None: there are none in this time zone yet, so
    every figure is added up live)."""
    state = RollupState.objects.filter(key=STATE_KEY).values_list("rolled_until", "time_zone").first()
    if state is None or state[1] != timezone.get_current_timezone_name():
        return None
    return state[0]


# --- the job ------------------------------------------------------------------------------------

def rollups_refresh(*, until: dt.datetime | None = None) -> dict[str, int]:
    """Add what was written since the last run, up to `until` (MARGIN before now unless given), to
    the daily rollups, in one transaction under the state row's lock (two runs never add the same
    rows). A change of the server's time zone adds everything up again in the new one."""
    until = until or timezone.now() - MARGIN
    zone = timezone.get_current_timezone_name()
    with transaction.atomic():
        RollupState.objects.get_or_create(key=STATE_KEY, defaults={"rolled_until": EPOCH, "time_zone": zone})
        state = RollupState.objects.select_for_update().get(key=STATE_KEY)
        if state.time_zone != zone:
            _clear()
            state.rolled_until, state.time_zone = EPOCH, zone
        if until <= state.rolled_until:
            return {"rows": 0}
        written = Written(state.rolled_until, until)
        revenue: dict = defaultdict(lambda: [ZERO, ZERO, ZERO, ZERO])  # payments, refunds, and their nets
        for key, (gross, net) in payments_by(written.on(Payment.objects.all(), "created_at"),
                                             lambda zone: TruncDate("paid_at", tzinfo=zone)).items():
            revenue[key][0] += gross
            revenue[key][2] += net
        for key, (total, net) in credit_notes_by(written.on(credit_notes(), "issue_date"),
                                                 lambda zone: TruncDate("issue_date", tzinfo=zone)).items():
            revenue[key][1] -= total
            revenue[key][3] -= net
        taxes = _tax_deltas(written)
        usage: dict = defaultdict(lambda: [0, ZERO, ZERO])  # charges, charged, reversed by credit notes
        for row in charges_by(written.on(LedgerEntry.objects.filter(type=EntryType.CHARGE), "created_at"),
                              TruncDate("created_at")):
            usage[row["bucket"], row["currency"], row["group"] or NO_GROUP_KEY, row["product"] or NIL][:2] = \
                row["charges"], -row["amount"]
        for (day, currency, group, product), amount in reversals_by(written.on(charge_reversals(), "created_at"),
                                                                    TruncDate("created_at")).items():
            usage[day, currency, group or NO_GROUP_KEY, product or NIL][2] += amount
        rows = (_add(DailyRevenue, ("day", "currency", "company_id", "group_id"),
                     ("payments", "refunds", "payments_net", "refunds_net"), revenue)
                + _add(DailyTax, ("day", "company_id", "group_id", "currency", "country", "kind", "name", "rate",
                                  "tax_currency"),
                       ("documents", "net", "tax", "net_in_tax_currency", "tax_in_tax_currency", "unconverted"), taxes)
                + _add(DailyUsage, ("day", "currency", "group_id", "product_id"), ("charges", "amount", "reversed"),
                       usage))
        state.rolled_until = until
        state.save()
    return {"rows": rows}


def _tax_deltas(written: Written) -> dict[tuple, list]:
    """What DailyTax's rows gain: the tax documents written (with their tax-currency figures, or
    counted as not converted and kept in UnconvertedTaxDocument), and the documents kept there
    before whose exchange rate has come since (their tax-currency figures now, one fewer not
    converted; no longer kept)."""
    deltas: dict = defaultdict(lambda: [0, ZERO, ZERO, ZERO, ZERO, 0])
    fresh = Converted()
    for (day, company, group, *rest), values in tax_by(written.on(tax_documents(), "issue_date"),
                                                       lambda zone: TruncDate("issue_date", tzinfo=zone),
                                                       converted=fresh).items():
        entry = deltas[day, company, group or NO_GROUP_KEY, *rest]
        for index, amount in enumerate(values):
            entry[index] += amount
    waiting = UnconvertedTaxDocument.objects.all()
    came = converted_by(tax_documents().filter(pk__in=waiting.values("document_id"))) if waiting.exists() \
        else Converted()
    for key, (count, net, tax, unconverted) in came.sums.items():
        entry = deltas[key]
        entry[3] += net
        entry[4] += tax
        entry[5] -= count - unconverted
    done = list(came.converted)
    for start in range(0, len(done), 500):
        UnconvertedTaxDocument.objects.filter(document_id__in=done[start:start + 500]).delete()
    for key, (_count, net, tax, unconverted) in fresh.sums.items():
        entry = deltas[key]
        entry[3] += net
        entry[4] += tax
        entry[5] += unconverted
    UnconvertedTaxDocument.objects.bulk_create(
        [UnconvertedTaxDocument(document_id=pk, day=day) for pk, day in fresh.waiting.items()], batch_size=1000,
        ignore_conflicts=True)
    return deltas


def rollups_rebuild() -> dict[str, int]:
    """Throw the rollups away and add everything up again (manage.py rebuild_report_rollups)."""
    zone = timezone.get_current_timezone_name()
    with transaction.atomic():
        # Under the state row's lock, as a refresh takes it: a run going on meanwhile either finished
        # before the rows are cleared or waits, so nothing it adds survives to be added again.
        RollupState.objects.get_or_create(key=STATE_KEY, defaults={"rolled_until": EPOCH, "time_zone": zone})
        RollupState.objects.select_for_update().get(key=STATE_KEY)
        _clear()
        RollupState.objects.filter(key=STATE_KEY).update(rolled_until=EPOCH, time_zone=zone)
        return rollups_refresh()


def job_roll_up_reports(*, now: dt.datetime) -> dict:
    """The automation job: `now` is the pass's moment, but what counts is when rows were written,
    by the real clock (a pass run --at a later moment must not skip rows written before it)."""
    return rollups_refresh()


def _clear() -> None:
    for model in (DailyRevenue, DailyTax, UnconvertedTaxDocument, DailyUsage):
        model.objects.all().delete()


def _add(model: type[Model], keys: tuple[str, ...], values: tuple[str, ...], deltas: dict[tuple, Iterable]) -> int:
    """Add each key's values to its row (made when there is none yet); the rows of the days touched
    are read once. Answers how many rows were written."""
    if not deltas:
        return 0
    days = {key[0] for key in deltas}
    existing = {tuple(getattr(row, name) for name in keys): row for row in model.objects.filter(day__in=days)}
    changed, made = [], []
    for key, delta in deltas.items():
        row = existing.get(key)
        if row is None:
            made.append(model(**dict(zip(keys, key, strict=True)), **dict(zip(values, delta, strict=True))))
            continue
        for name, amount in zip(values, delta, strict=True):
            setattr(row, name, getattr(row, name) + amount)
        changed.append(row)
    model.objects.bulk_update(changed, values, batch_size=1000)
    model.objects.bulk_create(made, batch_size=1000)
    return len(changed) + len(made)
