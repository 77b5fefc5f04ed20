"""Proformas, invoices and credit notes (SPEC §7): issue with gap-free numbers, payments that move
the ledger exactly once, final invoices, cancellations and credit notes."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record
from clientpanel.clients.models import Address, AddressType, Client
from clientpanel.clients.selectors import client_tax_decision, clients_visible_to, effective_setting
from clientpanel.core.errors import Conflict, FieldErrors, NotFound, ValidationFailed, require
from clientpanel.core.events import publish
from clientpanel.core.locks import lock_one
from clientpanel.core.money import (
    AMOUNT_MAX,
    AmountError,
    currency_minor_unit,
    parse_amount,
    parse_currency_amount,
    round_to_minor_unit,
)
from clientpanel.core.numbering import format_number, sequence_next_dated
from clientpanel.core.text import clean_text, text_problem
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.ledger.selectors import entry_by_transaction_id
from clientpanel.ledger.services import TransactionIdUsed, entry_post
from clientpanel.tax.models import HomeCompany, ResetPeriod

from .. import policies, rules
from ..calculations import TaxLine, credit_note_tax_lines, credit_note_totals, document_totals, line_net, payment_net
from ..events import DocumentIssued, DocumentPaid, DocumentRefunded
from ..models import Document, DocumentItem, DocumentStatus, DocumentType, Payment
from ..selectors import documents_visible_to
from ..storage import store_document_pdf

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


def document_number(*, company: HomeCompany, doc_type: str) -> tuple[str, dt.datetime]:
    """The next number of the company's series for this type, and the document's issue time.

    Both come from the counter row of the company, type and period, locked in the caller's
    transaction: the issue time is the moment the counter is held, so numbers are unique,
    gap-free and rise with issue times. Nobody chooses the date: a document is dated when it is
    issued. Periods and the date in the number are the company's own days (its time zone): a
    Warsaw invoice issued at 00:30 on the 1st belongs to the new month."""
    pattern, reset = _pattern_and_reset(company, doc_type)
    zone = company.zone

    def period_of(moment: dt.datetime) -> str:
        day = moment.astimezone(zone).date()
        return {ResetPeriod.NEVER: "", ResetPeriod.YEARLY: f"{day:%Y}"}.get(reset, f"{day:%Y-%m}")

    number, issued_at = sequence_next_dated(key=f"document:{company.pk}:{doc_type}", period_of=period_of)
    return format_number(pattern, number, issued_at.astimezone(zone).date()), issued_at


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
    return {k: getattr(company, k) for k in fields} | {"time_zone": str(company.zone),
                                                     "language": company.document_language}


def _client_snapshot(client: Client) -> dict[str, Any]:
    return {"number": client.number, "display_name": client.display_name, "firstname": client.firstname,
            "lastname": client.lastname, "company_name": client.company_name, "tax_id": client.tax_id,
            "email": client.owner.email, "phone": client.phone, "vies_status": client.vies_status}


# --- input -----------------------------------------------------------------------------------

def _money_in(value: object, currency: str, errors: FieldErrors, field: str, *, places: int | None = None
              ) -> Decimal | None:
    """A positive amount with at most the currency's minor unit of decimals (or `places`)."""
    try:
        amount = (parse_currency_amount(value, currency) if places is None
                  else parse_amount(value, places=places))
    except AmountError as error:
        errors.add(field, str(error))
        return None
    if amount <= 0:
        errors.add(field, _("The amount must be more than zero."))
        return None
    return amount


