"""Staff's writes of e-invoices: make one again that could not be made, send a KSeF one (again),
record the KSeF number of a file staff sent to KSeF themselves. The making itself is in making.py,
the stored files in storage.py."""

from __future__ import annotations

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record
from clientpanel.core.errors import Conflict, ValidationFailed, require
from clientpanel.core.locks import lock_one
from clientpanel.invoicing.selectors import documents_visible_to

from . import policies
from .building import local_day
from .making import credit_notes_waiting_for, einvoice_make, profile_of
from .models import EInvoice, EInvoiceStatus
from .reasons import error_columns
from .rules import einvoice_makeable
from .sending import sends_through_api

KSEF_NUMBER = re.compile(r"^(\d{10})-(\d{8})-([0-9A-F]{12})-([0-9A-F]{2})$")


def einvoice_make_again(*, actor: ActorLike, document_id) -> EInvoice:
    """Staff ask again for an e-invoice that could not be made (the rate entered, the company's tax
    number fixed), or for one of a document issued before a format applied to it; one already made is
    never made again. Refused with rules.einvoice_makeable's reason, the one the document's page shows."""
    actor = as_actor(actor)
    require(policies.can_manage_einvoices(actor), _("You are not allowed to manage e-invoices."))
    with transaction.atomic():
        document = lock_one(documents_visible_to(actor).select_related("related"), _("Document not found."),
                            pk=document_id)
        existing = EInvoice.objects.select_for_update().filter(document=document).first()
        makeable = einvoice_makeable(document, existing)
        if not makeable:
            raise Conflict(makeable.reason)
        before = existing.status if existing is not None else None
        einvoice = einvoice_make(document)
        audit_record(action="einvoice.make", target=document, client_id=document.client_id,
                     changes={"status": [before, einvoice.status if einvoice else None]})
    return einvoice


def einvoice_send_again(*, actor: ActorLike, document_id) -> EInvoice:
    """Staff send a KSeF e-invoice (again): one rejected by KSeF once the cause is put right, one
    whose sending gave up (KSeF out of reach for a day), one made before the company sent through
    the API. Accepted ones are never sent again."""
    actor = as_actor(actor)
    require(policies.can_manage_einvoices(actor), _("You are not allowed to manage e-invoices."))
    with transaction.atomic():
        document = lock_one(documents_visible_to(actor), _("Document not found."), pk=document_id)
        einvoice = EInvoice.objects.select_for_update().filter(document=document).first()
        if einvoice is None or einvoice.format != "ksef_fa3" or \
                einvoice.status not in (EInvoiceStatus.MADE, EInvoiceStatus.REJECTED, EInvoiceStatus.SENDING):
            raise Conflict(_("Only a KSeF e-invoice that is made and not accepted can be sent."))
        if not sends_through_api(profile_of(document.home_company_id)):
            raise Conflict(_("The company sends its e-invoices to KSeF itself (offline); choose a KSeF environment "
                             "under Settings → Home companies first."))
        before = einvoice.status
        # A new send, not another question about the old one (KSeF refused to answer it, or said
        # no); had KSeF taken the file after all, its duplicate answer names the number.
        einvoice.status, einvoice.session_reference, einvoice.invoice_reference = EInvoiceStatus.MADE, "", ""
        einvoice.attempts, einvoice.next_attempt_at = 0, timezone.now()
        einvoice.error, einvoice.error_code, einvoice.error_params = "", "", None
        einvoice.save()
        audit_record(action="einvoice.send", target=document, client_id=document.client_id,
                     changes={"status": [before, einvoice.status]})
    return einvoice


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
        accepted_day = dt.datetime.strptime(match.group(2), "%Y%m%d").date()
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
        issued_day = local_day(document, document.issue_date)
        if (issued_day and accepted_day < issued_day) or accepted_day > timezone.localdate() + dt.timedelta(days=1):
            wrong = _("The day in this KSeF number (%(day)s) is before the document was issued or still to come.") % {
                "day": accepted_day.isoformat()}
            raise ValidationFailed(wrong, fields={"ksef_number": [wrong]})
        before = einvoice.ksef_number or None
        einvoice.ksef_number, einvoice.status, einvoice.accepted_at = number, EInvoiceStatus.ACCEPTED, timezone.now()
        einvoice.next_attempt_at = None  # recorded by hand: the sending job has nothing more to do
        # Accepted now: an earlier refusal or failure to reach KSeF no longer describes it (the audit
        # trail keeps the history).
        for column, value in error_columns(None).items():
            setattr(einvoice, column, value)
        try:
            with transaction.atomic():
                einvoice.save(update_fields=["ksef_number", "status", "accepted_at", "next_attempt_at",
                                             "error", "error_code", "error_params", "updated_at"])
        except IntegrityError:
            taken = _("Another document already has the KSeF number %(number)s.") % {"number": number}
            raise ValidationFailed(taken, fields={"ksef_number": [taken]}) from None
        audit_record(action="einvoice.ksef_number", target=document, client_id=document.client_id,
                     changes={"ksef_number": [before, number]})
        credit_notes_waiting_for(document.pk)
    return einvoice
