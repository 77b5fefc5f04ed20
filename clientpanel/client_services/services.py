"""Service lifecycle and billing (SPEC §9): order, provision, charge each period in advance,
suspend when funds run out, unsuspend when they return, terminate, cancel. Every job function is
idempotent: running it twice, or on two workers at once, changes nothing the second time."""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import secrets
import time
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record
from clientpanel.catalog.models import Price, Product
from clientpanel.catalog.modules import ModuleContext, ModuleError, get_module
from clientpanel.clients.models import Client
from clientpanel.clients.selectors import clients_visible_to
from clientpanel.core.errors import Conflict, FieldErrors, NotFound, ValidationFailed, require
from clientpanel.core.events import publish
from clientpanel.core.outbox import job_drain_outbox
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import InsufficientFunds, entry_post

from . import policies, rules
from .calculations import period_charge
from .events import ServiceStatusChanged
from .locks import locked_service
from .models import (
    INSUFFICIENT_FUNDS,
    ChargeKind,
    ProvisioningEvent,
    ProvisionStatus,
    Service,
    ServiceCharge,
    ServiceStatus,
)
from .selectors import services_visible_to

LABEL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
SUSPENDED_BY_STAFF = "Suspended by staff"


def _new_label() -> str:
    for _ in range(20):
        label = "".join(secrets.choice(LABEL_ALPHABET) for _ in range(6))
        if not Service.objects.filter(label=label).exists():
            return label
    raise RuntimeError("could not find a free service label")


def first_charge(product: Product, price: Price) -> Decimal:
    """What the first period costs (ONE_TIME: the price itself)."""
    charge = period_charge(period=price.period, amount=price.amount, hourly_billing=product.hourly_billing,
                           start=timezone.now())
    return charge.amount if charge else price.amount


def _funds(client: Client) -> Decimal:
    return client.balance + client.credit_limit


# --- ordering ----------------------------------------------------------------------------------

def service_order(*, actor: ActorLike, client_id, product_id, price_id, allow_over_limit: bool = False
                  ) -> Service:
    """Add a service (PENDING) for a product at one of its prices in the client's currency. Refused
    when the balance plus credit limit do not cover the first charge plus the setup fee, unless
    staff override it (recorded in the audit trail). Provisioning is queued after commit."""
    actor = as_actor(actor)
    require(policies.can_order(actor, client_id), "You are not allowed to add services.")
    if allow_over_limit:
        require(policies.can_override_funds(actor), "You are not allowed to order beyond the credit limit.")
    with transaction.atomic():
        clients = clients_visible_to(actor)
        try:
            client = clients.select_for_update(of=("self",)).get(pk=client_id)
        except (Client.DoesNotExist, ValueError, TypeError):
            raise NotFound("Client not found.") from None
        errors = FieldErrors()
        product = Product.objects.filter(pk=product_id).first() if _uuid_like(product_id) else None
        if product is None:
            product = Product.objects.filter(key=str(product_id)).first()
        if product is None or not policies.can_order_product(actor, product):
            errors.add("product", "Choose a product that is on sale.")
        price = Price.objects.filter(pk=price_id, product=product).first() if str(price_id or "").isdigit() else None
        if product is not None and price is None:
            errors.add("price", "Choose one of the product's prices.")
        elif price is not None and price.currency != client.currency:
            errors.add("price", f"The client pays in {client.currency}; this price is in {price.currency}.")
        errors.raise_if_any()
        need = first_charge(product, price) + price.setup_fee
        if _funds(client) < need and not allow_over_limit:
            raise InsufficientFunds(
                f"Balance plus credit limit ({_funds(client)} {client.currency}) do not cover the first charge "
                f"and setup fee ({need} {client.currency}).", fields={"price": ["Not enough funds."]})
        override = _funds(client) < need
        service = Service.objects.create(
            client=client, product=product, price=price, label=_new_label(), currency=price.currency,
            period=price.period, amount=price.amount, setup_fee=price.setup_fee, order_date=timezone.now(),
            provision_status=ProvisionStatus.PENDING, funds_override=override)
        audit_record(action="service.order", target=service, client_id=client.pk, object_label=str(service),
                     changes={"price": [None, price.label],
                              "funds_override": [None, True] if override else [None, None]})
        from .tasks import provision_service_task

        transaction.on_commit(lambda: provision_service_task(str(service.pk)))
    return service


