"""Signed webhooks end to end: events written with their transaction, delivered after commit to a
real local receiver that verifies the Standard Webhooks signature, retried with back-off, in order
per client, an endpoint disabled only after 24 hours and 10 failed attempts (or at once by 410)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import socket
import threading
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.clients.models import Client
from clientpanel.clients.services import client_create, client_update
from clientpanel.core.errors import NotFound, ValidationFailed
from clientpanel.core.models import OutboxMessage
from clientpanel.core.outbox import outbox_drain
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post
from clientpanel.notifications.models import EmailMessage
from clientpanel.webhooks import services
from clientpanel.webhooks.delivery import DISABLE_AFTER_ATTEMPTS, WEBHOOK_RETRY
from clientpanel.webhooks.models import MessageStatus, WebhookAttempt, WebhookEndpoint, WebhookMessage
from clientpanel.webhooks.services import job_purge_webhooks
from conftest import client_data
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def endpoint(receiver, staff):
    endpoint, secret = services.endpoint_create(actor=staff, data={"url": receiver.url, "description": "CRM"})
    receiver.secret = secret
    return endpoint


def test_the_retry_policy_spans_three_days():
    total = sum((WEBHOOK_RETRY.delay(n) for n in range(1, WEBHOOK_RETRY.max_attempts)), dt.timedelta(0))
    assert dt.timedelta(days=3) <= total < dt.timedelta(days=3, hours=7)


def test_an_event_is_delivered_after_commit_signed_with_the_endpoints_secret(endpoint, receiver, staff,
                                                                             django_capture_on_commit_callbacks):
    assert endpoint.secret.startswith("whsec_")
    with django_capture_on_commit_callbacks(execute=True):
        client = client_create(actor=staff, data=client_data(company_name="Acme"))
    [received] = receiver.accepted()
    assert received.verified and received.event == "client.created" and received.path == "/hooks"
    data = received.body["data"]
    assert data["client_id"] == str(client.pk) and data["client"]["number"] == client.number
    assert data["client"]["billing_address"]["country"] == "PL" and data["client"]["balance"] == "0.0000"
    assert received.body["timestamp"].endswith("Z")
    message = WebhookMessage.objects.get()
    assert received.message_id == message.public_id and message.public_id.startswith("msg_")
    assert message.status == MessageStatus.DELIVERED and message.attempts == 1
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code == 200 and attempt.response_body == "ok" and attempt.succeeded


def test_a_rolled_back_transaction_delivers_nothing(endpoint, receiver, staff):
    with pytest.raises(RuntimeError), transaction.atomic():
        client_create(actor=staff, data=client_data())
        raise RuntimeError("the caller changed its mind")
    outbox_drain()
    assert receiver.received == [] and not WebhookMessage.objects.exists()


def test_an_endpoint_gets_the_events_it_takes_and_only_those_after_it_exists(receiver, staff):
    earlier = client_create(actor=staff, data=client_data())
    _endpoint, receiver.secret = services.endpoint_create(
        actor=staff, data={"url": receiver.url, "events": ["ledger.entry_posted", "client.updated"]})
    client_update(actor=staff, client_id=earlier.pk, data={"company_name": "Renamed Ltd"})
    client_create(actor=staff, data=client_data())  # not taken
    entry_post(client_id=earlier.pk, type=EntryType.ADJUSTMENT, net=Decimal("12.5"), description="Top-up")
    outbox_drain()
    assert [r.event for r in receiver.accepted()] == ["client.updated", "ledger.entry_posted"]
    updated, posted = (r.body["data"] for r in receiver.accepted())
    assert updated["fields"] == ["company_name", "display_name"] and updated["client"]["company_name"] == "Renamed Ltd"
    assert posted["transaction"]["gross"] == "12.5000" and posted["balance_after"] == "12.5000"
    assert all(r.verified for r in receiver.accepted())


def test_a_failing_receiver_gets_each_event_once_and_in_order_per_client_when_it_recovers(endpoint, receiver, staff):
    first = client_create(actor=staff, data=client_data())
    second = client_create(actor=staff, data=client_data())
    receiver.script.extend([503, 500])  # the first two requests fail: first's and second's creation
    for client in (first, second, first, second):
        entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("1"), description="Top-up")
    moment = timezone.now()
    outbox_drain(now=moment)
    # Both creations failed; every later message waits for its client's, spending no attempt.
    assert receiver.accepted() == []
    assert WebhookMessage.objects.filter(status=MessageStatus.RETRYING).count() == 2
    assert WebhookAttempt.objects.count() == 2
    for _ in range(6):
        moment += dt.timedelta(minutes=5)
        outbox_drain(now=moment)
    accepted = receiver.accepted()
    assert len(accepted) == 6 and len({r.message_id for r in accepted}) == 6
    for client in (first, second):
        mine = [(r.event, r.body["data"].get("sequence")) for r in accepted
                if r.body["data"]["client_id"] == str(client.pk)]
        assert mine == [("client.created", None), ("ledger.entry_posted", 1), ("ledger.entry_posted", 2)]
    assert not WebhookMessage.objects.exclude(status=MessageStatus.DELIVERED).exists()
    assert WebhookAttempt.objects.filter(status_code__gte=500).count() == 2
    endpoint.refresh_from_db()
    assert endpoint.failed_attempts == 0 and endpoint.failing_since is None and endpoint.is_active


def test_an_endpoint_is_disabled_only_after_24_hours_and_10_failed_attempts(endpoint, receiver, staff):
    receiver.script.extend([500] * 100)
    client_create(actor=staff, data=client_data())
    start = timezone.now()
    moment = start
    while WebhookEndpoint.objects.get().is_active:
        outbox_drain(now=moment)
        moment += dt.timedelta(minutes=30)
        assert moment - start < dt.timedelta(days=3), "never disabled"
    endpoint.refresh_from_db()
    assert endpoint.disabled_at - start >= dt.timedelta(hours=24)
    assert endpoint.failed_attempts >= DISABLE_AFTER_ATTEMPTS
    assert "Every delivery failed for 24 hours" in endpoint.disabled_reason
    assert WebhookMessage.objects.get().status == MessageStatus.FAILED
    assert OutboxMessage.objects.get(topic="webhooks").status == "given_up"
    # Switched on again by staff: the failures are forgotten, the message can be replayed.
    services.endpoint_update(actor=staff, endpoint_id=endpoint.pk, data={"is_active": True})
    receiver.script.clear()
    message = WebhookMessage.objects.get()
    services.message_replay(actor=staff, endpoint_id=endpoint.pk, message_id=message.public_id)
    outbox_drain()
    assert [r.message_id for r in receiver.accepted()] == [message.public_id]


def test_24_hours_of_failures_with_fewer_than_10_attempts_keep_the_endpoint(endpoint, receiver, staff):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - dt.timedelta(hours=30),
                                                          failed_attempts=DISABLE_AFTER_ATTEMPTS - 2)
    receiver.script.extend([500, 500])
    client_create(actor=staff, data=client_data())
    outbox_drain()
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.failed_attempts == DISABLE_AFTER_ATTEMPTS - 1
    outbox_drain(now=timezone.now() + dt.timedelta(minutes=1))
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.failed_attempts == DISABLE_AFTER_ATTEMPTS


def test_410_gone_disables_the_endpoint_at_once(endpoint, receiver, staff):
    receiver.script.append(410)
    client_create(actor=staff, data=client_data())
    client_create(actor=staff, data=client_data())
    assert outbox_drain()["given_up"] == 1
    endpoint.refresh_from_db()
    assert not endpoint.is_active and "410" in endpoint.disabled_reason
    assert list(WebhookMessage.objects.values_list("status", flat=True)) == [MessageStatus.FAILED] * 2
    assert len(receiver.received) == 1
    # Staff holding Settings are told, each in its language; others are not.
    [told] = EmailMessage.objects.filter(template="webhook_disabled")
    assert told.recipient == staff.email and receiver.url in told.subject and "410 Gone" in told.body_text
    assert f"/staff/settings/webhooks/{endpoint.pk}/" in told.body_text


def test_the_disabling_email_speaks_each_staff_members_language(endpoint, receiver, staff):
    polish = staff_create(email="szef@example.com", password="correct-horse-battery", roles=["Administrator"])
    User.objects.filter(pk=polish.pk).update(language="pl")
    staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    receiver.script.append(410)
    client_create(actor=staff, data=client_data())
    outbox_drain()
    told = {m.recipient: m for m in EmailMessage.objects.filter(template="webhook_disabled")}
    assert set(told) == {staff.email, polish.email}
    assert "Odbiorca odpowiedział 410 Gone: poprosił" in told[polish.email].body_text
    assert told[polish.email].subject.startswith("Wstrzymano webhooki")
    assert "The receiver answered 410 Gone" in told[staff.email].body_text


def test_redirects_are_not_followed_and_slow_receivers_time_out(endpoint, receiver, staff, settings):
    settings.WEBHOOKS_TIMEOUT = 0.5
    receiver.script.extend([302, 1.5])
    client_create(actor=staff, data=client_data())
    outbox_drain()
    outbox_drain(now=timezone.now() + dt.timedelta(minutes=1))
    redirected, timed_out = WebhookAttempt.objects.order_by("id")
    assert redirected.status_code == 302 and "not now" in redirected.response_body
    assert len(redirected.response_body) == 1024
    assert timed_out.status_code is None and "No answer within 0.5 seconds" in timed_out.error
    deadline = time.monotonic() + 5
    while len(receiver.received) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # the stalled request is recorded when its handler wakes up
    assert [r.path for r in receiver.received] == ["/hooks", "/hooks"]  # never /elsewhere


def test_the_test_event_goes_to_its_endpoint_alone(endpoint, receiver, staff):
    other, _secret = services.endpoint_create(actor=staff, data={"url": receiver.url + "/other"})
    services.endpoint_test_send(actor=staff, endpoint_id=endpoint.pk)
    outbox_drain()
    [received] = receiver.accepted()
    assert received.event == "webhook.test" and received.verified and received.path == "/hooks"
    assert not WebhookMessage.objects.filter(endpoint=other).exists()


def test_a_rotated_secret_signs_what_is_sent_from_then_on(endpoint, receiver, staff):
    old = receiver.secret
    _endpoint, new = services.endpoint_secret_rotate(actor=staff, endpoint_id=endpoint.pk)
    assert new != old and new.startswith("whsec_")
    client_create(actor=staff, data=client_data())
    outbox_drain()
    assert not receiver.accepted()[0].verified  # the receiver still holds the old secret
    receiver.secret = new
    services.endpoint_test_send(actor=staff, endpoint_id=endpoint.pk)
    outbox_drain()
    assert receiver.accepted()[1].verified


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://example.com/hooks", "Use an http:// or https:// URL."),
    ("http:///nohost", "The URL has no host."),
    ("https://user:pw@example.com/", "Put no user name or password in the URL"),
    ("http://127.0.0.1:8000/hooks", "a private, loopback or reserved address"),
    ("http://10.1.2.3/hooks", "a private, loopback or reserved address"),
    ("http://169.254.169.254/latest/meta-data", "a private, loopback or reserved address"),
    ("http://[::1]/hooks", "a private, loopback or reserved address"),
    ("http://[::ffff:192.168.0.1]/hooks", "a private, loopback or reserved address"),
    ("http://localhost/hooks", "a private, loopback or reserved address"),
    ("http://[64:ff9b::7f00:1]/hooks", "a private, loopback or reserved address"),  # NAT64 of 127.0.0.1
    ("http://[2002:c0a8:101::1]/hooks", "a private, loopback or reserved address"),  # 6to4 of 192.168.1.1
    ("http://[::127.0.0.1]/hooks", "a private, loopback or reserved address"),  # IPv4-compatible
    ("http://2130706433/hooks", "a private, loopback or reserved address"),  # 127.0.0.1 as a number
    ("http://127.0.0.1:0/hooks", "Port 0 cannot be called."),
    ("http://127.0.0.1/a b", "A URL has no spaces"),
    ("http://no-such-host.invalid/hooks", "cannot be resolved"),
    ("", "Enter the URL that receives the webhooks."),
])
def test_a_url_that_cannot_be_called_is_a_field_error(staff, settings, url, message):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(ValidationFailed) as refused:
        services.endpoint_create(actor=staff, data={"url": url})
    assert message in " ".join(refused.value.fields["url"])
    assert not WebhookEndpoint.objects.exists()


def test_bad_endpoint_fields_are_refused_each_with_its_reason(staff):
    with pytest.raises(ValidationFailed) as refused:
        services.endpoint_create(actor=staff, data={"url": "http://127.0.0.1/x", "events": ["client.deleted"],
                                                    "description": "a\nb", "is_active": "yes", "secret": "mine"})
    assert set(refused.value.fields) == {"events", "description", "is_active", "secret"}


def test_a_delivery_to_an_address_refused_later_fails_without_a_request(endpoint, receiver, staff, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False  # the endpoint was accepted while private addresses were allowed
    client_create(actor=staff, data=client_data())
    outbox_drain()
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and "private, loopback or reserved" in attempt.error
    assert receiver.received == []


def test_run_automation_at_a_time_attempts_what_is_due_then(endpoint, receiver, staff):
    receiver.script.append(503)
    client_create(actor=staff, data=client_data())
    outbox_drain()
    message = WebhookMessage.objects.get()
    assert message.status == MessageStatus.RETRYING
    early = message.next_attempt_at - dt.timedelta(seconds=5)
    call_command("run_automation", "--once", "--at", early.isoformat(), stdout=io.StringIO())
    assert receiver.accepted() == []
    call_command("run_automation", "--once", "--at", message.next_attempt_at.isoformat(), stdout=io.StringIO())
    [received] = receiver.accepted()
    assert received.message_id == message.public_id and received.verified
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED and message.delivered_at == message.next_attempt_at


def test_an_import_sends_one_import_completed_and_no_client_created(endpoint, receiver, staff, tmp_path):
    from clientpanel.clients.tests.test_imports import csv_bytes, row

    path = tmp_path / "clients.csv"
    path.write_bytes(csv_bytes(row(1), row(2), row(3)))
    call_command("import_clients", str(path), "--commit", stdout=io.StringIO())
    outbox_drain()
    [received] = receiver.accepted()
    assert received.event == "import.completed" and received.verified
    assert (received.body["data"]["created"], received.body["data"]["rejected"]) == (3, 0)


def raw_receiver(answer):
    """A TCP server on 127.0.0.1 that reads one request per connection and then runs answer(conn)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/hooks", listener


