"""Huey tasks of services: provisioning queued once an order commits, and the charge job on its own
(the automation app runs the every-minute pass). The services publish ServiceOrdered and never
import this module; apps.py subscribes queue_provisioning to it."""

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import db_task

from .events import ServiceOrdered
from .services import job_charge_services, service_provision


@db_task(retries=1, retry_delay=30)
def provision_service_task(service_id: str) -> str:
    return service_provision(service_id=service_id).status


def queue_provisioning(events: Sequence[ServiceOrdered]) -> None:
    """Queue the provisioning of each ordered service after its order commits; an order rolled back
    queues nothing."""
    for event in events:
        # Robust: the order has committed; a queue that is down must not make it an error (the
        # automation pass provisions what is still pending).
        # (A named function: robust on_commit logs a failure by the callback's __qualname__, which
        # a functools.partial has not.)
        transaction.on_commit(_provisioning_of(str(event.service_id)), robust=True)


def _provisioning_of(service_id: str):
    def queue_provisioning_of_service() -> None:
        provision_service_task(service_id)

    return queue_provisioning_of_service


@db_task()
def charge_services_task(at_iso: str | None = None) -> dict:
    """The charge job on its own; several consumers running it at once split the due services."""
    now = dt.datetime.fromisoformat(at_iso) if at_iso else timezone.now()
    return job_charge_services(now=now)
