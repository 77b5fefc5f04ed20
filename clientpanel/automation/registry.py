"""Which automation jobs run, in this order, on every pass. A job is a plain function of its domain,
called as `job(now=...)`, answering a dict of counts; it is idempotent, so a pass that runs twice,
or on two workers at once, changes nothing the second time."""

from collections.abc import Callable
from functools import partial

from clientpanel.client_services.services import (
    job_cancel_stale_proformas,
    job_charge_services,
    job_enforce_credit,
    job_provision_pending,
)
from clientpanel.clients.imports import clients_import_run, clients_import_stalled, job_client_imports_clean_up
from clientpanel.clients.services import clients_bulk_update, job_measure_search_trigrams
from clientpanel.core.idempotency import job_purge_idempotency_keys
from clientpanel.core.outbox import job_drain_outbox
from clientpanel.einvoices.nbp import job_fetch_nbp_rates
from clientpanel.einvoices.sending import job_send_einvoices
from clientpanel.invoicing.services.issuing import job_finish_documents
from clientpanel.notifications.bulk import clients_bulk_email
from clientpanel.notifications.jobs import job_low_balance_warnings, job_proforma_reminders
from clientpanel.notifications.sending import job_send_emails
from clientpanel.payments import bank
from clientpanel.payments.auto_top_up import job_auto_top_up
from clientpanel.reports.dashboard import job_refresh_dashboard
from clientpanel.reports.rollups import job_roll_up_reports
from clientpanel.webhooks.services import job_purge_webhooks

from .background import job_fail_stalled_tasks

JOBS = {
    "provision_pending": job_provision_pending,
    "charge_services": job_charge_services,
    "enforce_credit": job_enforce_credit,
    "cancel_stale_proformas": job_cancel_stale_proformas,
    # After billing (the balances it leaves), before the outbox and e-mail (the receipts it causes).
    "auto_top_up": job_auto_top_up,
    # Documents whose issuing request stopped before their PDF and DocumentIssued (rare).
    "finish_documents": job_finish_documents,
    # The rates foreign-currency e-invoices wait for (where the network allows), then the KSeF
    # e-invoices the jobs before it (and the day's payments) issued.
    "fetch_nbp_rates": job_fetch_nbp_rates,
    "send_einvoices": job_send_einvoices,
    # Last, so what the jobs before it wrote to the outbox is handled in the same pass.
    "drain_outbox": job_drain_outbox,
    "proforma_reminders": job_proforma_reminders,
    "low_balance_warnings": job_low_balance_warnings,
    # And the e-mails the jobs and their events queued (due at the pass's time, retries included).
    "send_emails": job_send_emails,
    "fail_stalled_tasks": job_fail_stalled_tasks,
    "clean_up_client_imports": job_client_imports_clean_up,
    "purge_webhooks": job_purge_webhooks,
    "purge_idempotency_keys": job_purge_idempotency_keys,
    "refresh_dashboard": job_refresh_dashboard,
    "roll_up_reports": job_roll_up_reports,
    "measure_search_trigrams": job_measure_search_trigrams,
}

# What a job does when a staff member presses Run now (Settings → Automation), where that differs
# from the scheduled pass: a snapshot the pass keeps for a few minutes is recomputed at once.
RUN_NOW: dict[str, Callable[..., dict]] = {
    "refresh_dashboard": partial(job_refresh_dashboard, regardless_of_age=True),
}

# Long work people start from a page (automation/background.py): kind -> the domain's function,
# called as function(progress=..., **arguments) and answering its result as a JSON dict.
BACKGROUND: dict[str, Callable[..., dict]] = {
    "clients.import": clients_import_run,
    "clients.bulk": clients_bulk_update,
    "clients.bulk_email": clients_bulk_email,
    bank.UPLOAD_KIND: bank.bank_statement_upload_run,
    bank.RECORD_KIND: bank.bank_statement_record_run,
}

# What a kind does when its task stopped without finishing (the "fail_stalled_tasks" job): called
# as function(**arguments), e.g. an import marks itself no longer busy.
ON_STALLED: dict[str, Callable[..., None]] = {
    "clients.import": clients_import_stalled,
    bank.UPLOAD_KIND: bank.bank_statement_upload_stalled,
}
