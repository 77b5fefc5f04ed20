"""Background tasks: queued after the commit, run once, their progress visible while they run
(outside their own transaction), their result or error kept, a stalled one failed by the job, and
their page shown only to the staff member who started it."""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clientpanel.accounts.services import staff_create
from clientpanel.automation.background import (
    Progress,
    background_task_run,
    background_task_start,
    background_task_state,
    job_fail_stalled_tasks,
)
from clientpanel.automation.models import BackgroundTask, BackgroundTaskStatus
from clientpanel.automation.registry import BACKGROUND
from clientpanel.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

seen: list = []


def counting(*, progress: Progress, upto: int) -> dict:
    """Counts to `upto`; what the progress store holds mid-way is kept to be looked at."""
    for number in range(1, upto + 1):
        progress(number, upto)
        if number == upto // 2:
            task = BackgroundTask.objects.get(status=BackgroundTaskStatus.RUNNING)
            progress._written_at = 0
            progress(number, upto)
            seen.append(background_task_state(task))
    return {"counts": {"done": upto}}


def refusing(*, progress: Progress) -> dict:
    raise ValidationFailed("The file has no header row.")


def crashing(*, progress: Progress) -> dict:
    raise RuntimeError("secret internals")


@pytest.fixture(autouse=True)
def kinds(monkeypatch):
    monkeypatch.setitem(BACKGROUND, "test.counting", counting)
    monkeypatch.setitem(BACKGROUND, "test.refusing", refusing)
    monkeypatch.setitem(BACKGROUND, "test.crashing", crashing)
    seen.clear()


def test_a_task_runs_after_the_commit_reports_progress_and_keeps_its_result(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        task = background_task_start("test.counting", requested_by=staff, arguments={"upto": 10})
        assert task.status == BackgroundTaskStatus.QUEUED
    assert len(callbacks) == 1
    task.refresh_from_db()
    assert task.status == BackgroundTaskStatus.SUCCEEDED
    assert task.result == {"counts": {"done": 10}} and (task.done, task.total) == (10, 10)
    assert task.started_at and task.finished_at
    assert [(state.status, state.done, state.total, state.percent) for state in seen] == [
        (BackgroundTaskStatus.RUNNING, 5, 10, 50)]
    state = background_task_state(task)
    assert state.finished and state.percent == 100


def test_a_task_runs_once_however_often_its_message_comes(staff):
    task = BackgroundTask.objects.create(kind="test.counting", requested_by=staff, arguments={"upto": 2},
                                         created_at=timezone.now())
    background_task_run(task.pk)
    background_task_run(task.pk)
    assert len(seen) == 1


def test_a_domain_error_is_the_tasks_error_and_any_other_is_a_generic_one(staff):
    refused = BackgroundTask.objects.create(kind="test.refusing", requested_by=staff, created_at=timezone.now())
    crashed = BackgroundTask.objects.create(kind="test.crashing", requested_by=staff, created_at=timezone.now())
    background_task_run(refused.pk)
    background_task_run(crashed.pk)
    refused.refresh_from_db()
    crashed.refresh_from_db()
    assert refused.status == crashed.status == BackgroundTaskStatus.FAILED
    assert refused.error == "The file has no header row."
    assert "unexpected error" in crashed.error and "secret" not in crashed.error


def test_a_task_whose_worker_died_is_failed_by_the_job(staff):
    now = timezone.now()
    running = BackgroundTaskStatus.RUNNING
    stalled = BackgroundTask.objects.create(kind="test.counting", requested_by=staff, status=running,
                                            created_at=now - dt.timedelta(hours=1),
                                            started_at=now - dt.timedelta(minutes=20))
    recent = BackgroundTask.objects.create(kind="test.counting", requested_by=staff, status=running,
                                           created_at=now, started_at=now - dt.timedelta(minutes=1))
    forgotten = BackgroundTask.objects.create(kind="test.counting", requested_by=staff,
                                              created_at=now - dt.timedelta(days=2))
    assert job_fail_stalled_tasks(now=now) == {"failed": 2}
    statuses = {task.pk: task.status for task in BackgroundTask.objects.all()}
    assert statuses == {stalled.pk: BackgroundTaskStatus.FAILED, recent.pk: BackgroundTaskStatus.RUNNING,
                        forgotten.pk: BackgroundTaskStatus.FAILED}
    assert "run it again" in BackgroundTask.objects.get(pk=stalled.pk).error


def test_the_task_page_polls_until_the_end_and_is_only_its_starters(client, staff):
    task = BackgroundTask.objects.create(kind="test.counting", requested_by=staff, arguments={"upto": 3},
                                         created_at=timezone.now())
    client.force_login(staff)
    page = client.get(reverse("backoffice:background-task", args=[task.pk]))
    assert page.status_code == 200 and b'hx-trigger="every 1s"' in page.content
    background_task_run(task.pk)
    card = client.get(reverse("backoffice:background-task-progress", args=[task.pk]))
    assert card.status_code == 200 and b"every 1s" not in card.content and b"bg-success" in card.content

    other = staff_create(email="other@example.com", password="correct-horse-battery", firstname="O",
                         lastname="Ther", roles=["Administrator"])
    client.force_login(other)
    assert client.get(reverse("backoffice:background-task", args=[task.pk])).status_code == 404
    assert client.get(reverse("backoffice:background-task-progress", args=[task.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("backoffice:background-task", args=[task.pk])).status_code == 302


def test_an_import_whose_task_stalled_is_failed_with_it_and_can_run_again(staff):
    from clientpanel.clients.models import ClientImport, ClientImportStatus
    from clientpanel.clients.tests.test_imports import csv_bytes, refresh, row, run, upload

    imported = upload(csv_bytes(row(1)), actor=staff)
    now = timezone.now()
    task = BackgroundTask.objects.create(kind="clients.import", requested_by=staff, status=BackgroundTaskStatus.RUNNING,
                                         arguments={"import_id": str(imported.pk), "commit": True},
                                         created_at=now - dt.timedelta(hours=1), started_at=now - dt.timedelta(hours=1))
    ClientImport.objects.filter(pk=imported.pk).update(status=ClientImportStatus.IMPORTING, task_id=task.pk)
    assert job_fail_stalled_tasks(now=now)["failed"] == 1
    imported = refresh(imported)
    assert imported.status == ClientImportStatus.FAILED and "Run it again" in imported.error
    assert run(imported, actor=staff)["counts"]["created"] == 1

