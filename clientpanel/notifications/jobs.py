"""Messages no single change causes, sent by automation jobs (automation.registry.JOBS): proforma
reminders and low-balance warnings. Each is sent once: its `reference` names what it is about."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from clientpanel.client_services.models import Service, ServiceStatus
from clientpanel.client_services.selectors import upcoming_charges
from clientpanel.clients.models import Client
from clientpanel.clients.selectors import effective_setting
from clientpanel.core.money import display_amount
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType

from .kinds import LOW_BALANCE, PROFORMA_REMINDER
from .models import EmailMessage
from .portal_links import document_links
from .rules import message_goes
from .services import client_context, client_language, email_queue
from .subscribers import recipients

MAX_REMINDER_DAYS = 60  # the home company's and the group's settings are bounded by it


def reminder_days(client: Client, company) -> tuple[int, int]:
    """Days before and after the due date: the group's own, else the home company's."""
    group = client.group
    before = group.reminder_days_before if group and group.reminder_days_before is not None else None
    overdue = group.reminder_days_overdue if group and group.reminder_days_overdue is not None else None
    return (company.reminder_days_before if before is None else before,
            company.reminder_days_overdue if overdue is None else overdue)


def reminder_stage(document: Document, now: dt.datetime, before: int, overdue: int) -> tuple[str | None, int]:
    """Which reminder is due for the proforma today, in its home company's calendar: ("before", days
    left) from `before` days ahead, ("due", 0) on the day, ("overdue", days late) from `overdue`
    days after; none for a stage whose day came before the proforma was issued (its own message
    said it all then)."""
    zone = document.zone  # the calendar its dates were printed in, though the company's zone changed since
    today = now.astimezone(zone).date()
    due = document.due_date.astimezone(zone).date()
    issued = document.issue_date.astimezone(zone).date()
    left = (due - today).days
    if left > 0:
        stage, day, days = ("before", due - dt.timedelta(days=before), left) if before and left <= before else (
            None, None, 0)
    elif left == 0:
        stage, day, days = "due", due, 0
    else:
        stage, day, days = ("overdue", due + dt.timedelta(days=overdue), -left) if overdue and -left >= overdue else (
            None, None, 0)
    if stage is None or issued >= day:
        return None, 0
    return stage, days


def job_proforma_reminders(*, now: dt.datetime) -> dict:
    """Remind clients of unpaid proformas some days before they are due, on the day and some days
    after (days per home company, a group may set its own; never when the client's reminders are
    off); each reminder once."""
    sent = 0
    proformas = (Document.objects.filter(type=DocumentType.PROFORMA, status=DocumentStatus.UNPAID,
                                         due_date__gte=now - dt.timedelta(days=MAX_REMINDER_DAYS + 2),
                                         due_date__lte=now + dt.timedelta(days=MAX_REMINDER_DAYS + 1))
                 .select_related("client__group", "home_company").order_by("due_date", "id"))
    for document in proformas.iterator(chunk_size=500):
        client = document.client
        if not effective_setting(client, "reminders_enabled")[0] or not message_goes(
                PROFORMA_REMINDER, client_status=client.status):  # a closed client is not reminded
            continue
        stage, days = reminder_stage(document, now, *reminder_days(client, document.home_company))
        if stage is None:
            continue
        reference = f"reminder:{document.pk}:{stage}"
        with transaction.atomic():
            # The proforma's row lock keeps two passes at once from both sending it.
            locked = Document.objects.select_for_update(of=("self",)).get(pk=document.pk)
            if locked.status != DocumentStatus.UNPAID or EmailMessage.objects.filter(reference=reference).exists():
                continue
            language = client_language(client)
            context = {"document_number": document.number, "due_date": document.due_date.astimezone(
                document.zone).date().isoformat(), "reminder_stage": stage, "days": days,
                "document_total": display_amount(document.total - document.paid_gross, document.currency, language),
                **document_links(locked, client)}
            for user in recipients(client, PROFORMA_REMINDER):
                email_queue(key=PROFORMA_REMINDER, user=user, client=client, language=language, reference=reference,
                            context={**client_context(client, user), **context},
                            attachments=[{"document_id": str(document.pk)}], now=now)
            sent += 1
    return {"reminders": sent}


def job_low_balance_warnings(*, now: dt.datetime) -> dict:
    """Warn clients whose balance and credit limit will not cover their services' charges over the
    next CLIENTPANEL_LOW_BALANCE_DAYS days; at most once in that many days per client."""
    days = settings.CLIENTPANEL_LOW_BALANCE_DAYS
    until = now + dt.timedelta(days=days)
    client_ids = list(Service.objects.filter(status=ServiceStatus.ACTIVE).values_list("client_id", flat=True)
                      .distinct().order_by("client_id"))
    warned = 0
    for start in range(0, len(client_ids), 1000):
        upcoming = upcoming_charges(client_ids=client_ids[start:start + 1000], now=now, until=until)
        for client in Client.objects.filter(pk__in=list(upcoming)).select_related("group", "balance_row"):
            need = upcoming[client.pk]
            if client.balance + client.credit_limit >= need or not message_goes(LOW_BALANCE,
                                                                                 client_status=client.status):
                continue
            reference = f"low_balance:{client.pk}"
            with transaction.atomic():
                # The client's row lock keeps two passes at once from both warning it.
                Client.objects.select_for_update(of=("self",), no_key=True).only("id").get(pk=client.pk)
                if EmailMessage.objects.filter(reference=reference, created_at__gt=now - dt.timedelta(days=days)
                                               ).exists():
                    continue
                language = client_language(client)
                context = {"balance": display_amount(client.balance, client.currency, language),
                           "available": display_amount(client.balance + client.credit_limit, client.currency, language),
                           "upcoming_charges": display_amount(need, client.currency, language), "days": days}
                for user in recipients(client, LOW_BALANCE):
                    email_queue(key=LOW_BALANCE, user=user, client=client, language=language,
                                reference=reference, context={**client_context(client, user), **context}, now=now)
            warned += 1
    return {"warned": warned}
