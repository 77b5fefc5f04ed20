"""Proformas, invoices and credit notes (SPEC §7): issue with gap-free numbers, payments that move
the ledger exactly once, final invoices, cancellations and credit notes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from clientpanel.accounts.models import User
from clientpanel.accounts.roles import FINANCE
from clientpanel.audit.services import audit_record
from clientpanel.clients.models import Address, AddressType, Client
from clientpanel.clients.selectors import client_tax_decision, clients_visible_to, effective_setting
from clientpanel.clients.services import require_area
from clientpanel.core.errors import Conflict, FieldErrors, NotFound, ValidationFailed
from clientpanel.core.money import AMOUNT_MAX, AmountError, currency_minor_unit, parse_amount
from clientpanel.core.numbering import format_number, sequence_next
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post
from clientpanel.tax.models import HomeCompany, ResetPeriod

from .calculations import credit_note_totals, document_totals, line_net, payment_net
from .models import Document, DocumentItem, DocumentStatus, DocumentType, Payment

MAX_ITEMS = 100
MAX_QUANTITY = Decimal("1000000")


class DocumentStateError(Conflict):
    code = "document_state"


# --- numbering -------------------------------------------------------------------------------

def _pattern_and_reset(company: HomeCompany, doc_type: str) -> tuple[str, str]:
    return {
        DocumentType.PROFORMA: (company.proforma_pattern, company.proforma_reset),
        DocumentType.INVOICE: (company.invoice_pattern, company.invoice_reset),
        DocumentType.CREDIT_NOTE: (company.credit_note_pattern, company.credit_note_reset),
    }[doc_type]


def document_number(*, company: HomeCompany, doc_type: str, issued_at: dt.datetime | None = None
                    ) -> tuple[str, dt.datetime]:
    """The next number of the company's series for this type, from a counter row per company,
    type and period locked in the caller's transaction: unique, gap-free and in order. Without an
    issue time, the document is issued at the moment the counter is held, so numbers and issue
    times rise together."""
    pattern, reset = _pattern_and_reset(company, doc_type)
    day = timezone.localtime(issued_at or timezone.now()).date()
    period = {ResetPeriod.NEVER: "", ResetPeriod.YEARLY: f"{day:%Y}"}.get(reset, f"{day:%Y-%m}")
    number = sequence_next(key=f"document:{company.pk}:{doc_type}", period=period)
    return format_number(pattern, number, day), issued_at or timezone.now()


# --- snapshots -------------------------------------------------------------------------------

def _address_dict(address: Address | None) -> dict[str, str]:
    if address is None:
        return {}
    return {k: getattr(address, k) for k in ("name", "contact_name", "address1", "address2", "city", "postcode",
                                             "country", "region", "email", "phone")} | {"one_line": address.one_line}


def _company_snapshot(company: HomeCompany) -> dict[str, Any]:
    fields = ("name", "address1", "address2", "city", "postcode", "country", "region", "local_tax_id", "eu_vat_id",
              "registration_number", "us_ein", "us_state_id", "ca_bn", "ca_gst_hst", "ca_pst_qst", "bank_details",
              "invoice_footer", "topup_item_name", "refund_item_name")
    return {k: getattr(company, k) for k in fields}


def _client_snapshot(client: Client) -> dict[str, Any]:
    return {"number": client.number, "display_name": client.display_name, "firstname": client.firstname,
            "lastname": client.lastname, "company_name": client.company_name, "tax_id": client.tax_id,
            "email": client.owner.email, "phone": client.phone, "vies_status": client.vies_status}


# --- input -----------------------------------------------------------------------------------

def _money_in(value: object, currency: str, errors: FieldErrors, field: str, *, places: int | None = None
              ) -> Decimal | None:
    """A positive amount with at most the currency's minor unit of decimals (or `places`)."""
    places = currency_minor_unit(currency) if places is None else places
    try:
        amount = parse_amount(value, places=places)
    except AmountError as error:
        message = str(error)
        if "decimal places" in message and places == currency_minor_unit(currency):
            message = f"{currency} amounts have at most {places} decimal places."
        errors.add(field, message)
        return None
    if amount <= 0:
        errors.add(field, "The amount must be more than zero.")
        return None
    return amount