def _uuid_like(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


# --- modules -----------------------------------------------------------------------------------

def _context(service: Service) -> ModuleContext:
    return ModuleContext(service_id=str(service.pk), label=service.label, client_id=str(service.client_id),
                         product_key=service.product.key, settings=dict(service.product.module_settings or {}))


def _run_module(service: Service, action: str) -> tuple[bool, str]:
    """Run one module step with a timeout; record it. Never raises: a module's failure, hang or
    bug becomes the service's error text, and the panel stays up."""
    module_name = service.product.module
    started = time.monotonic()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        module = get_module(module_name)
        step = getattr(module, action) if action in ("create", "suspend", "unsuspend", "terminate") else (
            lambda context: module.run_action(action, context))
        message = pool.submit(step, _context(service)).result(timeout=settings.PROVISIONING_TIMEOUT)
        outcome, ok = "OK", True
    except concurrent.futures.TimeoutError:
        message, outcome, ok = (f"The {module_name} module did not answer within "
                                f"{settings.PROVISIONING_TIMEOUT:g} s ({action})."), "TIMEOUT", False
    except ModuleError as error:
        message, outcome, ok = str(error) or f"{action} failed", "ERROR", False
    except Exception as error:
        message, outcome, ok = f"{action} failed unexpectedly: {type(error).__name__}: {error}", "ERROR", False
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    ProvisioningEvent.objects.create(service=service, action=action, outcome=outcome, message=str(message)[:2000],
                                     duration_ms=int((time.monotonic() - started) * 1000))
    return ok, str(message)


def _record_module_result(service_id, ok: bool, message: str, *, on_success: dict | None = None) -> Service:
    with transaction.atomic():
        service = locked_service(service_id, related=())
        before = service.status
        if ok:
            service.provision_status = ProvisionStatus.COMPLETED
            service.provision_error = ""
            for field, value in (on_success or {}).items():
                setattr(service, field, value)
        else:
            service.provision_status = ProvisionStatus.ERROR
            service.provision_error = message[:2000]
        service.save()
        if service.status != before:
            _status_changed(service, before)
    return service


def _status_changed(service: Service, before: str, reason: str = "") -> None:
    """Tell the subscribers (e-mail, webhooks), inside the transaction that changed the status."""
    publish(ServiceStatusChanged(service_id=service.pk, client_id=service.client_id, label=service.label,
                                 old_status=before, new_status=service.status, reason=reason))


# --- provisioning ------------------------------------------------------------------------------

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
        client = Client.objects.get(pk=service.client_id)
        if _funds(client) < need and not service.funds_override:
            return service
        if not setup_charged and service.setup_fee > 0:
            _charge(service, kind=ChargeKind.SETUP, start=service.order_date, end=None, amount=service.setup_fee,
                    what="setup fee", check_credit=False)
        elif not setup_charged:
            ServiceCharge.objects.create(service=service, kind=ChargeKind.SETUP, period_start=service.order_date,
                                         amount=Decimal(0))
        service.provision_status = ProvisionStatus.IN_PROGRESS
        service.save(update_fields=["provision_status"])
    ok, message = _run_module(service, "create")
    service = _record_module_result(service.pk, ok, message, on_success={
        "status": ServiceStatus.ACTIVE, "activation_date": now, "billed_until": now})
    if ok:
        audit_record(action="service.activate", target=service, client_id=service.client_id,
                     object_label=str(service), changes={"status": [ServiceStatus.PENDING, ServiceStatus.ACTIVE]})
        service_charge_due(service_id=service.pk, now=now, first_over_limit=service.funds_override)
    return Service.objects.get(pk=service.pk)


def _charge(service: Service, *, kind: str, start, end, amount: Decimal, what: str, check_credit: bool) -> None:
    """Record the charge and post it, atomically; the unique (service, kind, start) row makes a
    second attempt fail with IntegrityError instead of charging twice. A charge posted beyond the
    client's funds (check_credit off: setup fees, the staff override) is logged as such."""
    with transaction.atomic():
        charge = ServiceCharge.objects.create(service=service, kind=kind, period_start=start, period_end=end,
                                              amount=amount)
        if amount > 0:
            entry, _ = entry_post(client_id=service.client_id, type=EntryType.CHARGE, net=-amount,
                                  description=f"Service:{service.pk}, {what}", service_id=service.pk,
                                  period_start=start, period_end=end, check_credit=check_credit)
            ServiceCharge.objects.filter(pk=charge.pk).update(ledger_entry_id=entry.pk)
            # With check_credit the post itself refused anything beyond the limit: only an unchecked
            # charge (setup fee, staff override) can land there, so only it needs the limit read.
            if not check_credit and entry.balance_after + Client.objects.only("credit_limit").get(
                    pk=service.client_id).credit_limit < 0:
                audit_record(action="service.charge_over_limit", target=service, client_id=service.client_id,
                             object_label=str(service),
                             changes={"charge": [None, str(amount)], "balance": [str(entry.balance_before),
                                                                                 str(entry.balance_after)]})


def service_charge_due(*, service_id, now: dt.datetime, first_over_limit: bool = False) -> int:
    """Charge every period of an ACTIVE service that has started by `now`, each once, in advance
    (missed periods after downtime too). A period the client cannot pay suspends the service
    ("Insufficient funds"), except the first one under the staff override (first_over_limit).
    Answers how many periods were charged."""
    charged = 0
    while True:
        suspend = False
        with transaction.atomic():
            service = locked_service(service_id)
            if service.status != ServiceStatus.ACTIVE or service.billed_until is None or service.billed_until > now:
                break
            charge = period_charge(period=service.period, amount=service.amount,
                                   hourly_billing=service.product.hourly_billing, start=service.billed_until)
            # ONE_TIME prices have no periods: the one charge, then nothing more is due.
            start, end, amount, what = ((charge.start, charge.end, charge.amount, charge.what) if charge
                                        else (service.billed_until, None, service.amount, "one-time"))
            try:
                # A period charged by another pass already raises IntegrityError: just move on.
                with contextlib.suppress(IntegrityError):
                    _charge(service, kind=ChargeKind.PERIOD, start=start, end=end, amount=amount, what=what,
                            check_credit=not (first_over_limit and charged == 0))
                    charged += 1
            except InsufficientFunds:
                suspend = True
            if not suspend:
                service.billed_until = end
                service.save(update_fields=["billed_until"])
        if suspend:
            _suspend(service_id, reason=INSUFFICIENT_FUNDS, now=now)
            break
    return charged


# --- suspension, termination -------------------------------------------------------------------

def _suspend(service_id, *, reason: str, now: dt.datetime) -> Service:
    with transaction.atomic():
        service = locked_service(service_id)
        if service.status != ServiceStatus.ACTIVE:
            return service
        service.status, service.suspended_at, service.suspension_reason = ServiceStatus.SUSPENDED, now, reason
        service.save(update_fields=["status", "suspended_at", "suspension_reason"])
        audit_record(action="service.suspend", target=service, client_id=service.client_id, object_label=str(service),
                     changes={"status": [ServiceStatus.ACTIVE, ServiceStatus.SUSPENDED], "reason": [None, reason]})
        _status_changed(service, ServiceStatus.ACTIVE, reason)
    ok, message = _run_module(service, "suspend")
    return _record_module_result(service.pk, ok, message)


def _unsuspend(service_id, *, now: dt.datetime) -> Service:
    """Back to ACTIVE. Time already paid is never paid again: inside a paid period (a staff
    suspension) the period simply continues and the next one is charged when it starts. Past it —
    the unpaid period of a suspension for insufficient funds, or periods that would have started
    while suspended — nothing is charged for the suspended time and billing restarts from now.
    A one-time price, charged once, stays charged."""
    with transaction.atomic():
        service = locked_service(service_id)
        if service.status != ServiceStatus.SUSPENDED:
            return service
        service.status, service.suspended_at, service.suspension_reason = ServiceStatus.ACTIVE, None, ""
        if service.billed_until is not None and service.billed_until < now:
            service.billed_until = now
        service.save(update_fields=["status", "suspended_at", "suspension_reason", "billed_until"])
        audit_record(action="service.unsuspend", target=service, client_id=service.client_id,
                     object_label=str(service), changes={"status": [ServiceStatus.SUSPENDED, ServiceStatus.ACTIVE]})
        _status_changed(service, ServiceStatus.SUSPENDED)
    ok, message = _run_module(service, "unsuspend")
    service = _record_module_result(service.pk, ok, message)
    service_charge_due(service_id=service.pk, now=now)
    return service


def _terminate(service_id, *, now: dt.datetime) -> Service:
    with transaction.atomic():
        service = locked_service(service_id)
        if service.status not in (ServiceStatus.ACTIVE, ServiceStatus.SUSPENDED, ServiceStatus.PENDING):
            return service
        before = service.status
        service.status, service.terminated_at = ServiceStatus.TERMINATED, now
        service.save(update_fields=["status", "terminated_at"])
        audit_record(action="service.terminate", target=service, client_id=service.client_id,
                     object_label=str(service), changes={"status": [before, ServiceStatus.TERMINATED]})
        _status_changed(service, before)
    if before == ServiceStatus.PENDING and service.provision_status != ProvisionStatus.COMPLETED:
        return service
    ok, message = _run_module(service, "terminate")
    return _record_module_result(service.pk, ok, message)


def _staff_service(actor: ActorLike, service_id) -> Service:
    """A service the actor sees, for the status changes only staff make."""
    actor = as_actor(actor)
    require(policies.can_change_service_status(actor), "You are not allowed to manage services.")
    return _visible_service(actor, service_id)


def _visible_service(actor: ActorLike, service_id) -> Service:
    try:
        return services_visible_to(actor).select_related("product").get(pk=service_id)
    except (Service.DoesNotExist, ValueError, TypeError):
        raise NotFound("Service not found.") from None


def service_suspend(*, actor: ActorLike, service_id) -> Service:
    """Staff suspension: stays suspended until staff unsuspend it (automation leaves it alone)."""
    service = _staff_service(actor, service_id)
    if not rules.can_be_suspended(service):
        raise Conflict(f"Only an active service can be suspended; this one is {service.status}.",
                       code="service_state")
    return _suspend(service.pk, reason=SUSPENDED_BY_STAFF, now=timezone.now())


def service_unsuspend(*, actor: ActorLike, service_id) -> Service:
    service = _staff_service(actor, service_id)
    if not rules.can_be_unsuspended(service):
        raise Conflict(f"Only a suspended service can be unsuspended; this one is {service.status}.",
                       code="service_state")
    return _unsuspend(service.pk, now=timezone.now())


def service_terminate(*, actor: ActorLike, service_id) -> Service:
    service = _staff_service(actor, service_id)
    if not rules.can_be_terminated(service):
        raise Conflict(f"The service is {service.status} already.", code="service_state")
    return _terminate(service.pk, now=timezone.now())


def service_retry(*, actor: ActorLike, service_id) -> Service:
    """Re-run the step that failed: create for a pending service (never charging the setup fee
    again), else the last failed module step."""
    service = _staff_service(actor, service_id)
    if not rules.can_be_retried(service):
        raise Conflict("Only a service whose provisioning failed can be retried.", code="service_state")
    if service.status == ServiceStatus.PENDING:
        Service.objects.filter(pk=service.pk).update(provision_status=ProvisionStatus.PENDING)
        return service_provision(service_id=service.pk)
    failed = service.provisioning_events.exclude(outcome="OK").first()
    ok, message = _run_module(service, failed.action if failed else "create")
    return _record_module_result(service.pk, ok, message)


def service_action(*, actor: ActorLike, service_id, action: str) -> tuple[bool, str]:
    """A module-declared product action (reboot, reset password…)."""
    actor = as_actor(actor)
    service = _visible_service(actor, service_id)
    require(policies.can_run_service_actions(actor, service.client_id), "You are not allowed to manage services.")
    module = get_module(service.product.module)
    if action not in module.actions:
        raise ValidationFailed("Unknown action.", fields={"action": [f"Use one of {', '.join(module.actions)}."]})
    if not rules.runs_module_actions(service):
        raise Conflict(f"Product actions run on an active service; this one is {service.status}.",
                       code="service_state")
    ok, message = _run_module(service, action)
    audit_record(action=f"service.action.{action}", target=service, client_id=service.client_id,
                 object_label=str(service), changes={"outcome": [None, "OK" if ok else message]})
    return ok, message


# --- automation jobs (SPEC §10) ----------------------------------------------------------------

def job_provision_pending(*, now: dt.datetime) -> dict:
    """Provision pending services whose funds arrived; cancel those unfunded past the product's
    cancellation delay."""
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
            if locked.status == ServiceStatus.PENDING and locked.provision_status == ProvisionStatus.PENDING:
                locked.status, locked.cancelled_at = ServiceStatus.CANCELLED, now
                locked.save(update_fields=["status", "cancelled_at"])
                audit_record(action="service.cancel", target=locked, client_id=locked.client_id,
                             changes={"status": [ServiceStatus.PENDING, ServiceStatus.CANCELLED]})
                _status_changed(locked, ServiceStatus.PENDING)
                cancelled += 1
    return {"provisioned": provisioned, "cancelled": cancelled}


MAX_PERIODS_PER_PASS = 1000  # after a long outage, the rest is charged by the next passes


def charge_batch(*, now: dt.datetime, limit: int = 500) -> tuple[int, int, list]:
    """Charge the due periods of up to `limit` active services in one transaction: the services are
    locked with SKIP LOCKED, so several workers split the work instead of waiting on each other;
    each client's charges post as one ledger write. A client whose funds do not cover all its
    charges is left to service_charge_due, one period at a time (which suspends when they run
    out). Answers (services charged, charges, services left for the one-by-one path)."""
    from clientpanel.ledger.services import entries_post_for_clients

    with transaction.atomic():
        batch = list(Service.objects.select_for_update(skip_locked=True, of=("self",))
                     .filter(status=ServiceStatus.ACTIVE, billed_until__lte=now).select_related("product")
                     .order_by("client_id", "id")[:limit])
        if not batch:
            return 0, 0, []
        plans: dict = {}
        for service in batch:
            periods, start = [], service.billed_until
            while start is not None and start <= now and len(periods) < MAX_PERIODS_PER_PASS:
                charge = period_charge(period=service.period, amount=service.amount,
                                       hourly_billing=service.product.hourly_billing, start=start)
                if charge is None:
                    break  # ONE_TIME: the one-by-one path charges it
                periods.append(charge)
                start = charge.end
            plans.setdefault(service.client_id, []).append((service, periods))
        entries_by_client, owners = {}, {}
        for client_id, services in plans.items():
            entries = []
            for service, periods in services:
                for p in periods:
                    if p.amount:
                        entries.append({"id": uuid.uuid4(), "type": EntryType.CHARGE, "net": -p.amount,
                                        "description": f"Service:{service.pk}, {p.what}", "service_id": service.pk,
                                        "period_start": p.start, "period_end": p.end})
                        owners[(service.pk, p.start)] = entries[-1]["id"]
            entries_by_client[client_id] = entries
        _posted, refused = entries_post_for_clients(entries_by_client=entries_by_client, check_credit=True)
        charges, updated, slow = [], [], []
        for client_id, services in plans.items():
            for service, periods in services:
                if client_id in refused or not periods:
                    slow.append(service.pk)
                    continue
                charges += [ServiceCharge(service=service, kind=ChargeKind.PERIOD, period_start=p.start,
                                          period_end=p.end, amount=p.amount,
                                          ledger_entry_id=owners.get((service.pk, p.start))) for p in periods]
                service.billed_until = periods[-1].end
                updated.append(service)
        ServiceCharge.objects.bulk_create(charges, batch_size=1000)
        _set_billed_until(updated)
    return len(updated), len(charges), slow


def _set_billed_until(services: list[Service]) -> None:
    """One UPDATE for the whole batch (bulk_update's CASE over 500 rows is much slower)."""
    if not services:
        return
    from django.db import connection

    pk_field, when_field = Service._meta.pk, Service._meta.get_field("billed_until")
    values = ", ".join(["(%s, %s)"] * len(services))
    params: list = []
    for service in services:
        params += [pk_field.get_db_prep_value(service.pk, connection),
                   when_field.get_db_prep_value(service.billed_until, connection)]
    cast = "::timestamptz" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"WITH v(sid, until) AS (VALUES {values}) UPDATE services_service "  # noqa: S608
                       f"SET billed_until = v.until{cast} FROM v WHERE id = v.sid", params)


