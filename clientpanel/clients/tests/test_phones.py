"""One phone number in three places (issue 14, item 9; services/phones.py): the client's, its
owner's and its billing contact's start as one and stay one, through every path that writes a
phone — the staff panel's profile and the Users tab, the portal's profile, the API and a CSV
import — while a number entered apart for the owner or the billing contact stays its own."""

from __future__ import annotations

import io

import pytest
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.clients.events import ClientUpdated
from clientpanel.clients.imports import client_import_run, client_import_upload
from clientpanel.clients.models import Client, ClientImport, StaffAssignment
from clientpanel.clients.selectors import billing_address_of
from clientpanel.clients.services import (
    address_update,
    client_profile_update,
    client_transfer_ownership,
    client_update,
    client_user_account_update,
    client_user_link,
)
from clientpanel.core.errors import ValidationFailed
from clientpanel.core.events import subscribe, unsubscribe

pytestmark = pytest.mark.django_db

OLD, NEW, OTHER = "+48221234567", "+48227654321", "+48601234567"
PASSWORD = "portal-user-passphrase"


def phones(client: Client) -> tuple[str, str, str]:
    """(the client's, its owner's, its billing contact's) as stored now."""
    client = Client.objects.select_related("owner").get(pk=client.pk)
    return client.phone, client.owner.phone, billing_address_of(client).phone


def test_a_new_client_has_one_number_in_all_three_places(make_client):
    assert phones(make_client(phone="+48 22 123 45 67")) == (OLD, OLD, OLD)


def test_a_billing_contact_number_typed_at_creation_stays_its_own(make_client):
    client = make_client(phone=OLD, billing_address={"phone": OTHER})
    assert phones(client) == (OLD, OLD, OTHER)


def test_staff_changing_the_clients_phone_in_the_panel_moves_the_owners_and_billing_contacts(staff_client,
                                                                                             make_client):
    client = make_client(phone=OLD)
    response = staff_client.post(reverse("backoffice:client-profile", args=[client.pk]), {
        "firstname": client.firstname, "lastname": client.lastname, "language": "en", "currency": "USD",
        "status": "NEW", "credit_limit": "0", "phone": "+48 22 765 43 21"})
    assert response.status_code == 302
    assert phones(client) == (NEW, NEW, NEW)
    # Each followed change is in the client's Activity, by who made the first.
    followed = AuditEvent.objects.filter(client_id=client.pk, changes__phone=[OLD, NEW])
    assert sorted(e.action for e in followed) == ["address.update", "client.update", "user.update"]
    assert {e.actor_id for e in followed} == {User.objects.get(email="staff@example.com").pk}


def test_a_billing_contact_or_owner_number_entered_apart_stays_when_the_client_changes(make_client):
    client = make_client(phone=OLD)
    address_update(actor=None, client_id=client.pk, address_id=billing_address_of(client).pk, data={"phone": OTHER})
    client_update(actor=None, client_id=client.pk, data={"phone": NEW})
    assert phones(client) == (NEW, NEW, OTHER)

    client_user_account_update(actor=None, client_id=client.pk, user_id=client.owner_id, data={"phone": OLD})
    assert phones(client) == (OLD, OLD, OTHER)  # the owner's change moved the client; the contact kept its own
    client_update(actor=None, client_id=client.pk, data={"phone": ""})
    assert phones(client) == ("", "", OTHER)


def test_a_client_without_a_phone_gives_its_new_one_to_an_owner_and_contact_without_one(make_client):
    client = make_client()
    assert phones(client) == ("", "", "")
    client_update(actor=None, client_id=client.pk, data={"phone": OLD})
    assert phones(client) == (OLD, OLD, OLD)


def test_changing_the_client_publishes_the_addresses_as_changed_when_the_contact_followed(make_client):
    client = make_client(phone=OLD)
    seen: list = []

    def keep(batch):
        seen.extend(e for e in batch if isinstance(e, ClientUpdated))

    subscribe(ClientUpdated, keep)
    try:
        client_update(actor=None, client_id=client.pk, data={"phone": NEW})
    finally:
        unsubscribe(ClientUpdated, keep)
    assert [e.fields for e in seen] == [("addresses", "phone")]


def test_the_owners_new_number_moves_every_client_it_owns_that_had_it_and_no_other(make_client):
    first = make_client(phone=OLD)
    second = make_client(phone=OLD)
    apart = make_client(phone=OTHER)
    for other in (second, apart):  # the first client's owner owns all three
        client_user_link(actor=None, client_id=other.pk, data={"email": first.owner.email, "permissions": []})
        client_transfer_ownership(actor=None, client_id=other.pk, user_id=first.owner_id)

    client_user_account_update(actor=None, client_id=first.pk, user_id=first.owner_id, data={"phone": NEW})
    assert phones(first) == (NEW, NEW, NEW)
    assert phones(second) == (NEW, NEW, NEW)
    assert phones(apart)[0] == OTHER and billing_address_of(apart).phone == OTHER


