"""The 503 page while Redis does not answer (config/middleware.py): its "← Back" leads somewhere
that answers — the page asked for (GET), the page a form was sent from (a same-origin Referer),
none otherwise (a POST-only address answers a GET with 405); an htmx request (the task page's
polling) is told in the page's main area instead of an error htmx would not show; and a full or
read-only Redis is answered as a down one, not with a 500."""

import re

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from clientpanel.automation.models import BackgroundTask, BackgroundTaskStatus

pytestmark = pytest.mark.django_db
MESSAGE = "This is unavailable for a moment. Please try again shortly."
RUN = reverse("backoffice:client-bulk-run")
DIRECTORY = "http://testserver" + reverse("backoffice:client-list") + "?q=acme"


class _Full:
    """The cache, whose writes a full Redis (maxmemory, noeviction) refuses."""

    def __getattr__(self, name):
        return getattr(cache, name)

    def add(self, *args, **kwargs):
        raise redis.exceptions.OutOfMemoryError("command not allowed when used memory > 'maxmemory'.")


def _back(page: str) -> str | None:
    found = re.search(r'id="error-back"[^>]*href="([^"]*)"', page)
    return found.group(1).replace("&amp;", "&") if found else None


@pytest.fixture
def bulk_run(staff_client, make_client, monkeypatch):
    target = make_client(company_name="Acme Ltd")
    monkeypatch.setattr("clientpanel.backoffice.views.bulk.cache", _Full())

    def post(**headers):
        return staff_client.post(RUN, {"action": "status", "ids": [str(target.pk)], "set-status": "ACTIVE",
                                       "run_token": "t" * 20}, headers=headers)
    return post


def test_a_full_redis_is_a_503_whose_back_link_is_the_page_the_form_was_on(bulk_run):
    response = bulk_run(Referer=DIRECTORY)
    page = response.content.decode()
    assert response.status_code == 503 and MESSAGE in page and response["Retry-After"] == "60"
    assert _back(page) == DIRECTORY
    assert not BackgroundTask.objects.exists()


@pytest.mark.parametrize("referer", [None, "https://elsewhere.example/staff/clients/"])
def test_no_back_link_to_a_post_only_address_nor_another_site(bulk_run, referer):
    response = bulk_run(**({"Referer": referer} if referer else {}))
    assert response.status_code == 503
    assert _back(response.content.decode()) is None


@pytest.fixture
def task_page_down(staff, monkeypatch):
    """A running task of the staff member, whose page meets a Redis that refuses (read-only)."""
    def down(task):
        raise redis.exceptions.ReadOnlyError("You can't write against a read only replica.")

    monkeypatch.setattr("clientpanel.backoffice.views.background.background_task_state", down)
    return BackgroundTask.objects.create(kind="clients.bulk", arguments={}, created_at=timezone.now(),
                                         status=BackgroundTaskStatus.RUNNING, started_at=timezone.now(),
                                         requested_by=staff)


def test_a_get_goes_back_to_the_page_asked_for(staff_client, task_page_down):
    url = reverse("backoffice:background-task", args=[task_page_down.pk]) + "?from=list"
    response = staff_client.get(url)
    assert response.status_code == 503 and MESSAGE in response.content.decode()
    assert _back(response.content.decode()) == url


def test_the_polled_progress_says_it_in_the_pages_main_area(staff_client, task_page_down):
    page = "http://testserver" + reverse("backoffice:background-task", args=[task_page_down.pk])
    response = staff_client.get(reverse("backoffice:background-task-progress", args=[task_page_down.pk]),
                                headers={"HX-Request": "true", "HX-Current-URL": page})
    assert response.status_code == 200  # htmx swaps no error answer
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("main", "innerHTML")
    part = response.content.decode()
    assert MESSAGE in part and "<html" not in part and "hx-trigger" not in part  # the polling ends
    assert _back(part) == page and response["Retry-After"] == "60"


def test_a_wrong_redis_command_stays_a_500(staff_client, staff, monkeypatch):
    staff_client.raise_request_exception = False

    def wrong(task):
        raise redis.exceptions.ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value")

    monkeypatch.setattr("clientpanel.backoffice.views.background.background_task_state", wrong)
    task = BackgroundTask.objects.create(kind="clients.bulk", arguments={}, created_at=timezone.now(),
                                         status=BackgroundTaskStatus.RUNNING, started_at=timezone.now(),
                                         requested_by=staff)
    assert staff_client.get(reverse("backoffice:background-task", args=[task.pk])).status_code == 500