def _clean_items(items: object, currency: str, errors: FieldErrors) -> list[dict[str, Any]]:
    if not isinstance(items, Sequence) or isinstance(items, str) or not items:
        errors.add("items", "Add at least one item.")
        return []
    if len(items) > MAX_ITEMS:
        errors.add("items", f"At most {MAX_ITEMS} items.")
        return []
    cleaned = []
    for index, item in enumerate(items):
        prefix = f"items.{index}."
        if not isinstance(item, Mapping):
            errors.add(f"items.{index}", "Each item is an object.")
            continue
        description = item.get("description")
        if description is not None and (not isinstance(description, str) or not description.strip()
                                        or len(description) > 500):
            errors.add(prefix + "description", "Describe the item (1 to 500 characters).")
        try:
            quantity = Decimal(str(item.get("quantity", "1")))
            if isinstance(item.get("quantity"), float) or not quantity.is_finite() or quantity <= 0 \
                    or quantity > MAX_QUANTITY or quantity.as_tuple().exponent < -4:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.add(prefix + "quantity", "Use a quantity above 0, up to 1,000,000, with at most 4 decimals.")
            quantity = None
        unit_price = _money_in(item.get("unit_price"), currency, errors, prefix + "unit_price", places=4)
        if quantity is not None and unit_price is not None and quantity * unit_price > AMOUNT_MAX:
            errors.add(prefix + "unit_price", "The line is too large.")
        cleaned.append({"description": description.strip() if isinstance(description, str) else None,
                        "quantity": quantity, "unit_price": unit_price, "is_topup": bool(item.get("is_topup")),
                        "service_id": item.get("service_id"), "period_start": item.get("period_start"),
                        "period_end": item.get("period_end")})
    return cleaned


def _visible_client(actor: User | None, client_id) -> Client:
    clients = Client.objects if actor is None else clients_visible_to(actor)
    try:
        return clients.select_for_update().get(pk=client_id)
    except (Client.DoesNotExist, ValueError, TypeError):
        raise NotFound("Client not found.") from None


def _locked_document(actor: User | None, document_id) -> Document:
    documents = Document.objects if actor is None else Document.objects.filter(
        client__in=clients_visible_to(actor))
    try:
        return documents.select_for_update().get(pk=document_id)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise NotFound("Document not found.") from None


# --- proformas -------------------------------------------------------------------------------

def proforma_issue(*, actor: User | None, client_id, items: object, issued_at: dt.datetime | None = None) -> Document:
    """Issue a proforma (UNPAID, numbered) with the given items; taxes and the billing home
    company follow the rules at this moment and are snapshotted. An item without a description
    is a top-up named by the home company."""
    require_area(actor, FINANCE, "issue documents")
    with transaction.atomic():
        client = _visible_client(actor, client_id)
        errors = FieldErrors()
        cleaned = _clean_items(items, client.currency, errors)
        errors.raise_if_any()
        decision = client_tax_decision(client)
        taxes = [] if effective_setting(client, "tax_exempt")[0] else decision.taxes
        company = decision.home_company
        nets = [line_net(i["quantity"], i["unit_price"], client.currency) for i in cleaned]
        totals = document_totals(nets, taxes, client.currency)
        if totals.total > AMOUNT_MAX:
            raise ValidationFailed("The document is too large.", fields={"items": ["The total is out of range."]})
        terms = int(effective_setting(client, "payment_terms_days")[0])
        shipping = client.addresses.filter(type=AddressType.SHIPPING, is_default=True).first()
        number, issued_at = document_number(company=company, doc_type=DocumentType.PROFORMA, issued_at=issued_at)
        document = Document.objects.create(
            client=client, home_company=company, type=DocumentType.PROFORMA, status=DocumentStatus.UNPAID,
            number=number, currency=client.currency, language=client.language, issue_date=issued_at,
            due_date=issued_at + dt.timedelta(days=terms), net=totals.net, tax=totals.tax, total=totals.total,
            tax_lines=[{"name": t.name, "rate": str(t.rate), "amount": str(t.amount)} for t in totals.tax_lines],
            reverse_charge=decision.reverse_charge, client_snapshot=_client_snapshot(client),
            company_snapshot=_company_snapshot(company),
            billing_address=_address_dict(client.addresses.get(type=AddressType.BILLING)),
            shipping_address=_address_dict(shipping), created_by=actor,
        )
        DocumentItem.objects.bulk_create([
            DocumentItem(document=document, position=n, description=i["description"] or company.topup_item_name,
                         quantity=i["quantity"], unit_price=i["unit_price"], net=net, is_topup=i["is_topup"],
                         service_id=i["service_id"], period_start=i["period_start"], period_end=i["period_end"])
            for n, (i, net) in enumerate(zip(cleaned, nets, strict=True), start=1)
        ])
        audit_record(action="document.issue", target=document, client_id=client.pk,
                     changes={"number": [None, document.number], "total": [None, document.total]})
    return document


