"""The webhooks API: settings:write for every call, the secret answered once (create, rotate),
strict input, the delivery log and replay."""

import pytest

from clientpanel.accounts.services import api_token_create, staff_create
from clientpanel.clients.services import client_create
from clientpanel.core.outbox import outbox_drain
from clientpanel.webhooks.models import WebhookEndpoint
from conftest import Api, client_data
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def test_create_list_change_rotate_and_delete(api, receiver):
    created = api.post("/webhooks", {"url": receiver.url, "events": ["document.paid", "client.created"],
                                     "description": "CRM"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["events"] == ["client.created", "document.paid"]
    webhook_id = body["id"]
    listed = api.get("/webhooks").json()
    assert listed["count"] == 1 and "secret" not in listed["results"][0]
    assert "secret" not in api.get(f"/webhooks/{webhook_id}").json()
    changed = api.patch(f"/webhooks/{webhook_id}", {"events": [], "is_active": False}).json()
    assert changed["events"] == [] and changed["is_active"] is False
    rotated = api.post(f"/webhooks/{webhook_id}/rotate-secret", {}).json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != body["secret"]
    assert WebhookEndpoint.objects.get().secret == rotated["secret"]
    assert api.delete(f"/webhooks/{webhook_id}").status_code == 204
    assert api.get(f"/webhooks/{webhook_id}").status_code == 404


def test_the_log_lists_attempts_and_a_message_can_be_replayed(api, receiver, staff):
    body = api.post("/webhooks", {"url": receiver.url}).json()
    receiver.secret = body["secret"]
    receiver.script.append(500)
    client_create(actor=staff, data=client_data())
    outbox_drain()
    log = api.get(f"/webhooks/{body['id']}/messages").json()
    [message] = log["results"]
    assert log["count"] == 1 and message["status"] == "RETRYING" and message["event"] == "client.created"
    assert message["attempts_made"][0]["status_code"] == 500
    refused = api.post(f"/webhooks/{body['id']}/messages/{message['id']}/replay", {})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "message_pending"
    test = api.post(f"/webhooks/{body['id']}/test", {})
    assert test.status_code == 202 and test.json()["event"] == "webhook.test"
    assert api.post(f"/webhooks/{body['id']}/messages/msg_nope/replay", {}).status_code == 404
    assert api.post(f"/webhooks/{body['id']}/messages/msg_%00/replay", {}).status_code == 404


@pytest.mark.parametrize("payload", [
    {"url": "gopher://example.com"},
    {"url": 42},
    {"url": "https://127.0.0.1", "events": ["client.deleted"]},
    {"url": "https://127.0.0.1", "events": "client.created"},
    {"url": "https://127.0.0.1", "secret": "whsec_mine"},
    {"url": "https://127.0.0.1", "is_active": "yes"},
    {"url": "https://127.0.0.1/" + "x" * 1000},
    {"url": "https://127.0.0.1", "description": "two\nlines"},
    {},
])
def test_bad_input_is_a_422_and_writes_nothing(api, payload):
    answer = api.post("/webhooks", payload)
    assert answer.status_code == 422, answer.content
    assert answer.json()["error"]["fields"]
    assert not WebhookEndpoint.objects.exists()


def test_a_token_without_settings_write_is_refused(client, api):
    assert api.post("/webhooks", {"url": "https://127.0.0.1/hooks"}).status_code == 201
    member = staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    _, secret = api_token_create(user=member)
    support = Api(client, secret)
    for answer in (support.get("/webhooks"), support.post("/webhooks", {"url": "https://127.0.0.1/x"}),
                   support.delete(f"/webhooks/{WebhookEndpoint.objects.get().pk}")):
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "missing_scope"
    assert WebhookEndpoint.objects.count() == 1
