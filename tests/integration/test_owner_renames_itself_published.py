"""A portal user who owns clients and changes its own name on its account page (accounts'
user_account_update) is in each owned client's payload as its `owner`: client.updated goes for
each (accounts publishes UserRenamed, clients turns it into ClientUpdated), as it does when staff
rename the owner."""

from __future__ import annotations

import pytest

from clientpanel.accounts.services import user_account_update
from clientpanel.clients.events import ClientUpdated
from clientpanel.clients.services import client_transfer_ownership, client_user_link
from clientpanel.core.tests.recording import recorded_events

pytestmark = pytest.mark.django_db


def test_an_owner_renaming_itself_publishes_every_client_it_owns(make_client):
    first, second, third = make_client(), make_client(), make_client()
    owner = first.owner
    client_user_link(actor=None, client_id=second.pk, data={"email": owner.email, "permissions": []})
    client_transfer_ownership(actor=None, client_id=second.pk, user_id=owner.pk)
    with recorded_events(ClientUpdated) as events:
        user_account_update(actor=owner, data={"firstname": "Nowe", "lastname": "Imię", "language": "en"})
    assert sorted((e.client_id, e.fields) for e in events) == sorted(
        [(first.pk, ("owner",)), (second.pk, ("owner",))])
    with recorded_events(ClientUpdated) as unchanged:  # the language alone: not in the payload
        user_account_update(actor=owner, data={"firstname": "Nowe", "lastname": "Imię", "language": "pl"})
    assert unchanged == [] and third.owner_id != owner.pk


def test_a_user_owning_no_client_renames_itself_without_publishing(make_client):
    client = make_client()
    helper = client_user_link(actor=None, client_id=client.pk, data={
        "email": "helper@example.com", "firstname": "A", "lastname": "B", "permissions": []}).user
    with recorded_events(ClientUpdated) as events:
        user_account_update(actor=helper, data={"firstname": "C", "lastname": "D", "language": "en"})
    assert events == []