def _clean_items(items: object, currency: str, errors: FieldErrors) -> list[dict[str, Any]]:
    if not isinstance(items, Sequence) or isinstance(items, str) or not items:
        errors.add("items", _("Add at least one item."))
        return []
    if len(items) > MAX_ITEMS:
        errors.add("items", _("At most %(count)d items.") % {"count": MAX_ITEMS})
        return []
    cleaned = []
    for index, item in enumerate(items):
        prefix = f"items.{index}."
        if not isinstance(item, Mapping):
            errors.add(f"items.{index}", _("Each item is an object."))
            continue
        description = item.get("description")
        if description is not None and (not isinstance(description, str) or not description.strip()
                                        or len(description) > 500):
            errors.add(prefix + "description", _("Describe the item (1 to 500 characters)."))
        elif description is not None and text_problem(description):
            errors.add(prefix + "description", text_problem(description))
        try:
            quantity = Decimal(str(item.get("quantity", "1")))
            if isinstance(item.get("quantity"), float) or not quantity.is_finite() or quantity <= 0 \
                    or quantity > MAX_QUANTITY or quantity.normalize().as_tuple().exponent < -4:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.add(prefix + "quantity", _("Use a quantity above 0, up to 1,000,000, with at most 4 decimals."))
            quantity = None
        unit_price = _money_in(item.get("unit_price"), currency, errors, prefix + "unit_price", places=4)
        if quantity is not None and unit_price is not None and quantity * unit_price > AMOUNT_MAX:
            errors.add(prefix + "unit_price", _("The line is too large."))
        cleaned.append({"description": description.strip() if isinstance(description, str) else None,
                        "quantity": quantity, "unit_price": unit_price, "is_topup": bool(item.get("is_topup")),
                        "service_id": item.get("service_id"), "period_start": item.get("period_start"),
                        "period_end": item.get("period_end")})
    return cleaned


def _visible_client(actor: ActorLike, client_id) -> Client:
    return lock_one(clients_visible_to(actor), _("Client not found."), pk=client_id)


def _locked_document(actor: ActorLike, document_id) -> Document:
    return lock_one(documents_visible_to(actor), _("Document not found."), pk=document_id)


def _tax_lines_json(lines) -> list[dict[str, str]]:
    return [{"name": t.name, "rate": str(t.rate), "amount": str(t.amount)} for t in lines]


def _issued(document: Document) -> None:
    """Render the issued document's PDF once, in the issuing transaction, and keep it with its
    SHA-256: what was issued is what is served for ever after."""
    store_document_pdf(document)
    publish(DocumentIssued(document_id=document.pk, client_id=document.client_id, type=document.type,
                           number=document.number, currency=document.currency, total=document.total))


# --- proformas -------------------------------------------------------------------------------

def proforma_issue(*, actor: ActorLike, client_id, items: object) -> Document:
    """Issue a proforma (UNPAID, numbered, dated now) with the given items; taxes and the billing
    home company follow the rules at this moment and are snapshotted. An item without a description
    is a top-up named by the home company. A document whose total is zero is not issued: nothing
    could ever pay it."""
    require(policies.can_issue_documents(as_actor(actor)), _("You are not allowed to issue documents."))
    return _proforma_issue(actor, client_id, items)


def _proforma_issue(actor: ActorLike, client_id, items: object) -> Document:
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
            raise ValidationFailed(_("The document is too large."), fields={"items": [_("The total is out of range.")]})
        if totals.total <= 0:
            zero = round_to_minor_unit(Decimal(0), client.currency)
            amount = {"amount": zero, "currency": client.currency}
            raise ValidationFailed(
                _("The document's total would be %(amount)s %(currency)s; a document is issued for more than zero.")
                % amount,
                fields={"items": [_("The items add up to %(amount)s %(currency)s once rounded to the currency; "
                                    "raise a quantity or a price.") % amount]})
        terms = int(effective_setting(client, "payment_terms_days")[0])
        shipping = client.addresses.filter(type=AddressType.SHIPPING, is_default=True).first()
        number, issued_at = document_number(company=company, doc_type=DocumentType.PROFORMA)
        document = Document.objects.create(
            client=client, home_company=company, type=DocumentType.PROFORMA, status=DocumentStatus.UNPAID,
            number=number, currency=client.currency, language=_document_language(client.language, company),
            issue_date=issued_at, due_date=issued_at + dt.timedelta(days=terms), net=totals.net, tax=totals.tax,
            total=totals.total, tax_lines=_tax_lines_json(totals.tax_lines), reverse_charge=decision.reverse_charge,
            client_snapshot=_client_snapshot(client), company_snapshot=_company_snapshot(company),
            billing_address=_address_dict(client.addresses.get(type=AddressType.BILLING)),
            shipping_address=_address_dict(shipping), created_by_id=as_actor(actor).user_id,
        )
        DocumentItem.objects.bulk_create([
            DocumentItem(document=document, position=n, description=i["description"] or company.topup_item_name,
                         quantity=i["quantity"], unit_price=i["unit_price"], net=net, is_topup=i["is_topup"],
                         service_id=i["service_id"], period_start=i["period_start"], period_end=i["period_end"])
            for n, (i, net) in enumerate(zip(cleaned, nets, strict=True), start=1)
        ])
        _issued(document)
        audit_record(action="document.issue", target=document, client_id=client.pk,
                     changes={"number": [None, document.number], "total": [None, document.total]})
    return document


