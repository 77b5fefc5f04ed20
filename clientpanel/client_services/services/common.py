"""What the service modules share: a client's funds, telling subscribers that a status changed,
running a provisioning module's step and recording its outcome, and the suspension itself (staff
suspend, and so does a period the client cannot pay)."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import time
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.audit.services import audit_record
from clientpanel.catalog.modules import ModuleContext, ModuleError, get_module
from clientpanel.clients.models import Client
from clientpanel.core.events import publish
from clientpanel.core.money import reader_amount

from .. import rules
from ..events import ServiceStatusChanged
from ..locks import locked_service
from ..models import ProvisioningEvent, ProvisionStatus, Service, ServiceStatus
from ..provision_errors import CRASHED, FAILED, TIMEOUT, StepMessage, error_columns, system_message
from ..shortfalls import funds


def unsuspend_waits_for_funds(service: Service, *, now: dt.datetime) -> str | None:
    """Why the service cannot be unsuspended yet, in the reader's language (rules.
    unsuspend_uncovered_charge: suspended for insufficient funds, which still do not cover the charge
    unsuspending posts at once), or None when it may be: staff's Unsuspend refuses with it, and the
    service's page says it in the button's place."""
    client = Client.objects.select_related("balance_row").only(
        "currency", "credit_limit", "balance_row__balance").get(pk=service.client_id)
    uncovered = rules.unsuspend_uncovered_charge(service, funds=funds(client), now=now)
    if uncovered is None:
        return None
    # Amounts as people read them in their language ("0,93 USD"), not the ledger's "0.9271".
    return _("The service was suspended for insufficient funds, and the client's balance plus credit limit "
             "(%(funds)s) still do not cover its next charge of %(amount)s. The client must add funds "
             "first; then unsuspend it.") % {"funds": reader_amount(funds(client), service.currency),
                                             "amount": reader_amount(uncovered, service.currency)}


def _module_context(service: Service) -> ModuleContext:
    return ModuleContext(service_id=str(service.pk), label=service.label, client_id=str(service.client_id),
                         product_key=service.product.key, settings=dict(service.product.module_settings or {}))


def run_module(service: Service, action: str) -> tuple[bool, StepMessage]:
    """Run one module step with a timeout; record it. Never raises: a module's failure, hang or
    bug becomes the service's error text, and the panel stays up. The message is the module's own
    words, or the system's with their code (provision_errors), read in each reader's language."""
    module_name = service.product.module
    started = time.monotonic()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        module = get_module(module_name)
        step = getattr(module, action) if action in ("create", "suspend", "unsuspend", "terminate") else (
            lambda context: module.run_action(action, context))
        message = StepMessage(str(pool.submit(step, _module_context(service)).result(
            timeout=settings.PROVISIONING_TIMEOUT)))
        outcome, ok = "OK", True
    except concurrent.futures.TimeoutError:
        message, outcome, ok = system_message(TIMEOUT, module=module_name, action=action,
                                              seconds=f"{settings.PROVISIONING_TIMEOUT:g}"), "TIMEOUT", False
    except ModuleError as error:
        message = StepMessage(str(error)) if str(error) else system_message(FAILED, action=action, module=module_name)
        outcome, ok = "ERROR", False
    except Exception as error:
        message, outcome, ok = system_message(CRASHED, action=action, module=module_name,
                                              error=f"{type(error).__name__}: {error}"), "ERROR", False
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    kept = error_columns(message)
    ProvisioningEvent.objects.create(service=service, action=action, outcome=outcome, message=kept["provision_error"],
                                     message_code=kept["provision_error_code"],
                                     message_params=kept["provision_error_params"],
                                     duration_ms=int((time.monotonic() - started) * 1000))
    return ok, message


def record_module_result(service_id, ok: bool, message: str, *, on_success: dict | None = None,
                         only_from: str | None = None,
                         announce: Callable[[Service, str], None] | None = None) -> Service:
    """Keep a module step's outcome on the service (and, on success, the fields it changes — only
    when the service is still in the status `only_from` under the lock, when given: a service
    cancelled while its module worked is not brought back), under the service's lock; a changed
    status is published — by `announce(service, status_before)` when given (in this transaction:
    provisioning charges the first period with it), else status_changed."""
    with transaction.atomic():
        service = locked_service(service_id, related=())
        before = service.status
        if ok:
            service.provision_status = ProvisionStatus.COMPLETED
            service.provision_error, service.provision_error_code, service.provision_error_params = "", "", None
            if only_from is None or service.status == only_from:
                for field, value in (on_success or {}).items():
                    setattr(service, field, value)
        else:
            service.provision_status = ProvisionStatus.ERROR
            for field, value in error_columns(message).items():
                setattr(service, field, value)
        service.save()
        if service.status != before:
            (announce or status_changed)(service, before)
    return service


def status_changed(service: Service, before: str, reason: str = "") -> None:
    """Tell the subscribers (e-mail, webhooks), inside the transaction that changed the status."""
    publish(ServiceStatusChanged(service_id=service.pk, client_id=service.client_id, label=service.label,
                                 old_status=before, new_status=service.status, reason=reason))


def suspend_service(service_id, *, reason: str, now: dt.datetime) -> Service:
    """Suspend an ACTIVE service (anything else is left as it is) and run the module's suspend.
    Checks no permission: staff's service_suspend checks first, billing suspends for lack of funds."""
    with transaction.atomic():
        service = locked_service(service_id)
        if service.status != ServiceStatus.ACTIVE:
            return service
        service.status, service.suspended_at, service.suspension_reason = ServiceStatus.SUSPENDED, now, reason
        service.save(update_fields=["status", "suspended_at", "suspension_reason"])
        audit_record(action="service.suspend", target=service, client_id=service.client_id, object_label=str(service),
                     changes={"status": [ServiceStatus.ACTIVE, ServiceStatus.SUSPENDED], "reason": [None, reason]})
        status_changed(service, ServiceStatus.ACTIVE, reason)
    ok, message = run_module(service, "suspend")
    return record_module_result(service.pk, ok, message)

