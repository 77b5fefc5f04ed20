"""A service's life after ordering: staff suspend, unsuspend, terminate and retry it, clients and
staff run the module's product actions and request its cancellation, and the credit job unsuspends services whose funds
returned and ends those suspended too long or cancelled at the end of their period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record
from clientpanel.catalog.modules import get_module
from clientpanel.clients.models import Client
from clientpanel.core.errors import Conflict, NotFound, ValidationFailed, require
from clientpanel.ledger.services import InsufficientFunds

from .. import policies, rules
from ..calculations import anchor_day_of
from ..locks import locked_service
from ..models import (
    INSUFFICIENT_FUNDS,
    SUSPENDED_BY_STAFF,
    ProvisionStatus,
    Service,
    ServiceStatus,
)
from ..provision_errors import PROVISIONING_STEPS, describe_message
from ..selectors import service_for_cancellation, services_visible_to
from ..shortfalls import funds
from .billing import service_charge_due
from .common import (
    record_module_result,
    run_module,
    status_changed,
    suspend_service,
    unsuspend_waits_for_funds,
)
from .ending import reversal_changes, service_end_locked
from .provisioning import service_provision


def _unsuspend(service_id, *, now: dt.datetime, failure_raises: bool = False,
               still: Callable[..., bool] | None = None) -> Service | None:
    """Back to ACTIVE once the module's unsuspend has succeeded. Time already paid is never paid
    again: inside a paid period (a staff suspension) the period simply continues and the next one is
    charged when it starts. Past it — the unpaid period of a suspension for insufficient funds, or
    periods that would have started while suspended — nothing is charged for the suspended time and
    billing restarts from now (its periods of months then end on this day of the month). A one-time
    price, charged once, stays charged. Refused (InsufficientFunds) when it was suspended for
    insufficient funds and the client's funds still do not cover the charge it would post at once
    (rules.unsuspend_uncovered_charge): billing would suspend it again straight after the module's
    unsuspend. A module that fails to unsuspend leaves it SUSPENDED — the machine still is — with
    the error (provision ERROR) and charges nothing; Retry runs the unsuspend again. That failure,
    once recorded, is raised (Conflict `module_failed`, with the module's words) when
    `failure_raises` (staff's Unsuspend). Answers the service as it is after all that (read again:
    the charge may still suspend it, had the funds gone meanwhile). `still`: the job's reason to
    bring it back, asked again of the locked row (staff may have suspended it themselves, or
    unsuspended it, since): None tells the job it did nothing."""
    with transaction.atomic():
        service = locked_service(service_id)
        if still is not None and not still(service, now=now):
            return None
        if service.status != ServiceStatus.SUSPENDED:
            return service
        if refusal := unsuspend_waits_for_funds(service, now=now):
            raise InsufficientFunds(refusal)
    # The module first, outside the lock (it may take its whole timeout); only its success counts.
    ok, message = run_module(service, "unsuspend")
    with transaction.atomic():
        service = locked_service(service_id)
        if ok and service.status == ServiceStatus.SUSPENDED:  # not ended, nor unsuspended, meanwhile
            service.status, service.suspended_at, service.suspension_reason = ServiceStatus.ACTIVE, None, ""
            if service.billed_until is not None and service.billed_until < now:
                # Billing restarts: its periods of months now keep this day (calculations.add_months).
                service.billed_until, service.billing_anchor_day = now, anchor_day_of(now)
            service.save(update_fields=["status", "suspended_at", "suspension_reason", "billed_until",
                                        "billing_anchor_day"])
            audit_record(action="service.unsuspend", target=service, client_id=service.client_id,
                         object_label=str(service),
                         changes={"status": [ServiceStatus.SUSPENDED, ServiceStatus.ACTIVE]})
            status_changed(service, ServiceStatus.SUSPENDED)
        record_module_result(service.pk, ok, message)
    if not ok and failure_raises:
        raise Conflict(_("The module could not unsuspend the service, so it stays suspended and is not charged; "
                         "retry once the cause is fixed. The module said: %(error)s")
                       % {"error": describe_message(message)}, code="module_failed")
    service_charge_due(service_id=service.pk, now=now)
    return Service.objects.select_related("product").get(pk=service.pk)


def _terminate(service_id, *, now: dt.datetime, still: Callable[..., bool] | None = None) -> Service | None:
    """End the service (ending.service_end_locked): one that ran is TERMINATED and its module's
    terminate runs; one never provisioned is CANCELLED and given back what it was charged, and its
    module's terminate runs when a create was attempted (ending.py). `still`: the job's reason to
    end it, asked again of the locked row — what the job read before may have changed since (staff
    unsuspended it and its period was paid, its cancellation was withdrawn), and then it stays:
    None tells the job it did nothing (staff may have ended it meanwhile)."""
    with transaction.atomic():
        service = locked_service(service_id)
        if still is not None and not still(service, now=now):
            return None
        if service.status not in (ServiceStatus.ACTIVE, ServiceStatus.SUSPENDED, ServiceStatus.PENDING):
            return service
        _end_and_record(service, now=now)
    return _taken_down(service)


def _end_and_record(service: Service, *, now, action: str = "") -> None:
    """End the locked service (ending.service_end_locked: cancelled, its charges given back, when it
    never ran) and record it — as `action`, or as what it became."""
    before = service.status
    given_back = service_end_locked(service, now=now)
    audit_record(action=action or ("service.cancel" if service.status == ServiceStatus.CANCELLED
                                   else "service.terminate"),
                 target=service, client_id=service.client_id, object_label=str(service),
                 changes={"status": [before, service.status], **reversal_changes(given_back)})
    status_changed(service, before)


def _taken_down(service: Service) -> Service:
    """After the commit, an ended service's module takes it down; a cancelled one's terminate, if
    it needed one, ran on commit (ending.py)."""
    if service.status == ServiceStatus.CANCELLED:
        return Service.objects.select_related("product").get(pk=service.pk)
    ok, message = run_module(service, "terminate")
    return record_module_result(service.pk, ok, message)


def _staff_service(actor: ActorLike, service_id) -> Service:
    """A service the actor sees, for the status changes only staff make."""
    actor = as_actor(actor)
    require(policies.can_change_service_status(actor), _("You are not allowed to manage services."))
    return _visible_service(actor, service_id)


def _visible_service(actor: ActorLike, service_id) -> Service:
    try:
        return services_visible_to(actor).select_related("product").get(pk=service_id)
    except (Service.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Service not found.")) from None


def service_suspend(*, actor: ActorLike, service_id) -> Service:
    """Staff suspension: stays suspended until staff unsuspend it (automation leaves it alone)."""
    service = _staff_service(actor, service_id)
    if not rules.can_be_suspended(service):
        raise Conflict(_("Only an active service can be suspended; this one is %(status)s.")
                       % {"status": service.get_status_display()}, code="service_state")
    return suspend_service(service.pk, reason=SUSPENDED_BY_STAFF, now=timezone.now())


def service_unsuspend(*, actor: ActorLike, service_id) -> Service:
    """Staff's Unsuspend. When the module fails to unsuspend it, refused (409 `module_failed`, with
    the module's words) after its failure is recorded: the service stays suspended and uncharged."""
    service = _staff_service(actor, service_id)
    if not rules.can_be_unsuspended(service):
        raise Conflict(_("Only a suspended service can be unsuspended; this one is %(status)s.")
                       % {"status": service.get_status_display()}, code="service_state")
    return _unsuspend(service.pk, now=timezone.now(), failure_raises=True)


def service_terminate(*, actor: ActorLike, service_id) -> Service:
    service = _staff_service(actor, service_id)
    if not rules.can_be_terminated(service):
        raise Conflict(_("The service is %(status)s already.") % {"status": service.get_status_display()},
                       code="service_state")
    return _terminate(service.pk, now=timezone.now())


def service_retry(*, actor: ActorLike, service_id) -> Service:
    """Re-run the step that failed: create for a pending service (never charging the setup fee
    again), terminate for one that has ended (whatever step failed: a create that went on after
    its timeout may have made what must now be removed), else the last failed module step."""
    service = _staff_service(actor, service_id)
    if not rules.can_be_retried(service):
        raise Conflict(_("Only a service whose provisioning failed can be retried."), code="service_state")
    if service.status == ServiceStatus.PENDING:
        Service.objects.filter(pk=service.pk).update(provision_status=ProvisionStatus.PENDING)
        return service_provision(service_id=service.pk)
    if service.status in (ServiceStatus.TERMINATED, ServiceStatus.CANCELLED):
        ok, message = run_module(service, "terminate")
        return record_module_result(service.pk, ok, message)
    # The last of its steps that failed (not a product action's: reboot fails on its own).
    failed = service.provisioning_events.filter(action__in=list(PROVISIONING_STEPS)).exclude(outcome="OK").first()
    step = failed.action if failed else "create"
    if step == "unsuspend" and service.status == ServiceStatus.SUSPENDED:
        return _unsuspend(service.pk, now=timezone.now())  # its success makes it ACTIVE and billed again
    ok, message = run_module(service, step)
    return record_module_result(service.pk, ok, message)


def service_action(*, actor: ActorLike, service_id, action: str) -> tuple[bool, str]:
    """A module-declared product action (reboot, reset password…)."""
    actor = as_actor(actor)
    service = _visible_service(actor, service_id)
    require(policies.can_run_service_actions(actor, service.client_id), _("You are not allowed to manage services."))
    module = get_module(service.product.module)
    if action not in module.actions:
        raise ValidationFailed(_("Unknown action."), fields={
            "action": [_("Use one of %(choices)s.") % {"choices": ", ".join(module.actions)}]})
    if not rules.runs_module_actions(service):
        raise Conflict(_("Product actions run on an active service; this one is %(status)s.")
                       % {"status": service.get_status_display()}, code="service_state")
    ok, message = run_module(service, action)
    audit_record(action=f"service.action.{action}", target=service, client_id=service.client_id,
                 object_label=str(service), changes={"outcome": [None, "OK" if ok else message]})
    return ok, message


CANCEL_AT_PERIOD_END = "period_end"
CANCEL_NOW = "now"
CANCELLATION_TIMES = (CANCEL_AT_PERIOD_END, CANCEL_NOW)


def service_cancellation_request(*, actor: ActorLike, service_id, when: str) -> Service:
    """End a service at the client's (or staff's) request. At the end of the paid period: marked
    cancel_requested, no further period is charged, and the credit job terminates it once
    billed_until has passed. Now: a pending service never provisioned is cancelled and given back
    what it was charged (its setup fee) — its module's terminate runs when a create was attempted,
    which may have built it anyway (ending.py) —, any other is terminated through its module at once; time
    already paid is not refunded (ending.py). Refused when the service's state does not allow it
    (rules.py), checked under the service's lock."""
    actor = as_actor(actor)
    service = service_for_cancellation(actor=actor, service_id=service_id)
    require(policies.can_request_cancellation(actor, service.client_id), _("You are not allowed to cancel services."))
    if when not in CANCELLATION_TIMES:
        raise ValidationFailed(_("Choose when the service ends."), fields={
            "when": [_("Choose the end of the period or now.")]})
    now = timezone.now()
    with transaction.atomic():
        service = locked_service(service_id)
        if rules.cancellation_pending(service):  # asked once; withdrawn first to choose again
            raise Conflict(_("Its cancellation is already requested: the service ends on %(date)s.")
                           % {"date": timezone.localdate(service.billed_until).isoformat()}, code="service_state")
        if when == CANCEL_AT_PERIOD_END:
            if not rules.can_be_cancelled_at_period_end(service):
                raise Conflict(_("Only an active service with a recurring price can be cancelled at the end of its "
                                 "period, once."), code="service_state")
            service.cancel_requested = True
            service.save(update_fields=["cancel_requested"])
            audit_record(action="service.cancel_request", target=service, client_id=service.client_id,
                         object_label=str(service), changes={"cancel_requested": [False, True],
                                                             "ends_at": [None, service.billed_until.isoformat()]})
            return service
        if not rules.can_be_cancelled_now(service):
            raise Conflict(_("The service is %(status)s; it cannot be cancelled.")
                           % {"status": service.get_status_display()}, code="service_state")
        _end_and_record(service, now=now, action="service.cancel")
    return _taken_down(service)


def service_cancellation_withdraw(*, actor: ActorLike, service_id) -> Service:
    """Keep a service whose cancellation at the end of its period was requested: billing goes on as
    before. Refused once the service has ended (rules.py), checked under the service's lock."""
    actor = as_actor(actor)
    service = service_for_cancellation(actor=actor, service_id=service_id)
    require(policies.can_request_cancellation(actor, service.client_id), _("You are not allowed to cancel services."))
    with transaction.atomic():
        service = locked_service(service_id)
        if not rules.can_withdraw_cancellation(service):
            raise Conflict(_("This service has no cancellation to withdraw."), code="service_state")
        service.cancel_requested = False
        service.save(update_fields=["cancel_requested"])
        audit_record(action="service.cancel_withdraw", target=service, client_id=service.client_id,
                     object_label=str(service), changes={"cancel_requested": [True, False]})
    return service


def job_enforce_credit(*, now: dt.datetime) -> dict:
    """End services cancelled at the end of their period once it is over (active or suspended:
    rules.ends_with_its_period), then unsuspend services suspended for insufficient funds once the
    next period is covered and end those suspended past the termination delay."""
    unsuspended = terminated = 0
    # First: a suspended one whose period is over ends rather than being brought back to end later.
    ending = Service.objects.filter(status__in=(ServiceStatus.ACTIVE, ServiceStatus.SUSPENDED),
                                    cancel_requested=True, billed_until__lte=now)
    for service_id in ending.values_list("id", flat=True):
        if _terminate(service_id, now=now, still=rules.ends_with_its_period) is not None:
            terminated += 1
    suspended = Service.objects.filter(status=ServiceStatus.SUSPENDED).select_related("product", "client")
    for service in suspended.iterator():
        # The rule staff's Unsuspend follows: back once the charge it posts at once is covered (a
        # one-time price not charged yet too, which the period's price alone left out before).
        if service.suspension_reason == INSUFFICIENT_FUNDS and rules.unsuspend_uncovered_charge(
                service, funds=funds(Client.objects.get(pk=service.client_id)), now=now) is None:
            # A module step that failed (an unsuspend, a suspend) waits for staff's Retry, as a failed
            # create does: the job does not ask the module again every pass.
            if service.provision_status != ProvisionStatus.ERROR:
                try:
                    back = _unsuspend(service.pk, now=now, still=rules.suspended_for_funds)
                    if back is not None and back.status == ServiceStatus.ACTIVE:
                        unsuspended += 1
                except InsufficientFunds:  # spent meanwhile: the next pass looks again
                    pass
            continue
        # Their cancellation aside (above), only those suspended for funds end; staff decide about theirs.
        if rules.ends_unpaid(service, now=now) and \
                _terminate(service.pk, now=now, still=rules.ends_unpaid) is not None:
            terminated += 1
    return {"unsuspended": unsuspended, "terminated": terminated}

