"""REST endpoints for proformas, invoices and credit notes (SPEC §11)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from clientpanel.accounts.api_auth import api_actor, money_request, scoped
from clientpanel.accounts.scopes import CLIENTS_READ, FINANCE_WRITE, SETTINGS_WRITE
from clientpanel.clients import selectors as client_selectors
from clientpanel.core.api_types import (
    IDEMPOTENT,
    OneLine,
    Page,
    PageSize,
    Search,
)
from clientpanel.core.money import format_api_amount
from clientpanel.core.schemas import ListOut, iso_time, list_page

from . import selectors, services
from .add_funds_limits import PortalLimits, limit_rows
from .models import Document, DocumentStatus, DocumentType
from .schemas import CANCEL_BODY, AddFundsIn, AddFundsLimitIn, CreditNoteIn, PaymentIn, ProformaIn, cancel_confirmation
from .storage import pdf_filename, stored_pdf

router = Router(tags=["invoices"])


class DocumentListParams(Schema):
    # Either letter case, as /clients?status= always read it (and a client's services and transactions).
    type: OneLine(12) = Field("", description=f"One of {', '.join(DocumentType.values)}")
    status: OneLine(20) = Field("", description=f"One of {', '.join(DocumentStatus.values)}")
    search: Search = ""
    overdue: bool = Field(False, description="Only unpaid documents past their due date")
    sort: OneLine(40) = Field("", description=f"One of {', '.join(selectors.DOCUMENT_SORTS)}, - first for "
                                              f"descending; default {selectors.DOCUMENT_DEFAULT_SORT}")
    page: Page = 1
    page_size: PageSize = 50


class TaxLineOut(Schema):
    name: str
    rate: str
    amount: str


class ItemOut(Schema):
    description: str
    quantity: str
    unit_price: str
    net: str
    is_topup: bool
    service: str | None
    period_start: str | None
    period_end: str | None


class RelatedOut(Schema):
    id: str
    type: str
    number: str | None


class DocumentOut(Schema):
    id: str
    type: str
    number: str | None
    status: str
    client: str
    home_company: int | None
    issue_date: str | None
    due_date: str | None
    paid_date: str | None
    currency: str
    net: str
    tax: str
    total: str
    amount_due: str
    amount_paid: str = Field(description="What the document has received so far, gross: a partly paid proforma's "
                                         "payments (what POST …/cancel asks to confirm as confirm_paid).")
    tax_lines: list[TaxLineOut]
    reverse_charge: bool
    no_vat_reason: str = Field(description="Why the document charges no VAT, recorded at issue: EXEMPT_CLIENT, "
                                           "UNTAXED (no rule taxes the sale), ZERO_RATED, REVERSE_CHARGE; \"\" taxed.")
    vat_exemption_basis: str = Field(description="The legal basis of the exemption the home company had at issue "
                                                 "(an exempt sale's; a credit note its invoice's), printed on the PDF.")
    reason: str
    pdf_sha256: str | None
    items: list[ItemOut]
    related: list[RelatedOut]


class DocumentListOut(ListOut[DocumentOut]):
    """One page of a client's documents, with how many there are in all."""


class PaidOut(Schema):
    id: str
    gross: str
    net: str
    transaction_id: str | None
    paid_at: str | None
    created: bool


class PaymentOut(Schema):
    payment: PaidOut
    document: DocumentOut