def job_charge_services(*, now: dt.datetime, batch: int = 500) -> dict:
    """Charge every active service whose next period has started, in batches (see charge_batch)."""
    services = charged = 0
    handled_one_by_one: set = set()
    while True:
        done, count, slow = charge_batch(now=now, limit=batch)
        services += done
        charged += count
        fresh = [service_id for service_id in slow if service_id not in handled_one_by_one]
        for service_id in fresh:
            charged += service_charge_due(service_id=service_id, now=now)
            services += 1
        handled_one_by_one.update(fresh)
        if not done and not fresh:
            break
    return {"services": services, "charges": charged}


def job_enforce_credit(*, now: dt.datetime) -> dict:
    """Unsuspend services suspended for insufficient funds once the next period is covered; end
    services suspended past the termination delay and those cancelled at the end of their period."""
    unsuspended = terminated = 0
    suspended = Service.objects.filter(status=ServiceStatus.SUSPENDED).select_related("product", "client")
    for service in suspended.iterator():
        if service.suspension_reason == INSUFFICIENT_FUNDS:
            charge = period_charge(period=service.period, amount=service.amount,
                                   hourly_billing=service.product.hourly_billing, start=now)
            if _funds(Client.objects.get(pk=service.client_id)) >= (charge.amount if charge else 0):
                if _unsuspend(service.pk, now=now).status == ServiceStatus.ACTIVE:
                    unsuspended += 1
                continue
        # Only services suspended for lack of funds end by themselves; staff decide about theirs.
        if service.suspension_reason == INSUFFICIENT_FUNDS and service.suspended_at and \
                service.suspended_at + dt.timedelta(hours=service.product.termination_delay_hours) <= now:
            _terminate(service.pk, now=now)
            terminated += 1
    ending = Service.objects.filter(status=ServiceStatus.ACTIVE, cancel_requested=True, billed_until__lte=now)
    for service_id in ending.values_list("id", flat=True):
        _terminate(service_id, now=now)
        terminated += 1
    return {"unsuspended": unsuspended, "terminated": terminated}


