"""run_automation and the automation pass: every job once per pass, in order, each run recorded;
passes running at once charge nothing twice."""

import datetime as dt
import json
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from clientpanel.automation.models import JobRun
from clientpanel.automation.registry import JOBS
from clientpanel.automation.services import automation_pass
from clientpanel.client_services.models import Service, ServiceStatus
from clientpanel.client_services.services import service_order
from clientpanel.client_services.tests.test_billing import charges, funded_client, make_product
from clientpanel.core.models import OutboxMessage
from clientpanel.core.tests.test_outbox import handler, pending_rows, rows  # noqa: F401 — handler is a fixture
from clientpanel.ledger.models import EntryType, LedgerEntry


def test_the_outbox_drains_and_the_emails_go_after_the_jobs_that_write_them():
    assert list(JOBS) == ["provision_pending", "charge_services", "enforce_credit", "cancel_stale_proformas",
                          "auto_top_up", "finish_documents", "fetch_nbp_rates", "send_einvoices", "drain_outbox",
                          "proforma_reminders", "low_balance_warnings", "send_emails", "fail_stalled_tasks",
                          "clean_up_client_imports", "purge_webhooks", "purge_idempotency_keys", "refresh_dashboard",
                          "roll_up_reports", "measure_search_trigrams"]


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_the_others_still_run(monkeypatch):
    def broken(*, now):
        raise RuntimeError("the job broke")

    monkeypatch.setitem(JOBS, "enforce_credit", broken)
    results = automation_pass(trigger="manual")
    assert results["enforce_credit"] == {"error": "RuntimeError: the job broke"}
    assert results["drain_outbox"] == {"done": 0, "failed": 0, "given_up": 0, "purged": 0}
    run = JobRun.objects.get(name="enforce_credit")
    assert run.trigger == "manual" and run.finished_at is not None and "the job broke" in run.error
    assert JobRun.objects.count() == len(JOBS)


@pytest.mark.django_db
def test_run_automation_once_drains_the_outbox(handler, capsys):  # noqa: F811
    pending_rows(2)
    call_command("run_automation", "--once")
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["drain_outbox"] == {"done": 2, "failed": 0, "given_up": 0, "purged": 0}
    assert [row.status for row in rows()] == ["done", "done"] and len(handler.handled) == 2
    assert JobRun.objects.get(name="drain_outbox").counts["done"] == 2


@pytest.mark.django_db
def test_run_automation_at_a_moment_attempts_what_is_due_then(handler):  # noqa: F811
    pending_rows(1)
    handler.failures = 1
    t0 = timezone.now() + dt.timedelta(days=1)
    call_command("run_automation", "--at", t0.isoformat())
    row = OutboxMessage.objects.get()
    assert (row.status, row.next_attempt_at) == ("failed", t0 + dt.timedelta(seconds=30))
    call_command("run_automation", "--at", (t0 + dt.timedelta(seconds=29)).isoformat())
    assert OutboxMessage.objects.get().attempts == 1
    call_command("run_automation", "--at", (t0 + dt.timedelta(seconds=30)).isoformat())
    assert OutboxMessage.objects.get().status == "done"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_passes_at_once_charge_once():
    client = funded_client()
    product, price = make_product()
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    # Committed for real here, so the queued provisioning ran at once (Huey's immediate mode in tests).
    service.refresh_from_db()
    assert service.status == "ACTIVE"
    later = service.activation_date + dt.timedelta(hours=5, minutes=1)
    errors = []

    def run_pass():
        try:
            automation_pass(now=later)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run_pass) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(charges(service)) == 6
    assert LedgerEntry.objects.filter(type=EntryType.CHARGE).count() == 6
    assert Service.objects.get(pk=service.pk).status == ServiceStatus.ACTIVE


@pytest.mark.parametrize(("argv", "message"), [
    (["--at", "2026-02-30T00:00"], "is not a moment"),  # well formed, no such day: a ValueError traceback
    (["--at", "2026-11-24T10:00:00+99:00"], "is not a moment"),
    (["--at", "9999-12-31T23:59:59"], "out of range"),  # every job failed with "date value out of range"
    (["--at", "0001-01-01T00:00"], "out of range"),
    (["--at", "tomorrow"], "not an ISO datetime"),
    (["--once", "--every", "-5"], "--every -5 is out of range"),  # without --once: time.sleep(-5) raised
    (["--once", "--every", "0"], "--every 0 is out of range"),  # without --once: passes without a pause
])
@pytest.mark.django_db
def test_run_automation_refuses_a_moment_or_an_interval_it_cannot_use_and_runs_nothing(argv, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("run_automation", *argv)
    assert not JobRun.objects.exists()
