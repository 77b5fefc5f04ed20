"""client_create publishes ClientCreated in its transaction; the outbox row exists exactly when
the client does (issue 10)."""

import pytest
from django.db import transaction

from clientpanel.clients.events import ClientCreated
from clientpanel.clients.models import Client
from clientpanel.clients.services import client_create
from clientpanel.core import outbox
from clientpanel.core.errors import ValidationFailed
from clientpanel.core.events import subscribe, unsubscribe
from clientpanel.core.models import OutboxMessage
from clientpanel.core.tests.recording import recorded_events
from conftest import client_data


@pytest.mark.django_db
def test_creating_a_client_publishes_client_created():
    with recorded_events(ClientCreated) as events:
        client = client_create(actor=None, data=client_data())
    assert events == [ClientCreated(client_id=client.pk, number=client.number, owner_id=client.owner_id)]


@pytest.mark.django_db
def test_a_refused_client_publishes_nothing():
    client_create(actor=None, data=client_data(email="taken@example.com"))
    with recorded_events(ClientCreated) as events, pytest.raises(ValidationFailed):
        client_create(actor=None, data=client_data(email="taken@example.com"))
    assert events == []


@pytest.fixture
def client_topic():
    handled = []
    outbox.register_handler("test-clients", lambda message: handled.append(message.payload))
    subscribe(ClientCreated, outbox.writer("test-clients"))
    yield handled
    unsubscribe(ClientCreated, outbox.writer("test-clients"))
    outbox.unregister_handler("test-clients")


@pytest.mark.django_db(transaction=True)
def test_client_created_reaches_the_outbox_only_when_the_client_commits(client_topic):
    with pytest.raises(RuntimeError), transaction.atomic():
        client_create(actor=None, data=client_data(email="rolled@example.com"))
        raise RuntimeError("the caller's transaction fails after the client was created")
    assert not Client.objects.exists() and not OutboxMessage.objects.exists() and client_topic == []

    client = client_create(actor=None, data=client_data())
    assert client_topic == [{"client_id": str(client.pk), "number": client.number, "owner_id": str(client.owner_id)}]
    assert OutboxMessage.objects.get().status == "done"