def test_a_path_in_other_letters_is_sent_percent_encoded(receiver, staff):
    _endpoint, receiver.secret = services.endpoint_create(actor=staff, data={"url": receiver.url + "/ścieżka?q=ż"})
    client_create(actor=staff, data=client_data())
    outbox_drain()
    [received] = receiver.accepted()
    assert received.path == "/hooks/%C5%9Bcie%C5%BCka?q=%C5%BC" and received.verified


def test_the_timeout_bounds_the_whole_exchange_however_slowly_the_answer_drips(staff, settings):
    settings.WEBHOOKS_TIMEOUT = 1.0

    def drip(conn):
        with contextlib.suppress(OSError):
            for byte in b"HTTP/1.1 200 OK\r\n\r\n":  # a byte every 0.3 s: each read is quick, the answer is not
                time.sleep(0.3)
                conn.sendall(bytes([byte]))

    url, listener = raw_receiver(drip)
    services.endpoint_create(actor=staff, data={"url": url})
    client_create(actor=staff, data=client_data())
    started = time.monotonic()
    outbox_drain()
    listener.close()
    attempt = WebhookAttempt.objects.get()
    assert time.monotonic() - started < 3 and attempt.duration_ms < 2000
    assert attempt.status_code is None and "No answer within 1.0 seconds" in attempt.error


