"""Huey tasks of services: provisioning queued once an order commits, and the charge job on its own
(the automation app runs the every-minute pass). The services publish ServiceOrdered and never
import this module; apps.py subscribes queue_provisioning to it."""

import datetime as dt
import functools
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
        transaction.on_commit(functools.partial(provision_service_task, str(event.service_id)))


@db_task()
def charge_services_task(at_iso: str | None = None) -> dict:
    """The charge job on its own; several consumers running it at once split the due services."""
    now = dt.datetime.fromisoformat(at_iso) if at_iso else timezone.now()
    return job_charge_services(now=now)
