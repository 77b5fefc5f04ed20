"""A bulk action's task started, then Redis failing as its confirmation page's key is saved: the task
runs (its e-mails go out), so the staff member is sent to its page — not a 503 saying to try again,
which would e-mail everybody twice."""

import logging

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse

from clientpanel.automation.models import BackgroundTask

pytestmark = pytest.mark.django_db


class _SetRefused:
    """The cache, whose `set` fails as Redis dropping after the `add` before it."""

    def __getattr__(self, name):
        return getattr(cache, name)

    def set(self, *args, **kwargs):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_a_started_task_is_shown_though_its_key_was_not_saved(staff_client, make_client, monkeypatch, caplog,
                                                              django_capture_on_commit_callbacks):
    target = make_client(company_name="Started Ltd")
    page = staff_client.post(reverse("backoffice:client-bulk"), {"action": "status", "ids": [str(target.pk)]})
    token = page.content.decode().split('name="run_token" value="', 1)[1].split('"', 1)[0]
    monkeypatch.setattr("clientpanel.backoffice.views.bulk.cache", _SetRefused())
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("backoffice:client-bulk-run"), {
            "action": "status", "ids": [str(target.pk)], "set-status": "ACTIVE", "run_token": token})
    task = BackgroundTask.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:background-task", args=[task.pk])
    assert any("was not saved" in record.getMessage() for record in caplog.records)
