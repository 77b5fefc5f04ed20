"""The portal's profile edit (client_profile_update): only the profile fields, for a user with
Modify Master Account Profile on that client, cleaned exactly as staff's edits are."""

from decimal import Decimal

import pytest

from clientpanel.audit.models import AuditEvent
from clientpanel.clients import permissions as keys
from clientpanel.clients.actors import portal_actor
from clientpanel.clients.models import Client
from clientpanel.clients.selectors import billing_address_of
from clientpanel.clients.services import client_profile_update, client_update, client_user_link
from clientpanel.core.errors import NotFound, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


def _owner(client):
    return portal_actor(client.owner, client.pk)


def test_the_owner_changes_names_tax_id_and_billing_address_in_one_step(make_client):
    client = make_client(tax_id="PL5260250995")
    changed = client_profile_update(actor=_owner(client), client_id=client.pk, data={
        "firstname": "Anna", "company_name": "Anna Sp. z o.o.", "city": "Kraków", "postcode": "30-001",
        "region": "Małopolskie"})
    assert (changed.firstname, changed.company_name, changed.billing_city) == ("Anna", "Anna Sp. z o.o.", "Kraków")
    assert billing_address_of(changed).postcode == "30-001"
    assert {e.action for e in AuditEvent.objects.filter(client_id=client.pk)} >= {"client.update", "address.update"}


def test_a_tax_id_is_validated_like_staffs_and_for_the_new_country(make_client):
    client = make_client(tax_id="PL5260250995")
    with pytest.raises(ValidationFailed) as staff_refusal:
        client_update(actor=None, client_id=client.pk, data={"tax_id": "PL5260250996"})
    with pytest.raises(ValidationFailed) as portal_refusal:
        client_profile_update(actor=_owner(client), client_id=client.pk, data={"tax_id": "PL5260250996"})
    assert portal_refusal.value.fields["tax_id"] == staff_refusal.value.fields["tax_id"]
    # A German billing address with the Polish tax ID kept: refused, and nothing is written.
    with pytest.raises(ValidationFailed) as moved:
        client_profile_update(actor=_owner(client), client_id=client.pk, data={
            "tax_id": "PL5260250995", "country": "DE", "region": "", "firstname": "Moved"})
    assert "tax_id" in moved.value.fields
    client.refresh_from_db()
    assert (client.billing_country, client.firstname) == ("PL", "Ruslan")


@pytest.mark.parametrize("field, value", [("credit_limit", "1000"), ("status", "ACTIVE"), ("currency", "EUR"),
                                          ("admin_notes", "x"), ("group", ""), ("id_number", "X1")])
def test_fields_staff_decide_are_refused(make_client, field, value):
    client = make_client()
    with pytest.raises(ValidationFailed) as refused:
        client_profile_update(actor=_owner(client), client_id=client.pk, data={"firstname": "Anna", field: value})
    assert field in refused.value.fields
    stored = Client.objects.get(pk=client.pk)
    assert (stored.firstname, stored.credit_limit, stored.currency) == ("Ruslan", Decimal("0"), "USD")


def test_only_a_user_with_the_key_on_that_client_may_edit(make_client):
    mine, theirs = make_client(), make_client()
    with pytest.raises((NotFound, PermissionDenied)):
        client_profile_update(actor=_owner(mine), client_id=theirs.pk, data={"firstname": "Intruder"})
    client_user_link(actor=None, client_id=mine.pk, data={
        "email": "billing@example.com", "firstname": "Bill", "lastname": "Ing", "password": "billing-passphrase",
        "permissions": [keys.MANAGE_INVOICES]})
    clerk = portal_actor(mine.user_links.get(user__email="billing@example.com").user, mine.pk)
    with pytest.raises(PermissionDenied):
        client_profile_update(actor=clerk, client_id=mine.pk, data={"firstname": "Clerk"})
    assert Client.objects.get(pk=theirs.pk).firstname != "Intruder"
