"""Provisioning: activating a PENDING service once its funds arrive (or at once under the staff
override) through the product's module, charging the setup fee once and the first period."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from functools import partial

from django.db import DatabaseError, transaction
from django.utils import timezone

from clientpanel.audit.services import audit_record
from clientpanel.clients.models import Client
from clientpanel.clients.services.clients import lock_balance
from clientpanel.core.errors import DomainError
from clientpanel.ledger.descriptions import service_charge

from ..calculations import anchor_day_of, period_charge
from ..locks import locked_service
from ..models import ChargeKind, ProvisionStatus, Service, ServiceCharge, ServiceStatus
from ..shortfalls import funds, held_for_pending
from .billing import service_charge_due
from .common import record_module_result, run_module, status_changed
from .periods import charge_post, next_period, period_billed, period_post

log = logging.getLogger(__name__)


def service_provision(*, service_id, now: dt.datetime | None = None) -> Service:
    """Activate a PENDING service when funds cover its first charge plus setup fee — or at once
    when staff ordered it beyond the funds: charge the setup fee (once, ever — a retry never
    charges it again), run the module's create, and on success make it ACTIVE and charge the first
    period in advance (past the credit limit under the staff override)."""
    now = now or timezone.now()
    with transaction.atomic():
        service = locked_service(service_id, related=("product", "client"))
        if service.status != ServiceStatus.PENDING or service.provision_status == ProvisionStatus.IN_PROGRESS:
            return service
        setup_charged = service.charges.filter(kind=ChargeKind.SETUP).exists()
        first = period_charge(period=service.period, amount=service.amount,
                              hourly_billing=service.product.hourly_billing, start=now)
        need = (first.amount if first else service.amount) + (Decimal(0) if setup_charged else service.setup_fee)
        # The balance row locked before the funds are read (service, then balance: the ledger's
        # order): two services of one client provisioned at once each see the other's setup fee,
        # and the first period of one the module is making (IN_PROGRESS, set under this lock),
        # charged only once it is made, as held.
        lock_balance(service.client_id)
        client = Client.objects.get(pk=service.client_id)
        held = held_for_pending(service.client_id, now=now, excluding=service.pk, started_only=True)
        if funds(client) - held < need and not service.funds_override:
            return service
        if not setup_charged and service.setup_fee > 0:
            charge_post(service, kind=ChargeKind.SETUP, start=service.order_date, end=None,
                        amount=service.setup_fee, check_credit=False,
                        description=service_charge(service_id=service.pk, period=None, amount=service.setup_fee,
                                                   setup=True))
        elif not setup_charged:
            ServiceCharge.objects.create(service=service, kind=ChargeKind.SETUP, period_start=service.order_date,
                                         amount=Decimal(0))
        service.provision_status, service.provision_started_at = ProvisionStatus.IN_PROGRESS, timezone.now()
        service.save(update_fields=["provision_status", "provision_started_at"])
    ok, message = run_module(service, "create")
    first_charged: list[bool] = []
    service = record_module_result(service.pk, ok, message, on_success={
        "status": ServiceStatus.ACTIVE, "activation_date": now, "billed_until": now,
        "billing_anchor_day": anchor_day_of(now)},
        only_from=ServiceStatus.PENDING, announce=partial(_activated, over_limit=service.funds_override,
                                                          first_charged=first_charged))
    if service.status in (ServiceStatus.TERMINATED, ServiceStatus.CANCELLED):
        # Ended while the module was creating it: what the module made (even by a create that
        # failed, or went on past its timeout) is removed again; nothing is activated or charged.
        ok, message = run_module(service, "terminate")
        record_module_result(service.pk, ok, message)
        return Service.objects.get(pk=service.pk)
    if ok:  # the periods still due: none after the first, unless it could not be charged with the activation
        service_charge_due(service_id=service.pk, now=now,
                           first_over_limit=service.funds_override and not first_charged)
    return Service.objects.get(pk=service.pk)


def _activated(service: Service, before: str, *, over_limit: bool, first_charged: list[bool]) -> None:
    """The activation, in its transaction (record_module_result's announce): audited, published,
    and its first period charged — the status event first, as ever, but telling the state after the
    charge (billed until the period's end), so nobody sees an ACTIVE service not yet billed, nor an
    activation event whose billed_until is its own moment. A charge refused (the funds were spent
    while the module worked) or failing takes its savepoint with it, the event written with it
    too: the activation is published as it is (billed until now) and service_charge_due, after the
    commit, charges or suspends as it always did."""
    audit_record(action="service.activate", target=service, client_id=service.client_id, object_label=str(service),
                 changes={"status": [before, service.status]})
    kept = service.billed_until, service.billing_anchor_day
    try:
        with transaction.atomic():
            due = next_period(service)
            period_billed(service, due)
            status_changed(service, before)
            period_post(service, due, check_credit=not over_limit)
        first_charged.append(True)
    except (DomainError, DatabaseError) as error:  # refused, or the database failed it (a deadlock, a timeout)
        if isinstance(error, DatabaseError):
            log.warning("service %s: its first period could not be charged with its activation (%s); "
                        "charged after it", service.pk, error)
        service.billed_until, service.billing_anchor_day = kept
        status_changed(service, before)

