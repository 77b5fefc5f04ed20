"""The API while Redis does not answer: an import's progress is read from its row instead of Redis
(the poll answers), and any other Redis failure that is Redis's (down, silent, full, read-only) is
a 503 in the one error shape with Retry-After — not ninja's catch-all 500, which answered before the
site's 503 page could. A Redis error that is a fault of ours (a wrong command) stays a 500."""

import logging
import socket

import pytest
import redis
from django.utils import timezone
from huey import RedisHuey
from huey.contrib.djhuey import HUEY

from clientpanel.accounts.throttle import SIGN_IN_UNAVAILABLE, ThrottleUnavailable
from clientpanel.automation.models import BackgroundTask, BackgroundTaskStatus
from clientpanel.clients.models import ClientImport

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _importing(staff) -> ClientImport:
    task = BackgroundTask.objects.create(kind="client_import", arguments={}, created_at=timezone.now(), done=3,
                                         total=10, status=BackgroundTaskStatus.RUNNING, started_at=timezone.now())
    return ClientImport.objects.create(file_name="c.csv", status="IMPORTING", task_id=task.pk, created_by=staff)


def _get(client, api_token, imported):
    return client.get(f"/api/v1/imports/{imported.pk}", headers={"Authorization": f"Bearer {api_token}"})


def test_an_import_is_polled_from_its_row_while_redis_is_down(client, staff, api_token, monkeypatch):
    imported = _importing(staff)
    down = RedisHuey("down", url=f"redis://127.0.0.1:{_closed_port()}/0")
    monkeypatch.setattr(HUEY, "storage", down.storage)
    response = _get(client, api_token, imported)
    assert response.status_code == 200, response.content
    assert response.json()["progress"] == {"done": 3, "total": 10}


@pytest.mark.parametrize("error", [redis.exceptions.ConnectionError("Error 111 connecting. Connection refused."),
                                   redis.exceptions.TimeoutError("Timeout reading from socket"),
                                   redis.exceptions.OutOfMemoryError("command not allowed when used memory > "
                                                                     "'maxmemory'."),
                                   redis.exceptions.ReadOnlyError("You can't write against a read only replica.")],
                         ids=lambda error: type(error).__name__)
def test_redis_unavailable_is_a_503_in_the_error_shape(client, staff, api_token, monkeypatch, caplog, error):
    imported = _importing(staff)

    def failing(task):
        raise error

    monkeypatch.setattr("clientpanel.api.imports.background_task_state", failing)
    with caplog.at_level(logging.INFO):
        response = _get(client, api_token, imported)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response.json() == {"error": {"code": "unavailable", "fields": {},
                                         "message": "This is unavailable for a moment. Please try again shortly."}}
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is None, [record.getMessage() for record in errors]
    assert type(error).__name__ in errors[0].getMessage()


def test_the_throttles_refusal_says_its_own_words(client, staff, api_token, monkeypatch):
    imported = _importing(staff)

    def failing(task):
        raise ThrottleUnavailable(SIGN_IN_UNAVAILABLE)

    monkeypatch.setattr("clientpanel.api.imports.background_task_state", failing)
    response = _get(client, api_token, imported)
    assert response.status_code == 503 and response.json()["error"]["message"] == str(SIGN_IN_UNAVAILABLE)


def test_a_wrong_redis_command_stays_a_fault_of_ours(client, staff, api_token, monkeypatch):
    client.raise_request_exception = False
    imported = _importing(staff)

    def failing(task):
        raise redis.exceptions.ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value")

    monkeypatch.setattr("clientpanel.api.imports.background_task_state", failing)
    response = _get(client, api_token, imported)
    assert response.status_code == 500 and response.json()["error"]["code"] == "server_error"
