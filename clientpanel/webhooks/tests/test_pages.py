"""Settings → Webhooks in the staff panel: create (the secret shown once), edit, test event, the
delivery log with Replay, rotate, delete; refused to staff without Settings and without CSRF."""

import pytest
from django.test import Client
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.clients.services import client_create
from clientpanel.core.outbox import outbox_drain
from clientpanel.webhooks.models import WebhookEndpoint, WebhookMessage
from conftest import client_data
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def test_create_shows_the_secret_once_then_edit_test_and_replay(staff_client, staff, receiver):
    assert b"No webhook endpoints yet." in staff_client.get(reverse("backoffice:webhook-list")).content
    created = staff_client.post(reverse("backoffice:webhook-create"), {
        "url": receiver.url, "description": "CRM", "events": ["client.created", "document.paid"], "is_active": "on"})
    endpoint = WebhookEndpoint.objects.get()
    detail = reverse("backoffice:webhook-detail", args=[endpoint.pk])
    assert created.status_code == 302 and created["Location"] == detail
    page = staff_client.get(created["Location"]).content.decode()
    assert endpoint.secret in page and "not shown again" in page
    assert endpoint.secret not in staff_client.get(created["Location"]).content.decode()
    receiver.secret = endpoint.secret

    saved = staff_client.post(created["Location"], {"url": receiver.url, "description": "CRM (prod)",
                                                    "events": ["client.created"], "is_active": "on"})
    assert saved.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.description == "CRM (prod)" and endpoint.events == ["client.created"]

    staff_client.post(reverse("backoffice:webhook-test", args=[endpoint.pk]))
    client_create(actor=staff, data=client_data())
    outbox_drain()
    assert sorted(r.event for r in receiver.accepted()) == ["client.created", "webhook.test"]
    log = staff_client.get(created["Location"]).content.decode()
    assert "webhook.test" in log and "client.created" in log and "HTTP 200" in log
    delivered = WebhookMessage.objects.get(event="client.created")
    staff_client.post(reverse("backoffice:webhook-replay", args=[endpoint.pk, delivered.public_id]))
    outbox_drain()
    assert [r.message_id for r in receiver.accepted()].count(delivered.public_id) == 2
    filtered = staff_client.get(created["Location"], {"status": "FAILED"}).content.decode()
    assert "No messages yet." in filtered

    rotated = staff_client.post(reverse("backoffice:webhook-rotate", args=[endpoint.pk]), follow=True)
    endpoint.refresh_from_db()
    assert endpoint.secret != receiver.secret and endpoint.secret in rotated.content.decode()
    staff_client.post(reverse("backoffice:webhook-delete", args=[endpoint.pk]))
    assert not WebhookEndpoint.objects.filter(deleted_at__isnull=True).exists()
    assert b"No webhook endpoints yet." in staff_client.get(reverse("backoffice:webhook-list")).content


