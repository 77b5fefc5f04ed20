""""Forgot password" with Huey's Redis down (the throttle's cache answering): the request queues its
look-up as a job (notifications.services.password_reset_request), and the queue's ConnectionError
was a 500 with a traceback. Now a 503 saying to try again shortly, the cause logged as one error
line; nothing was queued, so asking again once Redis is back sends the link."""

import logging
import socket

import pytest
from django.urls import reverse
from huey import RedisHuey
from huey.contrib.djhuey import HUEY

from clientpanel.notifications.models import EmailMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue_down(monkeypatch):
    """Huey as in production (jobs queued, not run inline) on a Redis nothing listens for."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(HUEY, "immediate", False)
    monkeypatch.setattr(HUEY, "storage", RedisHuey("down", url=f"redis://127.0.0.1:{port}/0").storage)
    return port


def test_a_reset_asked_while_the_queue_is_down_answers_503_not_500(client, make_client, queue_down, caplog):
    owner = make_client(password="correct-horse-battery").owner
    EmailMessage.objects.all().delete()
    with caplog.at_level(logging.INFO):
        response = client.post(reverse("portal:password_reset"), {"email": owner.email})
    page = response.content.decode()
    assert response.status_code == 503, page[:300]
    assert "This is unavailable for a moment. Please try again shortly." in page
    assert "Traceback" not in page and "Client area" in page
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1, [record.getMessage() for record in errors]
    assert "POST /portal/password/reset/" in errors[0].getMessage()
    assert str(queue_down) in errors[0].getMessage() and errors[0].exc_info is None
    assert not EmailMessage.objects.exists()


def test_the_reset_page_itself_still_opens(client, queue_down):
    assert client.get(reverse("portal:password_reset")).status_code == 200
