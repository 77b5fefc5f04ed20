"""Writes of e-invoices: the structured file of an issued invoice or credit note, made once in the
issuing transaction (subscribers.py) — or, when it cannot be made (a missing exchange rate, a
seller without a tax number), the reason, and made on staff's request once that is put right;
the KSeF number staff record after sending the file themselves; a home company's format; the
exchange rates for foreign-currency VAT."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record
from clientpanel.core.errors import Conflict, FieldErrors, NotFound, ValidationFailed, require
from clientpanel.core.locks import lock_one
from clientpanel.invoicing.models import Document, DocumentType
from clientpanel.invoicing.selectors import documents_visible_to
from clientpanel.invoicing.storage import stored_pdf
from clientpanel.tax.models import HomeCompany

from . import policies
from .building import einvoice_input
from .exporters import CannotExport, get_exporter
from .models import EInvoice, EInvoiceProfile, EInvoiceStatus, VatExchangeRate
from .rates import tax_currency, vat_rate_for

log = logging.getLogger(__name__)

E_INVOICED = (DocumentType.INVOICE, DocumentType.CREDIT_NOTE)
# Formats that must carry the VAT in the tax currency: without the rate they cannot be made.
NEEDS_TAX_CURRENCY_RATE = {"ksef_fa3"}
KSEF_NUMBER = re.compile(r"^(\d{10})-(\d{8})-([0-9A-F]{12})-([0-9A-F]{2})$")


def _storage():
    return storages["documents"]


def profile_of(company_id) -> EInvoiceProfile | None:
    return EInvoiceProfile.objects.filter(home_company_id=company_id).exclude(format="").first()


def einvoice_make(document: Document) -> EInvoice | None:
    """Write the document's e-invoice in its home company's format, in the caller's transaction
    (the issuing one, or staff's "Make it again"). One already made is answered as it is: issued
    documents, and so their files, never change. None when the company issues no e-invoices."""
    if document.type not in E_INVOICED or not document.number:
        return None
    existing = EInvoice.objects.select_for_update().filter(document=document).first()
    if existing is not None and existing.status != EInvoiceStatus.FAILED:
        return existing
    profile = profile_of(document.home_company_id)
    if profile is None:
        return existing
    try:
        content = _export(document, profile.format)
        extension = get_exporter(profile.format).extension
        issued = document.issue_date or timezone.now()
        name = _storage().save(f"{issued:%Y/%m}/{document.pk}.{profile.format}.{extension}", ContentFile(content))
    except CannotExport as reason:
        return _keep(document, existing, format=profile.format, status=EInvoiceStatus.FAILED, error=str(reason)[:500])
    except Exception:  # an exporter's bug or a storage that refuses: never the issuing of the invoice itself
        log.exception("e-invoice %s of %s could not be made", profile.format, document.number)
        return _keep(document, existing, format=profile.format, status=EInvoiceStatus.FAILED,
                     error=_("The e-invoice could not be made because of an error on our side (it is logged); "
                             "try again later, and tell the administrator if it keeps failing."))
    return _keep(document, existing, format=profile.format, status=EInvoiceStatus.MADE, file_name=name,
                 sha256=hashlib.sha256(content).hexdigest(), error="")


def _export(document: Document, format_key: str) -> bytes:
    exporter = get_exporter(format_key)
    seller_country = str(document.company_snapshot.get("country") or "")
    to_currency = tax_currency(seller_country)
    rate = None
    if to_currency and document.currency != to_currency:
        issue_day = timezone.localtime(document.issue_date).date() if document.issue_date else timezone.localdate()
        day, rate = vat_rate_for(currency=document.currency, to_currency=to_currency, issue_day=issue_day)
        if rate is None and format_key in NEEDS_TAX_CURRENCY_RATE:
            raise CannotExport(_("Enter the %(to)s rate of %(currency)s for %(day)s (the NBP average rate of the last "
                                 "working day before the issue) under Finance → Tax exchange rates, then make the "
                                 "e-invoice again.") % {"to": to_currency, "currency": document.currency,
                                                        "day": day.isoformat()})
    corrected_ksef = ""
    if document.type == DocumentType.CREDIT_NOTE and document.related_id:
        corrected_ksef = EInvoice.objects.filter(document_id=document.related_id).values_list(
            "ksef_number", flat=True).first() or ""
    data = einvoice_input(document, exchange_rate=rate, corrected_ksef_number=corrected_ksef)
    content = exporter.export(data, pdf=stored_pdf(document) if exporter.extension == "pdf" else None)
    problems = exporter.validate(content)
    if problems:
        # Our mapping's fault, not staff's: logged whole, shown short.
        log.error("e-invoice %s of %s does not validate: %s", format_key, document.number, problems)
        raise CannotExport(_("The file does not pass the format's schema: %(problem)s") % {"problem": problems[0]})
    return content


def _keep(document: Document, existing: EInvoice | None, **fields) -> EInvoice:
    if existing is None:
        return EInvoice.objects.create(document=document, **fields)
    for name, value in fields.items():
        setattr(existing, name, value)
    existing.save()
    return existing


def einvoice_make_again(*, actor: ActorLike, document_id) -> EInvoice:
    """Staff ask again for an e-invoice that could not be made (the rate entered, the company's tax
    number fixed); one already made is never made again."""
    actor = as_actor(actor)
    require(policies.can_manage_einvoices(actor), _("You are not allowed to manage e-invoices."))
    with transaction.atomic():
        document = lock_one(documents_visible_to(actor).select_related("related"), _("Document not found."),
                            pk=document_id)
        if document.type not in E_INVOICED or not document.number:
            raise Conflict(_("Only issued invoices and credit notes have e-invoices."))
        if profile_of(document.home_company_id) is None:
            raise Conflict(_("The document's home company issues no e-invoices; choose a format under Settings → "
                             "Home companies first."))
        before = EInvoice.objects.filter(document=document).values_list("status", flat=True).first()
        if before not in (None, EInvoiceStatus.FAILED):
            raise Conflict(_("This document's e-invoice is made already; it never changes."))
        einvoice = einvoice_make(document)
        audit_record(action="einvoice.make", target=document, client_id=document.client_id,
                     changes={"status": [before, einvoice.status if einvoice else None]})
    return einvoice


class StoredEInvoiceMismatch(Conflict):
    code = "stored_einvoice_mismatch"


def einvoice_content(einvoice: EInvoice) -> bytes:
    """The file made at issue, checked against its SHA-256."""
    if einvoice.status == EInvoiceStatus.FAILED or not einvoice.file_name:
        raise NotFound(_("This e-invoice could not be made: %(reason)s") % {"reason": einvoice.error})
    with _storage().open(einvoice.file_name, "rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != einvoice.sha256:
        raise StoredEInvoiceMismatch(_("The stored e-invoice no longer matches the SHA-256 recorded when it was made; "
                                       "restore the file from a backup."))
    return content


def einvoice_ksef_number_record(*, actor: ActorLike, document_id, ksef_number: object) -> EInvoice:
    """Staff sent the file to KSeF themselves (offline mode) and type the number KSeF gave it: its
    shape is checked, and its tax number must be the seller's. Recorded once; a typo is corrected by
    recording the right number, which the audit trail keeps beside the wrong one."""
    actor = as_actor(actor)
    require(policies.can_manage_einvoices(actor), _("You are not allowed to manage e-invoices."))
    number = str(ksef_number or "").strip().upper()
    match = KSEF_NUMBER.match(number)
    message = _("A KSeF number reads like 5265877635-20261122-0100A0B1C2D3-4F: the seller's NIP, the day, twelve "
                "and two characters 0–9, A–F.")
    if not match:
        raise ValidationFailed(message, fields={"ksef_number": [message]})
    try:
        dt.datetime.strptime(match.group(2), "%Y%m%d")
    except ValueError:
        raise ValidationFailed(message, fields={"ksef_number": [message]}) from None
    with transaction.atomic():
        document = lock_one(documents_visible_to(actor), _("Document not found."), pk=document_id)
        einvoice = EInvoice.objects.select_for_update().filter(document=document).first()
        if einvoice is None or einvoice.status == EInvoiceStatus.FAILED or einvoice.format != "ksef_fa3":
            raise Conflict(_("Only a document with a KSeF e-invoice made can have a KSeF number."))
        seller_nip = re.sub(r"\D", "", str(document.company_snapshot.get("local_tax_id") or ""))[-10:]
        if match.group(1) != seller_nip:
            wrong = _("This KSeF number names the tax number %(nip)s; the seller's is %(seller)s.") % {
                "nip": match.group(1), "seller": seller_nip or "?"}
            raise ValidationFailed(wrong, fields={"ksef_number": [wrong]})
        before = einvoice.ksef_number or None
        einvoice.ksef_number, einvoice.status, einvoice.accepted_at = number, EInvoiceStatus.ACCEPTED, timezone.now()
        try:
            with transaction.atomic():
                einvoice.save(update_fields=["ksef_number", "status", "accepted_at", "updated_at"])
        except IntegrityError:
            taken = _("Another document already has the KSeF number %(number)s.") % {"number": number}
            raise ValidationFailed(taken, fields={"ksef_number": [taken]}) from None
        audit_record(action="einvoice.ksef_number", target=document, client_id=document.client_id,
                     changes={"ksef_number": [before, number]})
    return einvoice


# --- settings ------------------------------------------------------------------------------------

def einvoice_profile_save(*, actor: ActorLike, company_id, format_key: object) -> EInvoiceProfile:
    """Choose the e-invoice format of a home company ("" — none). Documents issued before keep
    what they had (or had not)."""
    actor = as_actor(actor)
    require(policies.can_configure_einvoices(actor), _("You are not allowed to change settings."))
    key = str(format_key or "").strip()
    if key:
        try:
            get_exporter(key)
        except CannotExport:
            message = _("Choose one of the formats offered.")
            raise ValidationFailed(message, fields={"format": [message]}) from None
    with transaction.atomic():
        company = lock_one(HomeCompany.objects.all(), _("Home company not found."), pk=company_id)
        profile, _created = EInvoiceProfile.objects.get_or_create(home_company=company)
        before = profile.format or None
        profile.format = key
        profile.save()
        audit_record(action="einvoice.profile", target=company, changes={"format": [before, key or None]})
    return profile


RATE_MAX = Decimal("1000000")


def vat_exchange_rate_save(*, actor: ActorLike, currency: object, day: object, rate: object,
                           table: object = "", to_currency: str = "PLN") -> VatExchangeRate:
    """Enter (or correct) the tax exchange rate of one currency on one day: how many units of
    `to_currency` one unit bought (NBP table A for PLN). Documents made with a rate keep it."""
    actor = as_actor(actor)
    require(policies.can_enter_vat_rates(actor), _("You are not allowed to enter exchange rates."))
    errors = FieldErrors()
    code = str(currency or "").strip().upper()
    if not (len(code) == 3 and code.isascii() and code.isalpha()) or code == to_currency:
        errors.add("currency", _("Enter a currency code such as EUR or USD (not %(to)s itself).") % {"to": to_currency})
    parsed_day = None
    try:
        parsed_day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day or "").strip())
    except ValueError:
        errors.add("day", _("Enter the day as 2026-11-20."))
    if parsed_day is not None and parsed_day > timezone.localdate():
        errors.add("day", _("A rate cannot be of a day still to come."))
    value = None
    try:
        value = Decimal(str(rate or "").strip().replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value <= 0 or value >= RATE_MAX or \
            value != value.quantize(Decimal("0.000001")):
        errors.add("rate", _("Enter the rate as a positive number with at most six decimals, e.g. 4.2345."))
    label = " ".join(str(table or "").split())
    if len(label) > 40:
        errors.add("table", _("At most 40 characters."))
    errors.raise_if_any()
    with transaction.atomic():
        found, created = VatExchangeRate.objects.select_for_update().get_or_create(
            currency=code, to_currency=to_currency, day=parsed_day,
            defaults={"rate": value, "table": label, "created_by_label": actor.label[:300]})
        before = None if created else str(found.rate)
        if not created:
            found.rate, found.table, found.created_by_label = value, label, actor.label[:300]
            found.save()
        audit_record(action="vat_exchange_rate.save", target=found,
                     changes={"rate": [before, str(value)], "day": [None, parsed_day.isoformat()],
                              "currency": [None, code]})
    return found
