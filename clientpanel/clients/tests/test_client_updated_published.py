"""Every service that changes what a client's payload shows (clients/schemas.py client_out: its
fields, its owner, its billing address) publishes ClientUpdated in its transaction, naming what
changed; a write that changes nothing of it publishes nothing."""

from __future__ import annotations

import pytest

from clientpanel.clients.events import ClientUpdated
from clientpanel.clients.models import Client
from clientpanel.clients.services import (
    client_transfer_ownership,
    client_update,
    client_user_account_update,
    client_user_link,
    client_vies_check,
    clients_bulk_update,
    group_save,
)
from clientpanel.core.tests.recording import recorded_events

pytestmark = pytest.mark.django_db


def published(events) -> list[tuple]:
    return [(event.client_id, event.fields) for event in events]


def linked(client, email):
    return client_user_link(actor=None, client_id=client.pk, data={
        "email": email, "firstname": "Anna", "lastname": "Nowak", "permissions": []}).user


def test_a_transfer_of_ownership_publishes_the_new_owner(make_client):
    client = make_client()
    user = linked(client, "anna@example.com")
    with recorded_events(ClientUpdated) as events:
        client_transfer_ownership(actor=None, client_id=client.pk, user_id=user.pk)
    assert published(events) == [(client.pk, ("owner",))]


def test_a_vies_answer_that_changes_the_status_is_published_and_the_same_answer_again_is_not(vies, make_client):
    vies.answers = {"PL5260250995": {"valid": True}}
    client = make_client(tax_id="PL5260250995")
    with recorded_events(ClientUpdated) as events:
        assert client_vies_check(client_id=client.pk) == "VALID"
    assert published(events) == [(client.pk, ("vies_status",))]
    with recorded_events(ClientUpdated) as again:
        assert client_vies_check(client_id=client.pk) == "VALID"
    assert again == []


def test_an_unreachable_vies_is_published_as_the_error_it_records(settings, make_client):
    settings.VIES_URL = "http://127.0.0.1:9/nothing-listens-here"
    client = make_client(tax_id="PL5260250995")
    with recorded_events(ClientUpdated) as events:
        assert client_vies_check(client_id=client.pk) == "ERROR"
    assert published(events) == [(client.pk, ("vies_status",))]


def test_a_new_name_of_an_owner_is_published_for_every_client_it_owns(make_client):
    first = make_client()
    second = make_client()
    owner = first.owner
    client_user_link(actor=None, client_id=second.pk, data={"email": owner.email, "permissions": []})
    client_transfer_ownership(actor=None, client_id=second.pk, user_id=owner.pk)
    helper = linked(first, "helper@example.com")
    with recorded_events(ClientUpdated) as events:
        client_user_account_update(actor=None, client_id=first.pk, user_id=owner.pk, data={"lastname": "Nowy"})
    assert sorted(published(events)) == sorted([(first.pk, ("owner",)), (second.pk, ("owner",))])
    with recorded_events(ClientUpdated) as others:
        # Not an owner: in no client's payload. An owner's language: not in it either.
        client_user_account_update(actor=None, client_id=first.pk, user_id=helper.pk, data={"lastname": "Inny"})
        client_user_account_update(actor=None, client_id=first.pk, user_id=owner.pk, data={"language": "pl"})
    assert others == []


def test_status_credit_limit_and_group_are_published_by_the_edit_and_the_bulk_action(make_client, staff):
    client = make_client()
    group = group_save(actor=None, data={"name": "Resellers"})
    with recorded_events(ClientUpdated) as events:
        client_update(actor=None, client_id=client.pk, data={"status": "INACTIVE"})
        client_update(actor=None, client_id=client.pk, data={"credit_limit": "50"})
        clients_bulk_update(progress=lambda *_: None, actor_id=str(staff.pk), client_ids=[str(client.pk)],
                            action="group", value=group.pk)
        clients_bulk_update(progress=lambda *_: None, actor_id=str(staff.pk), client_ids=[str(client.pk)],
                            action="status", value="ACTIVE")
    assert published(events) == [(client.pk, ("status",)), (client.pk, ("credit_limit",)),
                                 (client.pk, ("group",)), (client.pk, ("status",))]
    assert Client.objects.get(pk=client.pk).group_id == group.pk