def proforma_add_funds(*, actor: User | None, client_id, net_amount: object) -> Document:
    """An Add Funds proforma: one taxed top-up item of the net amount, issued at once."""
    require_area(actor, FINANCE, "issue documents")
    client = Client.objects.filter(pk=client_id).only("currency").first()
    if client is None:
        raise NotFound("Client not found.")
    errors = FieldErrors()
    net = _money_in(net_amount, client.currency, errors, "net_amount")
    errors.raise_if_any()
    return proforma_issue(actor=actor, client_id=client_id,
                          items=[{"description": None, "quantity": "1", "unit_price": net, "is_topup": True}])


def _finalize(proforma: Document, paid_at: dt.datetime, actor: User | None) -> Document:
    """Issue the final invoice PAID with its own number; the proforma becomes INVOICED. Items that
    are not top-ups are charged now, so the balance moves only by the top-ups."""
    company = proforma.home_company
    number, _ = document_number(company=company, doc_type=DocumentType.INVOICE, issued_at=paid_at)
    invoice = Document.objects.create(
        client_id=proforma.client_id, home_company=company, type=DocumentType.INVOICE, status=DocumentStatus.PAID,
        number=number,
        currency=proforma.currency, language=proforma.language, issue_date=paid_at, due_date=paid_at,
        paid_date=paid_at, net=proforma.net, tax=proforma.tax, total=proforma.total, paid_gross=proforma.total,
        paid_net=proforma.net, tax_lines=proforma.tax_lines, reverse_charge=proforma.reverse_charge,
        client_snapshot=proforma.client_snapshot, company_snapshot=proforma.company_snapshot,
        billing_address=proforma.billing_address, shipping_address=proforma.shipping_address, created_by=actor,
    )
    items = list(proforma.items.all())
    DocumentItem.objects.bulk_create([
        DocumentItem(document=invoice, position=i.position, description=i.description, quantity=i.quantity,
                     unit_price=i.unit_price, net=i.net, is_topup=i.is_topup, service_id=i.service_id,
                     period_start=i.period_start, period_end=i.period_end) for i in items])
    for item in items:
        if not item.is_topup and item.net > 0:
            entry_post(client_id=proforma.client_id, type=EntryType.CHARGE, net=-item.net, document_id=invoice.pk,
                       description=f"{item.description} ({invoice.number})", service_id=item.service_id,
                       period_start=item.period_start, period_end=item.period_end)
    proforma.status = DocumentStatus.INVOICED
    proforma.paid_date = paid_at
    proforma.related = invoice
    proforma.save(update_fields=["status", "paid_date", "related"])
    audit_record(action="document.invoice", target=invoice, client_id=proforma.client_id,
                 changes={"number": [None, invoice.number], "proforma": [None, proforma.number]})
    return invoice