def _document_language(client_language: str, company: HomeCompany) -> str:
    """Documents speak the client's language when PDF_IN_CLIENT_LANGUAGE is on, else the home company's."""
    return client_language if settings.PDF_IN_CLIENT_LANGUAGE else company.document_language


def proforma_add_funds(*, actor: ActorLike, client_id, net_amount: object) -> Document:
    """An Add Funds proforma: one taxed top-up item of the net amount, issued at once."""
    require(policies.can_add_funds(as_actor(actor), client_id), _("You are not allowed to issue documents."))
    client = clients_visible_to(actor).filter(pk=client_id).only("currency").first()
    if client is None:
        raise NotFound(_("Client not found."))
    errors = FieldErrors()
    net = _money_in(net_amount, client.currency, errors, "net_amount")
    errors.raise_if_any()
    return _proforma_issue(actor, client_id, [{"description": None, "quantity": "1", "unit_price": net,
                                               "is_topup": True}])


def _finalize(proforma: Document, paid_at: dt.datetime, actor: ActorLike) -> Document:
    """Issue the final invoice PAID with its own number, dated when it is issued (now, under the
    counter lock; never the payment's date, which is its paid date); the proforma becomes
    INVOICED. Items that are not top-ups are charged now, so the balance moves only by the
    top-ups."""
    company = proforma.home_company
    number, issued_at = document_number(company=company, doc_type=DocumentType.INVOICE)
    invoice = Document.objects.create(
        client_id=proforma.client_id, home_company=company, type=DocumentType.INVOICE, status=DocumentStatus.PAID,
        number=number, currency=proforma.currency, language=proforma.language, issue_date=issued_at,
        due_date=issued_at, paid_date=paid_at, net=proforma.net, tax=proforma.tax, total=proforma.total,
        paid_gross=proforma.total, paid_net=proforma.net, tax_lines=proforma.tax_lines,
        reverse_charge=proforma.reverse_charge, client_snapshot=proforma.client_snapshot,
        company_snapshot=proforma.company_snapshot, billing_address=proforma.billing_address,
        shipping_address=proforma.shipping_address, created_by_id=as_actor(actor).user_id,
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
    _issued(invoice)
    audit_record(action="document.invoice", target=invoice, client_id=proforma.client_id,
                 changes={"number": [None, invoice.number], "proforma": [None, proforma.number]})
    publish(DocumentPaid(document_id=proforma.pk, client_id=proforma.client_id, number=proforma.number,
                         invoice_id=invoice.pk, invoice_number=invoice.number, currency=proforma.currency,
                         total=proforma.total))
    return invoice


@dataclass(frozen=True)
class PaymentOutcome:
    """A payment and whether this call recorded it (False: the same payment was recorded before
    and nothing new was posted)."""

    payment: Payment
    created: bool

    @property
    def entry_sequence(self) -> int | None:
        return LedgerEntry.objects.filter(pk=self.payment.ledger_entry_id).values_list("sequence", flat=True).first()


def _clean_paid_at(paid_at: object, errors: FieldErrors) -> dt.datetime:
    """When the money arrived: an aware moment, not in the future. A moment without a UTC offset is
    refused rather than guessed (a gateway's local time read as UTC would move a payment by hours)."""
    now = timezone.now()
    if paid_at is None or paid_at == "":
        return now
    if not isinstance(paid_at, dt.datetime):
        errors.add("paid_at", _("Give the date and time of the payment, e.g. 2026-11-22T10:00:00+01:00."))
        return now
    if timezone.is_naive(paid_at):
        errors.add("paid_at", _("Include the time zone offset, e.g. 2026-11-22T10:00:00+01:00 or …Z for UTC."))
        return now
    if paid_at > now:
        errors.add("paid_at", _("A payment cannot be in the future."))
    return paid_at


def proforma_pay(*, actor: ActorLike, document_id, amount: object, paid_at: object = None,
                 method: object = "", transaction_id: object = "") -> PaymentOutcome:
    """Record a payment (gross) on an UNPAID proforma: a PAYMENT entry of its net part, and when
    it settles the proforma the final invoice — all in one transaction, once. The same transaction
    ID with the same amount on the same proforma, reported again or at the same time, answers the
    payment already recorded (created=False); the ID on anything else is a conflict naming it."""
    require(policies.can_record_payments(as_actor(actor)), _("You are not allowed to record payments."))
    errors = FieldErrors()
    transaction_id = _short_text(transaction_id, 100, "transaction_id", errors)
    method = _short_text(method, 50, "method", errors)
    paid_at = _clean_paid_at(paid_at, errors)
    errors.raise_if_any()
    try:
        with transaction.atomic():
            return _record_payment(actor, document_id, amount, paid_at, method, transaction_id)
    except IntegrityError:
        # Another request recorded this transaction ID between our check and our insert.
        if not transaction_id:
            raise
        with transaction.atomic():
            return _record_payment(actor, document_id, amount, paid_at, method, transaction_id)


def _short_text(value: object, limit: int, field: str, errors: FieldErrors) -> str:
    return "" if value is None else clean_text(value, field, errors, limit=limit, single_line=True)


def _payment_replay(document: Document, transaction_id: str, amount: object) -> PaymentOutcome | None:
    """The payment this transaction ID already recorded, when the request repeats it exactly;
    a Conflict naming the entry when the ID was used for something else."""
    if not transaction_id:
        return None
    existing = Payment.objects.filter(client_id=document.client_id, transaction_id=transaction_id).first()
    if existing is not None:
        same_amount = False
        with contextlib.suppress(AmountError):
            same_amount = parse_amount(amount) == existing.gross
        if existing.document_id == document.pk and same_amount:
            return PaymentOutcome(existing, created=False)
    entry = entry_by_transaction_id(client_id=document.client_id, transaction_id=transaction_id)
    if entry is not None:
        raise TransactionIdUsed.by(entry, document.currency)
    return None


def _record_payment(actor, document_id, amount, paid_at, method, transaction_id) -> PaymentOutcome:
    document = _locked_document(actor, document_id)
    replay = _payment_replay(document, transaction_id, amount)
    if replay is not None:
        return replay
    if not rules.takes_payment(document):
        if document.type != DocumentType.PROFORMA:
            raise DocumentStateError(_("Payments are recorded on proformas."),
                                     fields={"document": [_("Not a proforma.")]})
        raise DocumentStateError(_("This proforma is %(status)s; it takes no payment.") % {"status": document.status},
                                 fields={"amount": [_("The proforma is %(status)s.") % {"status": document.status}]})
    errors = FieldErrors()
    gross = _money_in(amount, document.currency, errors, "amount")
    if paid_at < document.issue_date:
        issued = timezone.localtime(document.issue_date, document.home_company.zone)
        errors.add("paid_at", _("The proforma was issued on %(issued)s; a payment for it cannot be earlier.")
                   % {"issued": f"{issued:%Y-%m-%d %H:%M}"})
    errors.raise_if_any()
    remaining_gross = document.total - document.paid_gross
    if gross > remaining_gross:
        due = {"amount": remaining_gross, "currency": document.currency}
        raise ValidationFailed(_("Overpayment: %(amount)s %(currency)s is due.") % due,
                               fields={"amount": [_("At most %(amount)s %(currency)s is due.") % due]})
    total_rate = sum((Decimal(t["rate"]) for t in document.tax_lines), Decimal("0"))
    net = payment_net(gross=gross, total_rate=total_rate, remaining_gross=remaining_gross,
                      remaining_net=document.net - document.paid_net,
                      minor_unit=Decimal(1).scaleb(-currency_minor_unit(document.currency)))
    entry, created = entry_post(client_id=document.client_id, type=EntryType.PAYMENT, net=net, gross=gross,
                                transaction_id=transaction_id, document_id=document.pk,
                                description=f"Payment for {document.number}")
    if not created:  # another request took the ID for another document meanwhile
        raise TransactionIdUsed.by(entry, document.currency)
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
    return PaymentOutcome(payment, created=True)


def proforma_cancel(*, actor: ActorLike, document_id) -> Document:
    """Cancel a draft or unpaid proforma that has received nothing yet."""
    require(policies.can_cancel_documents(as_actor(actor)), _("You are not allowed to cancel documents."))
    with transaction.atomic():
        document = _locked_document(actor, document_id)
        if not rules.can_be_cancelled(document):
            if rules.takes_payment(document):  # unpaid, but something was received already
                raise DocumentStateError(_("This proforma has received payments; it cannot be cancelled."),
                                         fields={"status": [_("Partly paid.")]})
            raise DocumentStateError(_("Only a draft or unpaid proforma can be cancelled; this one is %(status)s.")
                                     % {"status": document.status}, fields={"status": [document.status]})
        document.status = DocumentStatus.CANCELLED
        document.save(update_fields=["status"])
        audit_record(action="document.cancel", target=document, client_id=document.client_id,
                     changes={"status": [DocumentStatus.UNPAID, DocumentStatus.CANCELLED]})
    return document


# --- credit notes ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CreditNoteOutcome:
    note: Document
    created: bool


def credit_note_issue(*, actor: ActorLike, invoice_id, net_amount: object,
                      transaction_id: object = "") -> CreditNoteOutcome:
    """Refund a net amount of a paid invoice, up to what is paid and not yet refunded, with the
    invoice's own rates and home company (never today's rules). Per rate the tax refunded never
    exceeds the tax invoiced, and the note that completes the refund takes exactly the rest. The
    credit note's amounts are negative; a REFUND entry posts −net / −gross; the invoice becomes
    (PARTIALLY_)REFUNDED. Refunding items that were charged when the invoice was paid (anything
    but top-ups) reverses their charge too, so the balance ends where it stood before they were
    bought: a note refunds charged items first, top-ups last."""
    require(policies.can_issue_credit_notes(as_actor(actor)), _("You are not allowed to issue credit notes."))
    errors = FieldErrors()
    transaction_id = _short_text(transaction_id, 100, "transaction_id", errors)
    errors.raise_if_any()
    with transaction.atomic():
        invoice = _locked_document(actor, invoice_id)
        errors = FieldErrors()
        net = _money_in(net_amount, invoice.currency, errors, "net_amount")
        errors.raise_if_any()
        replay = _credit_note_replay(invoice, transaction_id, net)
        if replay is not None:
            return replay
        if not rules.can_be_credited(invoice):
            raise DocumentStateError(_("Credit notes refund paid invoices with net left to refund."),
                                     fields={"invoice": [invoice.status]})
        refundable = invoice.net - invoice.refunded_net
        if net > refundable:
            left = {"amount": refundable, "currency": invoice.currency}
            raise ValidationFailed(_("At most %(amount)s %(currency)s net can still be refunded.") % left,
                                   fields={"net_amount": [_("At most %(amount)s %(currency)s.") % left]})
        earlier = list(invoice.derived.filter(type=DocumentType.CREDIT_NOTE).values_list("tax_lines", flat=True))
        invoiced = [TaxLine(t["name"], Decimal(t["rate"]), Decimal(t["amount"])) for t in invoice.tax_lines]
        refunded_before = [-sum((Decimal(lines[i]["amount"]) for lines in earlier if i < len(lines)), Decimal(0))
                           for i in range(len(invoiced))]
        lines = credit_note_tax_lines(invoiced=invoiced, refunded_net_after=invoice.refunded_net + net,
                                      invoice_net=invoice.net, refunded_tax_before=refunded_before,
                                      currency=invoice.currency)
        totals = credit_note_totals(net, lines)
        number, issued_at = document_number(company=invoice.home_company, doc_type=DocumentType.CREDIT_NOTE)
        note = Document.objects.create(
            client_id=invoice.client_id, home_company_id=invoice.home_company_id, type=DocumentType.CREDIT_NOTE,
            status=DocumentStatus.REFUNDED, currency=invoice.currency, language=invoice.language,
            number=number, issue_date=issued_at, due_date=issued_at, paid_date=issued_at, net=totals.net,
            tax=totals.tax, total=totals.total, tax_lines=_tax_lines_json(totals.tax_lines),
            reverse_charge=invoice.reverse_charge, client_snapshot=invoice.client_snapshot,
            company_snapshot=invoice.company_snapshot, billing_address=invoice.billing_address,
            shipping_address=invoice.shipping_address, related=invoice, created_by_id=as_actor(actor).user_id,
        )
        DocumentItem.objects.create(document=note, position=1, quantity=Decimal("1"), unit_price=-net, net=-net,
                                    description=f"{invoice.company_snapshot.get('refund_item_name') or 'Refund'} "
                                                f"({invoice.number})")
        entry, created = entry_post(client_id=invoice.client_id, type=EntryType.REFUND, net=-net, gross=totals.total,
                                    transaction_id=transaction_id, document_id=note.pk,
                                    description=f"Refund {note.number} for {invoice.number}")
        if not created:
            raise TransactionIdUsed.by(entry, invoice.currency)
        reversal = _charge_reversal(invoice, net)
        if reversal > 0:
            entry_post(client_id=invoice.client_id, type=EntryType.ADJUSTMENT, net=reversal, document_id=note.pk,
                       description=f"Charge reversed by {note.number} for items of {invoice.number}")
        invoice.refunded_net += net
        invoice.status = DocumentStatus.REFUNDED if invoice.refunded_net == invoice.net else \
            DocumentStatus.PARTIALLY_REFUNDED
        invoice.save(update_fields=["refunded_net", "status"])
        _issued(note)
        publish(DocumentRefunded(document_id=invoice.pk, client_id=invoice.client_id, number=invoice.number,
                                 credit_note_id=note.pk, credit_note_number=note.number, currency=invoice.currency,
                                 refunded_total=-note.total, status=invoice.status))
        audit_record(action="document.credit_note", target=note, client_id=invoice.client_id,
                     changes={"number": [None, note.number], "invoice": [None, invoice.number],
                              "net": [None, str(totals.net)], "charge_reversed": [None, str(reversal) if reversal
                                                                                    else None]})
    return CreditNoteOutcome(note, created=True)


def _charge_reversal(invoice: Document, net: Decimal) -> Decimal:
    """How much of the invoice's charged items (not top-ups) this refund of `net` gives back: the
    charged part is refunded first, so a refund never takes from the balance what the client
    bought with it."""
    charged = sum((i.net for i in invoice.items.all() if not i.is_topup), Decimal(0))
    before = min(invoice.refunded_net, charged)
    return min(invoice.refunded_net + net, charged) - before


def _credit_note_replay(invoice: Document, transaction_id: str, net: Decimal) -> CreditNoteOutcome | None:
    if not transaction_id:
        return None
    entry = entry_by_transaction_id(client_id=invoice.client_id, transaction_id=transaction_id)
    if entry is None:
        return None
    note = Document.objects.filter(pk=entry.document_id, type=DocumentType.CREDIT_NOTE).first()
    if entry.type == EntryType.REFUND and note is not None and note.related_id == invoice.pk and -note.net == net:
        return CreditNoteOutcome(note, created=False)
    raise TransactionIdUsed.by(entry, invoice.currency)
