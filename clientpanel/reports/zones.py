"""The days the reports put money and documents on: their home company's, never the server's.

A document is dated in the zone its company had when it was issued, kept in its company snapshot
(invoicing's Document.zone: its number, PDF and e-invoice read it). The reports read an invoice or
credit note in that zone, and a payment in the zone of the document it pays (the proforma: the
company that sent the bill, whose bank account took the money; docs/decisions.md) — a Warsaw payment
at 00:30 on 1 December (23:30 UTC on 30 November) is December's money whatever the server's zone.
A company that moves to another zone later changes nothing already dated.

A range of days (a report's since–until) is read in each row's own zone too, so `by_zone` splits
the rows by the zone they were dated in: one query to find the zones, then one per zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from clientpanel.tax.models import HomeCompany


def document_zone(name: str | None) -> dt.tzinfo:
    """The zone a document was dated in (its company's at issue, kept in its snapshot): the day
    printed on it, in its number and its e-invoice. A snapshot without one: the server's zone, as its
    PDF reads it."""
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def home_zone() -> dt.tzinfo:
    """The default home company's zone (else the first company's, else the server's): the one whose
    months and days the dashboard and the reports' default range count, as the money is put in its
    company's days. Read only: no company is made here."""
    company = (HomeCompany.objects.filter(is_default=True).only("time_zone").first()
               or HomeCompany.objects.only("time_zone").order_by("id").first())
    return document_zone(company.time_zone if company else None)


def day_in(value, zone: dt.tzinfo) -> dt.date | None:
    """A truncated moment (an aware datetime on PostgreSQL, maybe a date elsewhere) as the day it
    starts in `zone`."""
    if isinstance(value, dt.datetime):
        return value.astimezone(zone).date() if timezone.is_aware(value) else value.date()
    return value


def _midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zone)


def by_zone(rows: QuerySet, zone: str, column: str, *, since: dt.date | None = None,
            until: dt.date | None = None) -> Iterator[tuple[dt.tzinfo, QuerySet]]:
    """The rows split by the zone they were dated in (`zone`: the lookup of the zone name kept on
    a document's company snapshot, "company_snapshot__time_zone" or through a relation), each part
    narrowed to the days `since`–`until` (both included, either may be None) in its own zone, read
    on `column` (a moment: issue_date, paid_at)."""
    # No zone is more than a day off UTC: this narrows the search for the zones; each zone's own
    # bounds are applied below.
    if since is not None:
        rows = rows.filter(**{f"{column}__gte": _midnight(since - dt.timedelta(days=1), dt.UTC)})
    if until is not None:
        rows = rows.filter(**{f"{column}__lt": _midnight(until + dt.timedelta(days=2), dt.UTC)})
    names = set(rows.values_list(zone, flat=True).distinct().order_by())
    for name in sorted(names, key=lambda z: z or ""):
        tz = document_zone(name)
        if len(names) == 1:
            part = rows  # every row was dated in it (the usual: one company, or companies of one zone)
        else:  # no zone kept: the key missing, or JSON null
            part = rows.filter(**{zone: name}) if name is not None else rows.filter(
                Q(**{f"{zone}__isnull": True}) | Q(**{zone: None}))
        if since is not None:
            part = part.filter(**{f"{column}__gte": _midnight(since, tz)})
        if until is not None:
            part = part.filter(**{f"{column}__lt": _midnight(until + dt.timedelta(days=1), tz)})
        yield tz, part
