"""REST endpoints for a client's ledger."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ninja import Query, Router, Schema
from pydantic import Field, StrictBool

from clientpanel.accounts.api_auth import api_actor, money_request, scoped
from clientpanel.accounts.scopes import CLIENTS_READ, FINANCE_WRITE
from clientpanel.clients import selectors as client_selectors
from clientpanel.core.api_types import IDEMPOTENT, MoneyString, OneLine, Text, strict_example
from clientpanel.core.money import format_api_amount
from clientpanel.core.schemas import ListOut, SearchPageParams, choice_filter, iso_time, list_page

from . import selectors, services
from .models import EntryType, LedgerEntry

router = Router(tags=["transactions"])


class TransactionIn(Schema):
    model_config = strict_example(amount="-12.5000", transaction_id="wire-2026-0042",
                                  description="Refund of an hourly overcharge")
    amount: MoneyString = None
    transaction_id: OneLine(100) = ""
    description: Text(500) = ""
    allow_over_limit: StrictBool = False


class TransactionListParams(SearchPageParams):
    # The shared list query, under the name the OpenAPI document has always given it here.
    """Which page of the list, how many rows a page, the words to search for and the entries' type."""
    type: OneLine(12) = Field("", description=f"One of {', '.join(EntryType.values)}")


class EntryOut(Schema):
    id: str
    sequence: int
    type: str
    gross: str
    net: str
    balance_before: str
    balance_after: str
    description: str
    transaction_id: str | None
    service: str | None
    period_start: str | None
    period_end: str | None
    invoice: str | None
    created_at: str | None


class EntryListOut(ListOut[EntryOut]):
    """One page of a client's ledger entries, with how many there are in all."""


def entry_out(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "id": str(entry.id), "sequence": entry.sequence, "type": entry.type,
        "gross": format_api_amount(entry.gross), "net": format_api_amount(entry.net),
        "balance_before": format_api_amount(entry.balance_before),
        "balance_after": format_api_amount(entry.balance_after), "description": entry.description,
        "transaction_id": entry.transaction_id or None, "service": str(entry.service_id) if entry.service_id else None,
        "period_start": iso_time(entry.period_start), "period_end": iso_time(entry.period_end),
        "invoice": str(entry.document_id) if entry.document_id else None, "created_at": iso_time(entry.created_at),
    }


@router.get("/clients/{client_id}/transactions", response=EntryListOut, summary="A client's ledger, newest first",
            auth=scoped(CLIENTS_READ))
def list_transactions(request, client_id: UUID, params: Query[TransactionListParams]):
    client = client_selectors.client_get(actor=api_actor(request), client_id=client_id)
    entries = selectors.client_entries(client=client, search=params.search)
    if entry_type := choice_filter("type", params.type, EntryType.values):
        entries = entries.filter(type=entry_type)
    return list_page(entries, page=params.page, page_size=params.page_size, item_out=entry_out)


@router.post("/clients/{client_id}/transactions", response={200: EntryOut, 201: EntryOut}, openapi_extra=IDEMPOTENT,
             summary="Post a manual transaction (ADJUSTMENT); honours Idempotency-Key", auth=scoped(FINANCE_WRITE))
def create_transaction(request, client_id: UUID, payload: TransactionIn):
    """201 with the entry; 200 with the existing entry when the transaction ID was posted before."""
    def post(actor) -> tuple[int, dict]:
        entry, created = services.manual_transaction_create(
            actor=actor, client_id=client_id, amount=payload.amount, transaction_id=payload.transaction_id,
            description=payload.description, allow_over_limit=payload.allow_over_limit)
        return (201 if created else 200), entry_out(entry)

    return money_request(request, post,
                         visible=lambda actor: client_selectors.client_get(actor=actor, client_id=client_id))