def test_staff_limited_to_their_clients_move_the_owners_number_on_those_only(make_client):
    """The owner's account is edited through an assigned client; a client it also owns that the
    staff member is not assigned keeps its number (no write to a record the staff cannot see)."""
    assigned, unassigned = make_client(phone=OLD), make_client(phone=OLD)
    client_user_link(actor=None, client_id=unassigned.pk, data={"email": assigned.owner.email, "permissions": []})
    client_transfer_ownership(actor=None, client_id=unassigned.pk, user_id=assigned.owner_id)
    limited = staff_create(email="limited@example.com", password=PASSWORD, roles=["Support"],
                           limited_to_assigned_clients=True)
    StaffAssignment.objects.create(staff=limited, client=assigned)

    client_user_account_update(actor=limited, client_id=assigned.pk, user_id=assigned.owner_id,
                               data={"phone": NEW})
    assert phones(assigned) == (NEW, NEW, NEW)
    assert phones(unassigned) == (OLD, NEW, OLD)  # its own phone and billing contact untouched
    assert not AuditEvent.objects.filter(client_id=unassigned.pk, action="client.update").exists()


def test_a_user_who_is_not_the_owner_changes_only_its_own_number(make_client):
    client = make_client(phone=OLD)
    link = client_user_link(actor=None, client_id=client.pk, data={
        "email": "colleague@example.com", "firstname": "Col", "lastname": "League", "phone": OLD, "permissions": []})
    client_user_account_update(actor=None, client_id=client.pk, user_id=link.user_id, data={"phone": NEW})
    assert phones(client) == (OLD, OLD, OLD)
    assert User.objects.get(pk=link.user_id).phone == NEW


def test_a_client_phone_change_does_not_travel_on_to_the_owners_other_clients(make_client):
    first = make_client(phone=OLD)
    second = make_client(phone=OLD)
    client_user_link(actor=None, client_id=second.pk, data={"email": first.owner.email, "permissions": []})
    client_transfer_ownership(actor=None, client_id=second.pk, user_id=first.owner_id)
    client_update(actor=None, client_id=first.pk, data={"phone": NEW})
    assert phones(first) == (NEW, NEW, NEW)
    assert phones(second) == (OLD, NEW, OLD)  # one hop: the company's number is not the person's


def test_a_refused_phone_moves_nothing(make_client):
    client = make_client(phone=OLD)
    with pytest.raises(ValidationFailed):
        client_update(actor=None, client_id=client.pk, data={"phone": "+48 12"})
    assert phones(client) == (OLD, OLD, OLD)


def test_the_portal_profile_moves_the_owners_and_billing_contacts_number(make_client):
    client = make_client(phone=OLD, password=PASSWORD)
    browser = Browser()
    assert browser.post(reverse("portal:login"), {"email": client.owner.email, "password": PASSWORD}).status_code == 302
    billing = billing_address_of(client)
    response = browser.post(reverse("portal:profile"), {
        "firstname": client.firstname, "lastname": client.lastname, "company_name": "", "tax_id": "",
        "phone": "+48 22 765 43 21", "country": billing.country, "region": billing.region, "city": billing.city,
        "postcode": billing.postcode, "address1": billing.address1, "address2": ""})
    assert response.status_code == 302
    assert phones(client) == (NEW, NEW, NEW)


def test_the_portal_profile_service_keeps_a_contact_number_entered_apart(make_client):
    client = make_client(phone=OLD, billing_address={"phone": OTHER})
    client_profile_update(actor=None, client_id=client.pk, data={"phone": NEW})
    assert phones(client) == (NEW, NEW, OTHER)


def test_the_api_patch_moves_the_owners_and_billing_contacts_number(api, make_client):
    client = make_client(phone=OLD)
    response = api.patch(f"/clients/{client.pk}", {"phone": "+48 22 765 43 21"})
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == NEW
    assert phones(client) == (NEW, NEW, NEW)
    billing = api.get(f"/clients/{client.pk}/addresses").json()["results"][0]
    assert billing["phone"] == NEW


def test_an_import_updating_a_client_moves_the_owners_and_billing_contacts_number(make_client):
    client = make_client(phone=OLD)
    content = ("email,firstname,lastname,phone,country\r\n"
               f"{client.owner.email},{client.firstname},{client.lastname},+48 22 765 43 21,PL\r\n").encode()
    imported = client_import_upload(actor=None, file=io.BytesIO(content), name="clients.csv")
    ClientImport.objects.filter(pk=imported.pk).update(on_existing="update")
    outcome = client_import_run(actor=None, import_id=imported.pk, commit=True)
    assert outcome["counts"]["updated"] == 1, outcome
    assert phones(client) == (NEW, NEW, NEW)
