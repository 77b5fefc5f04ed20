"""An erasure is published as the client.updated a client edit publishes (GDPR art. 19: recipients
are told), in its transaction, after the client's older webhook bodies were replaced: the message
it leaves carries the erased client, not the personal data and not a blank body."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from clientpanel.clients.events import ClientUpdated
from clientpanel.clients.models import Client
from clientpanel.clients.services import client_update
from clientpanel.core.tests.recording import recorded_events
from clientpanel.privacy.services import client_erase
from clientpanel.webhooks.models import WebhookEndpoint, WebhookMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint():
    now = timezone.now()
    return WebhookEndpoint.objects.create(url="https://crm.example.com/hook", secret="whsec_x", is_active=True,
                                          events=["client.updated"], created_at=now, updated_at=now)


def test_an_erasure_publishes_client_updated_whose_webhook_carries_the_erased_client(make_client, endpoint):
    client = make_client(firstname="Maria", lastname="Kowalska", company_name="Kowalska Hosting",
                         phone="+48 22 123 45 67")
    client_update(actor=None, client_id=client.pk, data={"id_number": "ID-1234"})
    assert "Kowalska" in WebhookMessage.objects.get(event="client.updated").body  # an edit before: its copy
    with recorded_events(ClientUpdated) as events:
        client_erase(actor=None, client_id=client.pk, confirm=client.number)
    assert len(events) == 1 and events[0].client_id == client.pk
    assert {"firstname", "lastname", "company_name", "display_name", "phone", "status", "addresses",
            "owner"} <= set(events[0].fields)
    bodies = [json.loads(m.body) for m in WebhookMessage.objects.filter(ordering_key=str(client.pk)).order_by("pk")]
    assert bodies[0] == {"erased": True}  # the edit's copy is replaced, as before
    sent = bodies[-1]
    assert sent["type"] == "client.updated"
    erased = sent["data"]["client"]
    assert erased["display_name"] == f"Erased client {client.number}" and erased["status"] == "CLOSED"
    assert (erased["company_name"], erased["phone"], erased["id_number"]) == ("", "", "")
    assert erased["owner"]["email"].endswith("@erased.invalid") and erased["owner"]["lastname"] == ""
    assert erased["billing_address"]["address1"] == "" and erased["billing_address"]["country"] == "PL"
    assert "Kowalska" not in json.dumps(sent) and "123 45 67" not in json.dumps(sent)


def test_an_erasure_leaves_no_vies_answer_for_the_tax_id_it_removed(make_client):
    client = make_client(company_name="Kowalska Hosting", tax_id="PL5260250995")
    Client.objects.filter(pk=client.pk).update(vies_status="VALID", vies_checked_at=timezone.now())
    client_erase(actor=None, client_id=client.pk, confirm=client.number)
    erased = Client.objects.get(pk=client.pk)
    assert (erased.tax_id, erased.vies_status, erased.vies_checked_at) == ("", "UNCHECKED", None)