def test_a_refused_url_is_a_field_error_and_nothing_is_saved(staff_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    answer = staff_client.post(reverse("backoffice:webhook-create"), {"url": "http://192.168.1.10/hook"})
    assert answer.status_code == 200 and "a private, loopback or reserved address" in answer.content.decode()
    answer = staff_client.post(reverse("backoffice:webhook-create"), {"url": "javascript:alert(1)"})
    assert answer.status_code == 200 and not WebhookEndpoint.objects.exists()


def test_the_endpoint_limit_is_said_on_the_form_and_nothing_is_saved(staff_client, settings, monkeypatch):
    # A refusal that is no field's (the Conflict at the limit) was a 500 on staff forms (views.common.form_page).
    from clientpanel.webhooks import services

    settings.WEBHOOKS_ALLOW_PRIVATE = True
    monkeypatch.setattr(services, "MAX_ENDPOINTS", 1)
    services.endpoint_create(actor=None, data={"url": "http://127.0.0.1:9/first"})
    response = staff_client.post(reverse("backoffice:webhook-create"), {"url": "http://127.0.0.1:9/second",
                                                                        "events": ["client.created"]})
    assert response.status_code == 200
    assert "There are 1 endpoints already, the most there can be; delete one first." in response.content.decode()
    assert "http://127.0.0.1:9/second" in response.content.decode()  # what was typed stays
    assert WebhookEndpoint.objects.count() == 1


def test_a_disabled_endpoint_is_announced_on_the_list(staff_client, staff, receiver):
    endpoint = WebhookEndpoint.objects.create(url=receiver.url, secret="whsec_x", is_active=False,
                                              created_at="2026-11-01T00:00Z", updated_at="2026-11-01T00:00Z",
                                              disabled_at="2026-11-20T10:00Z",
                                              disabled_reason="The receiver answered 410 Gone.")
    page = staff_client.get(reverse("backoffice:webhook-list")).content.decode()
    assert f'id="disabled-{endpoint.pk}"' in page and "410 Gone" in page


def test_staff_without_settings_and_posts_without_csrf_are_refused(client, staff, receiver):
    endpoint = WebhookEndpoint.objects.create(url=receiver.url, secret="whsec_x", created_at="2026-11-01T00:00Z",
                                              updated_at="2026-11-01T00:00Z")
    support = staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    client.force_login(support)
    for name, args in (("webhook-list", []), ("webhook-create", []), ("webhook-detail", [endpoint.pk])):
        assert client.get(reverse(f"backoffice:{name}", args=args)).status_code == 403
    assert client.post(reverse("backoffice:webhook-delete", args=[endpoint.pk])).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff)
    assert strict.post(reverse("backoffice:webhook-delete", args=[endpoint.pk])).status_code == 403
    assert strict.post(reverse("backoffice:webhook-rotate", args=[endpoint.pk])).status_code == 403
    assert WebhookEndpoint.objects.get().secret == "whsec_x"


def test_the_dashboard_tells_settings_staff_of_switched_off_and_failing_endpoints(client, staff, receiver):
    off = WebhookEndpoint.objects.create(url=receiver.url, description="CRM", secret="whsec_x", is_active=False,
                                         created_at="2026-11-01T00:00Z", updated_at="2026-11-01T00:00Z",
                                         disabled_at="2026-11-20T10:00Z", disabled_reason="410 Gone")
    failing = WebhookEndpoint.objects.create(url=receiver.url + "/2", secret="whsec_y", failed_attempts=3,
                                             created_at="2026-11-01T00:00Z", updated_at="2026-11-01T00:00Z",
                                             failing_since="2026-11-22T08:00Z")
    WebhookEndpoint.objects.create(url=receiver.url + "/3", secret="whsec_z", created_at="2026-11-01T00:00Z",
                                   updated_at="2026-11-01T00:00Z")  # healthy: not named
    client.force_login(staff)
    for page in (reverse("backoffice:dashboard"), reverse("backoffice:automation")):
        html = client.get(page).content.decode()
        assert 'id="webhook-health"' in html and "CRM is switched off" in html
        assert reverse("backoffice:webhook-detail", args=[off.pk]) in html
        notice = html.split('id="webhook-health"', 1)[1].split("</div>", 1)[0]
        assert f"{failing.url} fails since" in notice and f"{receiver.url}/3" not in notice
    support = staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    client.force_login(support)
    assert 'id="webhook-health"' not in client.get(reverse("backoffice:dashboard")).content.decode()


def test_staff_limited_to_their_clients_are_refused_webhooks_and_not_offered_them(client, receiver):
    """An endpoint receives every client's events and its log shows their bodies: staff who see
    only their assigned clients may neither read nor add one, holding Settings or not."""
    endpoint = WebhookEndpoint.objects.create(url=receiver.url, secret="whsec_x", created_at="2026-11-01T00:00Z",
                                              updated_at="2026-11-01T00:00Z")
    limited = staff_create(email="limited.admin@example.com", password="correct-horse-battery",
                           roles=["Administrator"], limited_to_assigned_clients=True)
    client.force_login(limited)
    for name, args in (("webhook-list", []), ("webhook-create", []), ("webhook-detail", [endpoint.pk])):
        assert client.get(reverse(f"backoffice:{name}", args=args)).status_code == 403
    refused = client.post(reverse("backoffice:webhook-create"), {
        "url": receiver.url, "description": "Mine", "events": ["client.created"], "is_active": "on"})
    assert refused.status_code == 403 and WebhookEndpoint.objects.count() == 1
    menu = client.get(reverse("backoffice:dashboard")).content.decode()
    assert reverse("backoffice:webhook-list") not in menu
    assert reverse("backoffice:finance-bank-statements") not in menu