def proforma_pay(*, actor: User | None, document_id, amount: object, paid_at: dt.datetime | None = None,
                 method: str = "", transaction_id: str = "") -> Payment:
    """Record a payment (gross) on an UNPAID proforma: a PAYMENT entry of its net part, and when
    it settles the proforma the final invoice — all in one transaction, once: the same transaction
    ID reported again (or at the same time) answers the payment already recorded."""
    require_area(actor, FINANCE, "record payments")
    paid_at = paid_at or timezone.now()
    transaction_id = (transaction_id or "").strip()
    method = (method or "").strip()
    errors = FieldErrors()
    if len(transaction_id) > 100:
        errors.add("transaction_id", "At most 100 characters.")
    if len(method) > 50:
        errors.add("method", "At most 50 characters.")
    if paid_at > timezone.now() + dt.timedelta(minutes=5):
        errors.add("paid_at", "A payment cannot be in the future.")
    errors.raise_if_any()
    try:
        with transaction.atomic():
            return _record_payment(actor, document_id, amount, paid_at, method, transaction_id)
    except IntegrityError:
        existing = _payment_by_transaction(document_id, transaction_id)
        if existing is None:
            raise
        return existing


def _payment_by_transaction(document_id, transaction_id: str) -> Payment | None:
    if not transaction_id:
        return None
    document = Document.objects.filter(pk=document_id).only("client_id").first()
    if document is None:
        return None
    return Payment.objects.filter(client_id=document.client_id, transaction_id=transaction_id).first()


def _record_payment(actor, document_id, amount, paid_at, method, transaction_id) -> Payment:
    document = _locked_document(actor, document_id)
    existing = _payment_by_transaction(document.pk, transaction_id)
    if existing is not None:
        if existing.document_id != document.pk:
            raise Conflict("This transaction ID was recorded for another document.",
                           fields={"transaction_id": ["Already used for another document."]})
        return existing
    if document.type != DocumentType.PROFORMA:
        raise DocumentStateError("Payments are recorded on proformas.", fields={"document": ["Not a proforma."]})
    if document.status != DocumentStatus.UNPAID:
        raise DocumentStateError(f"A {document.get_status_display().lower()} proforma takes no payment.",
                                 fields={"amount": [f"The proforma is {document.status}."]})
    errors = FieldErrors()
    gross = _money_in(amount, document.currency, errors, "amount")
    errors.raise_if_any()
    remaining_gross = document.total - document.paid_gross
    if gross > remaining_gross:
        raise ValidationFailed(f"Overpayment: {remaining_gross} {document.currency} is due.",
                               fields={"amount": [f"At most {remaining_gross} {document.currency} is due."]})
    total_rate = sum((Decimal(t["rate"]) for t in document.tax_lines), Decimal("0"))
    net = payment_net(gross=gross, total_rate=total_rate, remaining_gross=remaining_gross,
                      remaining_net=document.net - document.paid_net)
    entry, created = entry_post(client_id=document.client_id, type=EntryType.PAYMENT, net=net, gross=gross,
                                transaction_id=transaction_id, document_id=document.pk,
                                description=f"Payment for {document.number}")
    if not created:
        raise Conflict("This transaction ID is on another ledger entry of the client already.",
                       fields={"transaction_id": ["Already used in the client's ledger."]})
    payment = Payment.objects.create(document=document, client_id=document.client_id, gross=gross, net=net,
                                     method=method, transaction_id=transaction_id, paid_at=paid_at,
                                     ledger_entry_id=entry.pk)
    document.paid_gross += gross
    document.paid_net += net
    document.save(update_fields=["paid_gross", "paid_net"])
    audit_record(action="document.payment", target=document, client_id=document.client_id,
                 changes={"paid": [str(document.paid_gross - gross), str(document.paid_gross)],
                          "transaction_id": [None, transaction_id or None]})
    if document.paid_gross == document.total:
        _finalize(document, paid_at, actor)
    return payment


def proforma_cancel(*, actor: User | None, document_id) -> Document:
    """Cancel a draft or unpaid proforma that has received nothing yet."""
    require_area(actor, FINANCE, "cancel documents")
    with transaction.atomic():
        document = _locked_document(actor, document_id)
        if document.type != DocumentType.PROFORMA or document.status not in (DocumentStatus.DRAFT,
                                                                              DocumentStatus.UNPAID):
            raise DocumentStateError(f"Only a draft or unpaid proforma can be cancelled; this one is "
                                     f"{document.status}.", fields={"status": [document.status]})
        if document.paid_gross > 0:
            raise DocumentStateError("This proforma has received payments; it cannot be cancelled.",
                                     fields={"status": ["Partly paid."]})
        document.status = DocumentStatus.CANCELLED
        document.save(update_fields=["status"])
        audit_record(action="document.cancel", target=document, client_id=document.client_id,
                     changes={"status": [DocumentStatus.UNPAID, DocumentStatus.CANCELLED]})
    return document


