"""Writes the result of a client's VIES check (SPEC §6): the status and the time it was checked."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from clientpanel.audit.services import audit_record
from clientpanel.core.events import publish
from clientpanel.tax.selectors import EU_COUNTRIES, vat_member_state
from clientpanel.tax.vies import check_vat_with_reason

from ..events import ClientUpdated
from ..models import Client


def vies_checkable(client: Client) -> bool:
    """VIES knows the VAT numbers of EU businesses only: a client billed in an EU country with an
    EU VAT number (its tax ID starts with a member state's prefix)."""
    return bool(client.tax_id) and client.billing_country in EU_COUNTRIES and bool(vat_member_state(client.tax_id))


def client_vies_check(*, client_id) -> str | None:
    """Check the client's VAT number with VIES and record VALID, INVALID or ERROR with the time.
    Runs from a job: the HTTP call happens outside any transaction, and a tax ID changed meanwhile
    is not overwritten with the old number's answer. A changed status is published (client.updated):
    it is in the client's payload. Answers the status, or None when the client has no EU VAT number
    to check."""
    client = Client.objects.filter(pk=client_id).only("tax_id", "billing_country").first()
    if client is None or not vies_checkable(client):
        return None
    status, reason = check_vat_with_reason(client.tax_id)
    with transaction.atomic():
        locked = Client.objects.select_for_update(no_key=True).get(pk=client_id)
        if locked.tax_id != client.tax_id:
            return None
        before = locked.vies_status
        locked.vies_status = status
        locked.vies_checked_at = timezone.now()
        locked.vies_error = reason
        locked.save(update_fields=["vies_status", "vies_checked_at", "vies_error", "updated_at"])
        changes = {"vies_status": [before, status]} | ({"vies_error": ["", reason]} if reason else {})
        audit_record(action="client.vies_check", target=locked, client_id=locked.pk, changes=changes)
        if status != before:  # the client's vies_status, which decides reverse charge (SPEC §6)
            publish(ClientUpdated(client_id=locked.pk, fields=("vies_status",)))
    return status