def test_a_2xx_whose_body_stalls_is_delivered_not_sent_again(staff, settings):
    settings.WEBHOOKS_TIMEOUT = 1.0

    def stall(conn):
        with contextlib.suppress(OSError):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nok")
            time.sleep(3)

    url, listener = raw_receiver(stall)
    services.endpoint_create(actor=staff, data={"url": url})
    client_create(actor=staff, data=client_data())
    outbox_drain()
    listener.close()
    attempt = WebhookAttempt.objects.get()
    assert (attempt.status_code, attempt.response_body, attempt.error) == (200, "ok", "") and attempt.succeeded
    assert WebhookMessage.objects.get().status == MessageStatus.DELIVERED


def test_after_disabling_and_switching_on_again_a_replay_is_the_only_way_out(endpoint, receiver, staff):
    receiver.script.extend([500, 410])
    client_create(actor=staff, data=client_data())
    outbox_drain()  # 500: retrying
    services.endpoint_test_send(actor=staff, endpoint_id=endpoint.pk)
    outbox_drain()  # the test event: 410, the endpoint is disabled, the retrying message fails
    assert set(OutboxMessage.objects.filter(topic="webhooks").values_list("status", flat=True)) == {"given_up"}
    services.endpoint_update(actor=staff, endpoint_id=endpoint.pk, data={"is_active": True})
    message = WebhookMessage.objects.get(event="client.created")
    services.message_replay(actor=staff, endpoint_id=endpoint.pk, message_id=message.public_id)
    outbox_drain(now=timezone.now() + dt.timedelta(hours=1))
    assert [r.message_id for r in receiver.received].count(message.public_id) == 2  # the 500, then the replay