# --- credit notes ------------------------------------------------------------------------------

def credit_note_issue(*, actor: User | None, invoice_id, net_amount: object, transaction_id: str = "",
                      issued_at: dt.datetime | None = None) -> Document:
    """Refund a net amount of a paid invoice, up to what is paid and not yet refunded, with the
    invoice's own rates and home company (never today's rules). The credit note's amounts are
    negative; a REFUND entry posts −net / −gross; the invoice becomes (PARTIALLY_)REFUNDED."""
    require_area(actor, FINANCE, "issue credit notes")
    transaction_id = (transaction_id or "").strip()
    with transaction.atomic():
        invoice = _locked_document(actor, invoice_id)
        if invoice.type != DocumentType.INVOICE or invoice.status not in (DocumentStatus.PAID,
                                                                          DocumentStatus.PARTIALLY_REFUNDED):
            raise DocumentStateError("Credit notes refund paid invoices.", fields={"invoice": [invoice.status]})
        errors = FieldErrors()
        net = _money_in(net_amount, invoice.currency, errors, "net_amount")
        if len(transaction_id) > 100:
            errors.add("transaction_id", "At most 100 characters.")
        errors.raise_if_any()
        refundable = invoice.net - invoice.refunded_net
        if net > refundable:
            raise ValidationFailed(f"At most {refundable} {invoice.currency} net can still be refunded.",
                                   fields={"net_amount": [f"At most {refundable} {invoice.currency}."]})
        rates = [(t["name"], Decimal(t["rate"])) for t in invoice.tax_lines]
        totals = credit_note_totals(net, rates, invoice.currency)
        number, issued_at = document_number(company=invoice.home_company, doc_type=DocumentType.CREDIT_NOTE,
                                            issued_at=issued_at)
        note = Document.objects.create(
            client_id=invoice.client_id, home_company_id=invoice.home_company_id, type=DocumentType.CREDIT_NOTE,
            status=DocumentStatus.REFUNDED, currency=invoice.currency, language=invoice.language,
            number=number,
            issue_date=issued_at, due_date=issued_at, paid_date=issued_at, net=totals.net, tax=totals.tax,
            total=totals.total,
            tax_lines=[{"name": t.name, "rate": str(t.rate), "amount": str(t.amount)} for t in totals.tax_lines],
            reverse_charge=invoice.reverse_charge, client_snapshot=invoice.client_snapshot,
            company_snapshot=invoice.company_snapshot, billing_address=invoice.billing_address,
            shipping_address=invoice.shipping_address, related=invoice, created_by=actor,
        )
        DocumentItem.objects.create(document=note, position=1, quantity=Decimal("1"), unit_price=-net, net=-net,
                                    description=f"{invoice.company_snapshot.get('refund_item_name') or 'Refund'} "
                                                f"({invoice.number})")
        _entry, created = entry_post(client_id=invoice.client_id, type=EntryType.REFUND, net=-net, gross=totals.total,
                                    transaction_id=transaction_id, document_id=note.pk,
                                    description=f"Refund {note.number} for {invoice.number}")
        if not created:
            raise Conflict("This transaction ID is on another ledger entry of the client already.",
                           fields={"transaction_id": ["Already used in the client's ledger."]})
        invoice.refunded_net += net
        invoice.status = DocumentStatus.REFUNDED if invoice.refunded_net == invoice.net else \
            DocumentStatus.PARTIALLY_REFUNDED
        invoice.save(update_fields=["refunded_net", "status"])
        audit_record(action="document.credit_note", target=note, client_id=invoice.client_id,
                     changes={"number": [None, note.number], "invoice": [None, invoice.number],
                              "net": [None, str(totals.net)]})
    return note