PDF_RESPONSE = {"responses": {200: {"description": "The PDF stored when the document was issued", "content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}}


def document_out(document: Document) -> dict[str, Any]:
    related = []
    if document.related_id:
        related.append({"id": str(document.related_id), "type": document.related.type,
                        "number": document.related.number})
    related += [{"id": str(d.id), "type": d.type, "number": d.number}  # those it led to, oldest first
                for d in sorted(document.derived.all(), key=lambda d: (d.created_at, d.id))]
    return {
        "id": str(document.id), "type": document.type, "number": document.number, "status": document.status,
        "client": str(document.client_id), "home_company": document.home_company_id,
        "issue_date": iso_time(document.issue_date), "due_date": iso_time(document.due_date),
        "paid_date": iso_time(document.paid_date), "currency": document.currency,
        "net": format_api_amount(document.net), "tax": format_api_amount(document.tax),
        "total": format_api_amount(document.total), "amount_due": format_api_amount(document.amount_due),
        "amount_paid": format_api_amount(document.paid_gross),
        "tax_lines": [{"name": t["name"], "rate": t["rate"], "amount": format_api_amount(Decimal(t["amount"]))}
                      for t in document.tax_lines],
        "reverse_charge": document.reverse_charge, "no_vat_reason": document.no_vat_reason,
        "vat_exemption_basis": document.vat_exemption_basis, "reason": document.reason,
        "pdf_sha256": document.pdf_sha256 or None,
        "items": [{"description": i.description, "quantity": f"{i.quantity.normalize():f}",
                   "unit_price": format_api_amount(i.unit_price), "net": format_api_amount(i.net),
                   "is_topup": i.is_topup, "service": str(i.service_id) if i.service_id else None,
                   "period_start": iso_time(i.period_start), "period_end": iso_time(i.period_end)}
                  for i in document.items.all()],
        "related": related,
    }


@router.get("/clients/{client_id}/invoices", response=DocumentListOut,
            summary="A client's proformas, invoices and credit notes", auth=scoped(CLIENTS_READ))
def list_client_documents(request, client_id: UUID, params: Query[DocumentListParams]):
    client = client_selectors.client_get(actor=api_actor(request), client_id=client_id)
    documents = selectors.document_list(actor=api_actor(request), client=client, type=params.type.upper(),
                                        status=params.status.upper(), search=params.search, overdue=params.overdue,
                                        sort=params.sort)
    # Counting ignores with_details' joins and prefetches: the count is the documents' own.
    return list_page(selectors.with_details(documents), page=params.page, page_size=params.page_size,
                     item_out=document_out)


def _client_seen(client_id):
    return lambda actor: client_selectors.client_get(actor=actor, client_id=client_id)


def _document_seen(document_id):
    return lambda actor: selectors.document_get(actor=actor, document_id=document_id)


@router.post("/clients/{client_id}/invoices/add-funds", response={201: DocumentOut}, openapi_extra=IDEMPOTENT,
             summary="Issue an Add Funds proforma (net amount); honours Idempotency-Key", auth=scoped(FINANCE_WRITE))
def add_funds(request, client_id: UUID, payload: AddFundsIn):
    def issue(actor):
        document = services.proforma_add_funds(actor=actor, client_id=client_id, net_amount=payload.net_amount)
        return 201, document_out(document)

    return money_request(request, issue, visible=_client_seen(client_id))


@router.post("/clients/{client_id}/invoices", response={201: DocumentOut}, openapi_extra=IDEMPOTENT,
             summary="Issue a proforma with items (description, quantity, unit_price, top_up); honours "
                     "Idempotency-Key", auth=scoped(FINANCE_WRITE))
def issue_proforma(request, client_id: UUID, payload: ProformaIn):
    """The panel's "Proforma with items": issued at once, taxed by the client's home company rules;
    a `top_up` item adds its amount to the balance when paid, the others are charged then. An item
    without a description is a top-up, named by the home company ("Add funds")."""
    items = [{"description": item.description, "quantity": str(item.quantity), "unit_price": item.unit_price,
              "is_topup": item.top_up} for item in payload.items]

    def issue(actor):
        document = services.proforma_issue(actor=actor, client_id=client_id, items=items)
        return 201, document_out(Document.objects.prefetch_related("items").get(pk=document.pk))

    return money_request(request, issue, visible=_client_seen(client_id))


@router.get("/invoices/{document_id}", response=DocumentOut, summary="One document", auth=scoped(CLIENTS_READ))
def get_document(request, document_id: UUID):
    return document_out(selectors.document_get(actor=api_actor(request), document_id=document_id))


@router.get("/invoices/{document_id}/pdf", summary="The document as PDF", openapi_extra=PDF_RESPONSE,
            auth=scoped(CLIENTS_READ))
def get_document_pdf(request, document_id: UUID):
    document = selectors.document_get(actor=api_actor(request), document_id=document_id)
    response = HttpResponse(stored_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(document)}"'
    response["X-Content-SHA256"] = document.pdf_sha256
    return response


@router.post("/invoices/{document_id}/payments", response={200: PaymentOut, 201: PaymentOut},
             openapi_extra=IDEMPOTENT,
             summary="Record a payment (gross) on a proforma; honours Idempotency-Key and transaction_id",
             auth=scoped(FINANCE_WRITE))
def record_payment(request, document_id: UUID, payload: PaymentIn):
    """201 with the payment; 200 with the payment recorded before when the same transaction ID and
    amount are sent again (nothing new is posted); 409 when the ID is on another entry."""
    def pay(actor):
        outcome = services.proforma_pay(actor=actor, document_id=document_id, amount=payload.amount,
                                        paid_at=payload.paid_at, method=payload.method,
                                        transaction_id=payload.transaction_id)
        payment = outcome.payment
        document = selectors.document_get(actor=actor, document_id=document_id)
        paid = {"id": str(payment.id), "gross": format_api_amount(payment.gross),
                "net": format_api_amount(payment.net), "transaction_id": payment.transaction_id or None,
                "paid_at": iso_time(payment.paid_at), "created": outcome.created}
        return (201 if outcome.created else 200), {"payment": paid, "document": document_out(document)}

    return money_request(request, pay, visible=_document_seen(document_id))


@router.post("/invoices/{document_id}/credit-notes", response={200: DocumentOut, 201: DocumentOut},
             openapi_extra=IDEMPOTENT,
             summary="Refund a net amount of a paid invoice; honours Idempotency-Key and transaction_id",
             auth=scoped(FINANCE_WRITE))
def issue_credit_note(request, document_id: UUID, payload: CreditNoteIn):
    def credit(actor):
        outcome = services.credit_note_issue(actor=actor, invoice_id=document_id, net_amount=payload.net_amount,
                                             transaction_id=payload.transaction_id, reason=payload.reason,
                                             allow_over_limit=payload.allow_over_limit)
        return (201 if outcome.created else 200), document_out(outcome.note)

    return money_request(request, credit, visible=_document_seen(document_id))


@router.post("/invoices/{document_id}/cancel", response=DocumentOut, openapi_extra=CANCEL_BODY,
             summary="Cancel a draft or unpaid proforma; a partly paid one with confirm_paid, what it received",
             auth=scoped(FINANCE_WRITE))
def cancel_document(request, document_id: UUID):
    return document_out(services.proforma_cancel(actor=api_actor(request), document_id=document_id,
                                                 confirm_paid=cancel_confirmation(request)))


# --- Settings → Add Funds limits: as the staff page, for a token with settings:write -------------
# The currency in the path is judged by the services: setting an unknown one is a 422 on
# "currency", removing one without limits of its own a 404.

LIMITS = ["add funds limits"]


class AddFundsLimitOut(Schema):
    currency: str
    minimum: str
    maximum: str
    maximum_balance: str | None = Field(description="null: no limit on the balance")
    own: bool = Field(description="The currency's own figures; false: the defaults (CLIENTPANEL_PORTAL_ADD_FUNDS)")


class AddFundsLimitListOut(ListOut[AddFundsLimitOut]):
    """Every enabled currency with the limits that apply in it, then any other that still has its own."""


def limits_out(limits: PortalLimits) -> dict[str, Any]:
    balance = limits.maximum_balance
    return {"currency": limits.currency, "minimum": format_api_amount(limits.minimum),
            "maximum": format_api_amount(limits.maximum), "own": limits.own,
            "maximum_balance": None if balance is None else format_api_amount(balance)}


@router.get("/add-funds-limits", response=AddFundsLimitListOut, tags=LIMITS,
            summary="The portal's Add Funds limits in each currency", auth=scoped(SETTINGS_WRITE))
def list_add_funds_limits(request, page: Page = 1, page_size: PageSize = 50):
    rows, start = limit_rows(), (page - 1) * page_size  # a row per currency: a few
    return {"count": len(rows), "results": [limits_out(row) for row in rows[start:start + page_size]]}


@router.put("/add-funds-limits/{currency}", response=AddFundsLimitOut, tags=LIMITS,
            summary="Set a currency's own Add Funds limits (the same figures again change nothing)",
            auth=scoped(SETTINGS_WRITE))
def set_add_funds_limits(request, currency: str, payload: AddFundsLimitIn):
    row = services.add_funds_limit_save(actor=api_actor(request), currency=currency, minimum=payload.minimum,
                                        maximum=payload.maximum, maximum_balance=payload.maximum_balance)
    return limits_out(PortalLimits(currency=row.currency, minimum=row.minimum, maximum=row.maximum,
                                   maximum_balance=row.maximum_balance, own=True))


@router.delete("/add-funds-limits/{currency}", response={204: None}, tags=LIMITS,
               summary="Remove a currency's own limits: it keeps to the defaults again", auth=scoped(SETTINGS_WRITE))
def delete_add_funds_limits(request, currency: str):
    services.add_funds_limit_delete(actor=api_actor(request), currency=currency)
    return Status(204, None)