def test_a_deleted_endpoint_is_gone_at_once_and_purged_with_its_log_a_day_later(endpoint, receiver, staff):
    receiver.script.append(500)
    client_create(actor=staff, data=client_data())
    outbox_drain()
    services.endpoint_delete(actor=staff, endpoint_id=endpoint.pk)
    assert WebhookMessage.objects.get().status == MessageStatus.FAILED
    assert OutboxMessage.objects.get(topic="webhooks").status == "given_up"
    with pytest.raises(NotFound):
        services.endpoint_update(actor=staff, endpoint_id=endpoint.pk, data={"description": "x"})
    client_create(actor=staff, data=client_data())
    assert WebhookMessage.objects.count() == 1  # nothing new is written for it
    assert job_purge_webhooks(now=timezone.now())["purged"] == 0
    assert job_purge_webhooks(now=timezone.now() + dt.timedelta(days=2))["purged"] == 2  # the endpoint, its message
    assert not WebhookEndpoint.objects.exists() and not WebhookAttempt.objects.exists()


def test_settled_messages_are_purged_after_30_days(endpoint, receiver, staff):
    client_create(actor=staff, data=client_data())
    outbox_drain()
    assert job_purge_webhooks(now=timezone.now() + dt.timedelta(days=29))["purged"] == 0
    assert job_purge_webhooks(now=timezone.now() + dt.timedelta(days=31))["purged"] == 1
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_deleting_an_endpoint_while_an_event_is_being_published_fails_nothing(staff, receiver):
    endpoint, _secret = services.endpoint_create(actor=staff, data={"url": receiver.url})
    written, deleted = threading.Event(), threading.Event()
    outcome = {}

    def publish():
        try:
            with transaction.atomic():
                client_create(actor=staff, data=client_data())
                written.set()
                deleted.wait(10)
            outcome["ok"] = True
        except Exception as error:
            outcome["error"] = error
        finally:
            connection.close()

    worker = threading.Thread(target=publish)
    worker.start()
    assert written.wait(10)
    if connection.vendor == "sqlite":
        deleted.set()  # one writer at a time: the deletion waits for the publishing commit
        worker.join(10)
        services.endpoint_delete(actor=staff, endpoint_id=endpoint.pk)
    else:
        services.endpoint_delete(actor=staff, endpoint_id=endpoint.pk)
        deleted.set()
        worker.join(10)
    assert outcome == {"ok": True}
    assert Client.objects.count() == 1