def job_cancel_stale_proformas(*, now: dt.datetime) -> dict:
    """Cancel unpaid proformas that received nothing and are overdue by STALE_PROFORMA_DAYS."""
    from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType
    from clientpanel.invoicing.services import proforma_cancel

    cutoff = now - dt.timedelta(days=settings.STALE_PROFORMA_DAYS)
    stale = Document.objects.filter(type=DocumentType.PROFORMA, status=DocumentStatus.UNPAID, paid_gross=0,
                                    due_date__lt=cutoff)
    cancelled = 0
    for document_id in stale.values_list("id", flat=True):
        with contextlib.suppress(Conflict):  # paid meanwhile: it stays as it is
            proforma_cancel(actor=None, document_id=document_id)
            cancelled += 1
    return {"cancelled": cancelled}


JOBS = {
    "provision_pending": job_provision_pending,
    "charge_services": job_charge_services,
    "enforce_credit": job_enforce_credit,
    "cancel_stale_proformas": job_cancel_stale_proformas,
    # Last, so what the jobs before it wrote to the outbox is handled in the same pass.
    "drain_outbox": job_drain_outbox,
}


def automation_pass(*, now: dt.datetime | None = None, trigger: str = "command", only: str | None = None) -> dict:
    """Run every due job once, in order, each recorded for Settings → Automation."""
    from clientpanel.core.jobs import run_recorded

    now = now or timezone.now()
    results = {}
    for name, job in JOBS.items():
        if only and name != only:
            continue
        run = run_recorded(name, lambda job=job: job(now=now), trigger=trigger)
        results[name] = run.counts if not run.error else {"error": run.error.splitlines()[0]}
    return results
