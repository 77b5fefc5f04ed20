"""What a service's state allows (SPEC §9), for the services, the staff panel, the API and the portal."""

from __future__ import annotations

from .models import ProvisionStatus, Service, ServiceStatus

ENDED = (ServiceStatus.TERMINATED, ServiceStatus.CANCELLED)


def can_be_suspended(service: Service) -> bool:
    return service.status == ServiceStatus.ACTIVE


def can_be_unsuspended(service: Service) -> bool:
    return service.status == ServiceStatus.SUSPENDED


def can_be_terminated(service: Service) -> bool:
    return service.status not in ENDED


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