def test_hot_publishers_learn_cheaply_whether_an_endpoint_takes_their_event(receiver, staff, monkeypatch,
                                                                          django_assert_num_queries):
    from clientpanel.core.events import has_subscribers
    from clientpanel.ledger.events import LedgerEntryPosted
    from clientpanel.webhooks import subscribers

    subscribers.listening_forget()
    assert not has_subscribers(LedgerEntryPosted)
    with django_assert_num_queries(0):  # answered from the process's copy, not the database
        assert not has_subscribers(LedgerEntryPosted)
    client = client_create(actor=staff, data=client_data())
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("1"))
    assert not WebhookMessage.objects.exists()

    # Saved in this process: known at once, whichever code saves it.
    only_clients, _ = services.endpoint_create(actor=staff, data={"url": receiver.url, "events": ["client.created"]})
    assert not has_subscribers(LedgerEntryPosted)
    services.endpoint_update(actor=staff, endpoint_id=only_clients.pk, data={"events": ["ledger.entry_posted"]})
    assert has_subscribers(LedgerEntryPosted)
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("2"))
    assert WebhookMessage.objects.get().event == "ledger.entry_posted"

    # Changed by another process (no save here): seen within LISTENING_TTL.
    WebhookEndpoint.objects.update(is_active=False)
    assert has_subscribers(LedgerEntryPosted)  # a stale yes costs only on_events' own query
    monkeypatch.setattr(subscribers, "LISTENING_TTL", 0.0)
    assert not has_subscribers(LedgerEntryPosted)
    WebhookEndpoint.objects.update(is_active=True, events=[])  # none listed: every event
    assert has_subscribers(LedgerEntryPosted)
