"""The writes of a client's services (SPEC §9), one module per sub-domain: ordering, provisioning,
billing, lifecycle (staff status changes, product actions, credit enforcement) and jobs; what several
of them share is in common.py. Importers use the names below; clientpanel.automation runs the jobs."""

from .billing import charge_batch, job_charge_services, service_charge_due
from .common import unsuspend_waits_for_funds
from .jobs import job_cancel_stale_proformas, job_provision_pending
from .lifecycle import (
    CANCEL_AT_PERIOD_END,
    CANCEL_NOW,
    CANCELLATION_TIMES,
    job_enforce_credit,
    service_action,
    service_cancellation_request,
    service_cancellation_withdraw,
    service_retry,
    service_suspend,
    service_terminate,
    service_unsuspend,
)
from .ordering import first_charge, service_order
from .provisioning import service_provision

__all__ = [
    "CANCELLATION_TIMES",
    "CANCEL_AT_PERIOD_END",
    "CANCEL_NOW",
    "charge_batch",
    "first_charge",
    "job_cancel_stale_proformas",
    "job_charge_services",
    "job_enforce_credit",
    "job_provision_pending",
    "service_action",
    "service_cancellation_request",
    "service_cancellation_withdraw",
    "service_charge_due",
    "service_order",
    "service_provision",
    "service_retry",
    "service_suspend",
    "service_terminate",
    "service_unsuspend",
    "unsuspend_waits_for_funds",
]
