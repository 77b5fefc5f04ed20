"""Writes the result of a client's VIES check (SPEC §6): the status and the time it was checked."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from clientpanel.audit.services import audit_record
from clientpanel.tax.selectors import vat_member_state
from clientpanel.tax.vies import check_vat

from ..models import Client


def client_vies_check(*, client_id) -> str | None:
    """Check the client's VAT number with VIES and record VALID, INVALID or ERROR with the time.
    Runs from a job: the HTTP call happens outside any transaction, and a tax ID changed meanwhile
    is not overwritten with the old number's answer. Answers the status, or None when the client
    has no EU VAT number to check."""
    client = Client.objects.filter(pk=client_id).only("tax_id").first()
    if client is None or not vat_member_state(client.tax_id):
        return None
    status = check_vat(client.tax_id)
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=client_id)
        if locked.tax_id != client.tax_id:
            return None
        before = locked.vies_status
        locked.vies_status = status
        locked.vies_checked_at = timezone.now()
        locked.save(update_fields=["vies_status", "vies_checked_at", "updated_at"])
        audit_record(action="client.vies_check", target=locked, client_id=locked.pk,
                     changes={"vies_status": [before, status]})
    return status
