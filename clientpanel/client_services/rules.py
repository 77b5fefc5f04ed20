"""What a service's state allows (SPEC §9), for the services, the staff panel, the API and the portal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from clientpanel.clients.models import Client
from clientpanel.clients.rules import takes_new_business

from .calculations import anchor_day_of, period_charge
from .models import INSUFFICIENT_FUNDS, ProvisionStatus, Service, ServiceStatus

ENDED = (ServiceStatus.TERMINATED, ServiceStatus.CANCELLED)


def client_takes_orders(client: Client) -> bool:
    """Whether a new service may be ordered for the client (service_order asks it of the locked
    row): not once it is closed or marked as fraud (clients.rules.takes_new_business), by staff, the
    API or the portal alike. Its services already running follow their own rules."""
    return takes_new_business(client.status)


def can_be_suspended(service: Service) -> bool:
    return service.status == ServiceStatus.ACTIVE


def can_be_unsuspended(service: Service) -> bool:
    return service.status == ServiceStatus.SUSPENDED


def suspended_for_funds(service: Service, *, now: dt.datetime | None = None) -> bool:
    """Suspended by billing for insufficient funds (the credit job brings it back once they cover
    its next charge); one staff suspended waits for them."""
    return service.status == ServiceStatus.SUSPENDED and service.suspension_reason == INSUFFICIENT_FUNDS


def ends_unpaid(service: Service, *, now: dt.datetime) -> bool:
    """Suspended for insufficient funds longer than its product's termination delay: the credit job
    terminates it (suspended by staff, it waits for them). Reads service.product."""
    return (suspended_for_funds(service) and service.suspended_at is not None
            and service.suspended_at + dt.timedelta(hours=service.product.termination_delay_hours) <= now)


def ends_with_its_period(service: Service, *, now: dt.datetime) -> bool:
    """Cancelled at the end of its period, and that period is over: the credit job terminates it —
    suspended meanwhile too (by staff, or for funds), as WHMCS ends an end-of-period cancellation
    whatever its suspension; a suspension never keeps it past the end it was asked to end at
    (nothing else would end it: staff's suspension waits for staff, and billing charges it no more).
    MANUAL ones are staff's: automation leaves them alone."""
    return (service.status in (ServiceStatus.ACTIVE, ServiceStatus.SUSPENDED) and service.cancel_requested
            and service.billed_until is not None and service.billed_until <= now)


def charge_on_unsuspend(service: Service, *, now: dt.datetime) -> Decimal:
    """What unsuspending charges at once (lifecycle._unsuspend, then billing.service_charge_due):
    nothing while its paid period runs, when billing never started, after a one-time price was
    charged or once its cancellation is requested; past the paid period billing restarts now, so
    the period starting now (a one-time price not charged yet: itself)."""
    if service.billed_until is None or service.billed_until > now or service.cancel_requested:
        return Decimal(0)
    charge = period_charge(period=service.period, amount=service.amount, hourly_billing=service.product.hourly_billing,
                           start=now, anchor_day=anchor_day_of(now))
    return charge.amount if charge else service.amount


def unsuspend_uncovered_charge(service: Service, *, funds: Decimal, now: dt.datetime) -> Decimal | None:
    """The charge unsuspending would post that the client's funds (balance + credit limit) do not
    cover, for a service suspended for insufficient funds: unsuspended, billing would suspend it
    again at once, so it is refused until funds are added (WHMCS alike). None when it may be
    unsuspended: the charge is covered, or staff (or anything but the funds) suspended it — their
    suspension is lifted as before and its next charges follow the usual rules."""
    if service.suspension_reason != INSUFFICIENT_FUNDS:
        return None
    need = charge_on_unsuspend(service, now=now)
    return need if funds < need else None


def can_be_terminated(service: Service) -> bool:
    return service.status not in ENDED


def never_provisioned(service: Service) -> bool:
    """Its module's create never succeeded (still PENDING: waiting for funds, failed, or creating it
    now): ending it cancels it and gives back what it was charged (services/ending.py)."""
    return service.status == ServiceStatus.PENDING and service.provision_status != ProvisionStatus.COMPLETED


def create_may_have_built(service: Service, *, create_ran: bool) -> bool:
    """Whether cancelling a never-provisioned service must run its module's terminate: a create was
    attempted (`create_ran`: the provisioning log has one) or failed without an answer (provision
    ERROR: a timeout, a crash, a lost worker), and a create that failed that way may have gone on and
    built it anyway. Not while a create is IN_PROGRESS: the provisioning that runs it terminates what
    it made once it returns (services/provisioning.py), and the stalled pass when its worker was lost
    (services/jobs.py), so the terminate runs once, after the create. A create never attempted (still
    waiting for funds) made nothing to remove."""
    if service.provision_status == ProvisionStatus.IN_PROGRESS:
        return False
    return service.provision_status == ProvisionStatus.ERROR or create_ran


def can_be_retried(service: Service) -> bool:
    """Only a step that failed is run again (a pending create, or the last failed module step)."""
    return service.provision_status == ProvisionStatus.ERROR


def runs_module_actions(service: Service) -> bool:
    """Product actions (reboot, reset password…) act on a running service only."""
    return service.status == ServiceStatus.ACTIVE


def can_be_cancelled_at_period_end(service: Service) -> bool:
    """An active service with a recurring price ends when its paid period does (not asked twice)."""
    return (service.status == ServiceStatus.ACTIVE and service.period != "ONE_TIME"
            and service.billed_until is not None and not service.cancel_requested)


def can_withdraw_cancellation(service: Service) -> bool:
    """A cancellation at the end of the period can be taken back while the service still runs."""
    return service.cancel_requested and service.status in (ServiceStatus.ACTIVE, ServiceStatus.SUSPENDED)


def can_be_cancelled_now(service: Service) -> bool:
    """A service not ended yet may be ended at once; MANUAL ones are staff's to handle by hand. Once
    its cancellation is requested it is not requested again: the client keeps the service first
    (withdraws the request), then chooses anew; staff terminate it themselves."""
    return (service.status in (ServiceStatus.PENDING, ServiceStatus.ACTIVE, ServiceStatus.SUSPENDED)
            and not service.cancel_requested)


def cancellation_pending(service: Service) -> bool:
    """A cancellation at the end of the period was requested and the service has not ended yet: it
    ends when its paid period does (billed_until), unless the request is withdrawn."""
    return service.cancel_requested and service.status not in ENDED


def can_request_cancellation(service: Service) -> bool:
    """What the client's Request cancellation offers: some way to end the service, never twice."""
    return can_be_cancelled_at_period_end(service) or can_be_cancelled_now(service)
