"""The events an endpoint can take: the domain events integrators see, each with what its body's
`data` carries — the event's own fields and the thing it is about, as the REST API writes it
(clients/schemas.py client_out, invoicing/api.py document_out, ledger/api.py entry_out,
client_services/api.py service_out), as it was when the event happened."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from clientpanel.client_services.api import service_out
from clientpanel.client_services.events import ServiceStatusChanged
from clientpanel.client_services.models import Service
from clientpanel.clients.events import ClientCreated, ClientUpdated, ImportCompleted
from clientpanel.clients.models import Address, AddressType, Client
from clientpanel.clients.schemas import client_out
from clientpanel.core.events import Event
from clientpanel.invoicing.api import document_out
from clientpanel.invoicing.events import DocumentIssued, DocumentPaid, DocumentRefunded
from clientpanel.invoicing.models import Document
from clientpanel.ledger.api import entry_out
from clientpanel.ledger.events import LedgerEntryPosted
from clientpanel.ledger.models import LedgerEntry

TEST_EVENT = "webhook.test"


def _clients(events: Sequence[Any]) -> list[dict]:
    ids = {event.client_id for event in events}
    clients = Client.objects.select_related("owner", "balance_row").in_bulk(ids)
    billing = {a.client_id: a for a in Address.objects.filter(client_id__in=ids, type=AddressType.BILLING)}
    return [{"client": client_out(clients[event.client_id], billing.get(event.client_id))} for event in events]


def _documents(events: Sequence[Any]) -> list[dict]:
    documents = (Document.objects.select_related("related").prefetch_related("items", "derived")
                 .in_bulk({event.document_id for event in events}))
    return [{"document": document_out(documents[event.document_id])} for event in events]


def _entries(events: Sequence[LedgerEntryPosted]) -> list[dict]:
    entries = LedgerEntry.objects.in_bulk({event.entry_id for event in events})
    return [{"transaction": entry_out(entries[event.entry_id])} for event in events]


def _nothing_more(events: Sequence[Any]) -> list[dict]:
    """Events whose own fields say it all (an import's counts)."""
    return [{} for _event in events]


def _services(events: Sequence[ServiceStatusChanged]) -> list[dict]:
    services = Service.objects.select_related("product").in_bulk({event.service_id for event in events})
    return [{"service": service_out(services[event.service_id])} for event in events]


@dataclasses.dataclass(frozen=True)
class WebhookEvent:
    name: str
    event_type: type[Event]
    description: Any
    # The things the events are about, one dict per event, fetched once for a batch.
    render: Callable[[Sequence[Any]], list[dict]]


WEBHOOK_EVENTS: dict[str, WebhookEvent] = {event.name: event for event in (
    WebhookEvent("client.created", ClientCreated, _("A client was created (not by an import)."), _clients),
    WebhookEvent("client.updated", ClientUpdated, _("A client's fields or addresses changed."), _clients),
    WebhookEvent("document.issued", DocumentIssued, _("A proforma, invoice or credit note was issued."), _documents),
    WebhookEvent("document.paid", DocumentPaid, _("A proforma was paid and its invoice issued."), _documents),
    WebhookEvent("document.refunded", DocumentRefunded, _("An invoice was (partly) refunded by a credit note."),
                 _documents),
    WebhookEvent("ledger.entry_posted", LedgerEntryPosted, _("A transaction moved a client's balance."), _entries),
    WebhookEvent("service.status_changed", ServiceStatusChanged,
                 _("A service was activated, suspended, terminated or cancelled."), _services),
    WebhookEvent("import.completed", ImportCompleted,
                 _("A CSV import of clients was committed (one event for the file, with its counts)."), _nothing_more),
)}


def event_data(events: Sequence[Event]) -> list[dict]:
    """Each event's `data`: its own fields and the thing it is about (all of one type)."""
    webhook_event = WEBHOOK_EVENTS[events[0].name]
    return [{**event.payload(), **about} for event, about in zip(events, webhook_event.render(events), strict=True)]
