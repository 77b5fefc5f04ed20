""""Forgot password" tells nobody by its time whether an address has an account: the request
does the same work for any address — the throttle's counts and one queued job — and the job looks
the address up, renders and queues the message (notifications.services.password_reset_request).
An auditor measured 64 ms for existing addresses against 52 ms for unknown ones when the request
itself rendered the message and wrote its row for existing users only."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.notifications.models import EmailMessage
from clientpanel.notifications.sending import send_due_emails

pytestmark = pytest.mark.django_db

# Values, and the names of savepoints (the cache's writes make them), left out of the statements.
LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b|\"s\d+_x\d+\"")


@pytest.fixture
def queued_jobs(monkeypatch):
    """Huey as in production: a job is queued, not run inline (the tests' immediate mode)."""
    monkeypatch.setattr(HUEY, "immediate", False)
    HUEY.flush()
    yield HUEY
    HUEY.flush()


def _request(client, email: str) -> tuple[list[str], str]:
    """The statements the request ran, their values left out (the addresses and the throttle's
    keys differ), and the page."""
    with CaptureQueriesContext(connection) as queries:
        page = client.post(reverse("portal:password_reset"), {"email": email})
    assert page.status_code == 200
    return [LITERALS.sub("?", query["sql"]) for query in queries.captured_queries], page.content.decode()


def _run_jobs(huey) -> None:
    """What a worker does with the queued jobs (run inline, as immediate mode runs them, so that
    the job does not close the test's database connection as a worker's does after each)."""
    tasks = []
    while (task := huey.dequeue()) is not None:
        tasks.append(task)
    huey.immediate = True
    for task in tasks:
        huey.execute(task)


@pytest.mark.parametrize("who", ["client user", "staff member"])
def test_a_known_and_an_unknown_address_cost_the_request_the_same_work(client, make_client, queued_jobs, who,
                                                                     smtp_server):
    known = (make_client().owner if who == "client user"
             else staff_create(email="forgetful@example.com", password="correct-horse-battery", roles=["Support"]))
    EmailMessage.objects.all().delete()

    known_queries, known_page = _request(client, known.email)
    unknown_queries, unknown_page = _request(client, "nobody-here@example.com")

    assert known_queries == unknown_queries  # the same statements, in the same order
    assert not any("accounts_user" in query or "notifications_" in query for query in known_queries)
    assert known_page.replace(known.email, "@") == unknown_page.replace("nobody-here@example.com", "@")
    assert queued_jobs.pending_count() == 2  # one job for each address
    assert not EmailMessage.objects.exists()

    _run_jobs(queued_jobs)  # the worker: the known address is sent its link, the unknown one nothing
    message = EmailMessage.objects.get()
    assert (message.template, message.recipient, message.user_id) == ("password_reset", known.email, known.pk)
    assert send_due_emails()["sent"] == 1
    (received,) = smtp_server.mailbox.messages
    assert received["To"] == known.email
    link = re.search(r"http://\S+(/portal/password/reset/\S+/)", received.get_body(("plain",)).get_content()).group(1)
    assert link not in message.body_text  # stored, the message holds a placeholder (links.py)
    done = client.post(link, {"password": "a-brand-new-passphrase", "password_again": "a-brand-new-passphrase"})
    assert done.status_code == 200 and User.objects.get(pk=known.pk).check_password("a-brand-new-passphrase")
    assert client.get(link).status_code == 400  # once


def test_the_throttle_still_stops_the_fourth_request_before_any_job_is_queued(client, make_client, queued_jobs):
    owner = make_client().owner
    pages = {_request(client, owner.email)[1] for _ in range(5)}
    assert len(pages) == 1  # the same page each time
    assert queued_jobs.pending_count() == 3  # MAX_RESET_REQUESTS per address
    _run_jobs(queued_jobs)
    assert EmailMessage.objects.filter(template="password_reset", recipient=owner.email).count() == 3


def test_an_inactive_user_is_looked_up_by_the_job_and_sent_nothing(client, make_client, queued_jobs):
    owner = make_client().owner
    User.objects.filter(pk=owner.pk).update(is_active=False)
    EmailMessage.objects.all().delete()
    _request(client, owner.email)
    assert queued_jobs.pending_count() == 1
    _run_jobs(queued_jobs)
    assert not EmailMessage.objects.exists()
