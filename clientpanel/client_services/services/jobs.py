"""Automation jobs (SPEC §10) of services not kept beside a sub-domain: provisioning what was funded
(and cancelling what never was) and cancelling stale proformas. clientpanel.automation runs them;
each is idempotent: running it twice, or on two workers at once, changes nothing the second time."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.conf import settings
from django.db import transaction

from clientpanel.audit.services import audit_record
from clientpanel.core.errors import Conflict
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType
from clientpanel.invoicing.services import proforma_cancel

from ..locks import locked_service
from ..models import ProvisionStatus, Service, ServiceStatus
from ..provision_errors import STALLED, error_columns, system_message
from .common import status_changed
from .ending import reversal_changes, service_end_locked, terminate_after_commit
from .provisioning import service_provision

# A module step still IN_PROGRESS this long after it began has lost its worker (a restart, a crash):
# its answer will never come.
PROVISIONING_STALLED_AFTER = dt.timedelta(minutes=10)


def job_provision_pending(*, now: dt.datetime) -> dict:
    """Provision pending services whose funds arrived; cancel those unfunded past the product's
    cancellation delay; turn a module step that stopped without an answer into an ERROR, which
    staff retry (the setup fee, charged already, is never charged again) — for a service ended
    meanwhile, its module's terminate runs, which the lost worker would have run after the create."""
    stalled_before = now - max(PROVISIONING_STALLED_AFTER, dt.timedelta(seconds=3 * settings.PROVISIONING_TIMEOUT))
    stalled = Service.objects.filter(provision_status=ProvisionStatus.IN_PROGRESS,
                                     provision_started_at__lt=stalled_before).values_list("pk", flat=True)
    for service_id in list(stalled):
        with transaction.atomic():
            locked = locked_service(service_id, related=())
            if locked.provision_status == ProvisionStatus.IN_PROGRESS:
                locked.provision_status = ProvisionStatus.ERROR
                error = error_columns(system_message(STALLED))
                for field, value in error.items():
                    setattr(locked, field, value)
                locked.save(update_fields=["provision_status", *error])
                if locked.status in (ServiceStatus.TERMINATED, ServiceStatus.CANCELLED):
                    # Ended while its create ran, and the worker that would have removed what the
                    # create made (provisioning.py) was lost: its terminate runs now.
                    terminate_after_commit(service_id)
    provisioned = cancelled = 0
    pending = Service.objects.filter(status=ServiceStatus.PENDING, provision_status=ProvisionStatus.PENDING)
    for service in pending.select_related("product").iterator():
        if service_provision(service_id=service.pk, now=now).status == ServiceStatus.ACTIVE:
            provisioned += 1
            continue
        if service.order_date + dt.timedelta(hours=service.product.cancellation_delay_hours) > now:
            continue
        with transaction.atomic():
            locked = locked_service(service.pk, related=())
            # Still waiting for funds past the delay (a failed provisioning waits for staff instead).
            # Never provisioned, so cancelled with what it was charged given back: a setup fee charged
            # before a Retry found the funds gone (ending.py).
            if locked.status == ServiceStatus.PENDING and locked.provision_status == ProvisionStatus.PENDING:
                given_back = service_end_locked(locked, now=now)
                audit_record(action="service.cancel", target=locked, client_id=locked.client_id,
                             changes={"status": [ServiceStatus.PENDING, ServiceStatus.CANCELLED],
                                      **reversal_changes(given_back)})
                status_changed(locked, ServiceStatus.PENDING)
                cancelled += 1
    return {"provisioned": provisioned, "cancelled": cancelled}


def job_cancel_stale_proformas(*, now: dt.datetime) -> dict:
    """Cancel unpaid proformas that received nothing and are overdue by STALE_PROFORMA_DAYS."""
    cutoff = now - dt.timedelta(days=settings.STALE_PROFORMA_DAYS)
    stale = Document.objects.filter(type=DocumentType.PROFORMA, status=DocumentStatus.UNPAID, paid_gross=0,
                                    due_date__lt=cutoff)
    cancelled = 0
    for document_id in stale.values_list("id", flat=True):
        with contextlib.suppress(Conflict), transaction.atomic():  # paid meanwhile: it stays as it is
            if _still_stale_locked(stale, document_id):
                proforma_cancel(actor=None, document_id=document_id)
                cancelled += 1
    return {"cancelled": cancelled}


def _still_stale_locked(stale, document_id) -> bool:
    """Looked at again under its lock: staff may have cancelled it since the job's query, and a
    cancel of a cancelled proforma answers without error, so it would be counted as this run's."""
    return stale.select_for_update(of=("self",)).filter(pk=document_id).exists()
