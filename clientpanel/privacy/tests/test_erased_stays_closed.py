"""An erased client (client_erase, GDPR art. 17) stays closed: staff cannot set its status back to
one that takes new business (NEW, ACTIVE, INACTIVE) — it would be sold services and Add Funds again
under "Erased client N" — by the Profile tab (a form error), the API (409 `client_erased`), a bulk
action or any other client_update; CLOSED and FRAUD stay open to it. It is told by the erasure's
audit event, so an edit of the client since (which makes its display name again) changes nothing."""

import json

import pytest
from django.urls import reverse

from clientpanel.audit.models import AuditEvent
from clientpanel.clients.models import Client, ClientStatus
from clientpanel.clients.rules import takes_new_business
from clientpanel.clients.services import client_update, clients_bulk_update
from clientpanel.core.errors import Conflict
from clientpanel.privacy.services import client_erase, is_erased

pytestmark = pytest.mark.django_db

WORDS = "This client's personal data is erased, so it stays closed. Create a new client for a returning customer."
OPEN = [ClientStatus.NEW, ClientStatus.ACTIVE, ClientStatus.INACTIVE]


@pytest.fixture
def erased(make_client):
    client = make_client(currency="USD")
    return client_erase(actor=None, client_id=client.pk, confirm=client.number)


def _status(client) -> str:
    return Client.objects.values_list("status", flat=True).get(pk=client.pk)


@pytest.mark.parametrize("status", OPEN)
def test_an_erased_client_is_not_reopened_and_nothing_is_written(erased, staff, status):
    updates = AuditEvent.objects.filter(action="client.update").count()
    for actor in (None, staff):
        with pytest.raises(Conflict) as refused:
            client_update(actor=actor, client_id=erased.pk, data={"status": status, "public_notes": "Back"})
        assert (refused.value.code, refused.value.message, refused.value.fields) == (
            "client_erased", WORDS, {"status": [WORDS]})
    erased.refresh_from_db()
    assert (erased.status, erased.public_notes) == (ClientStatus.CLOSED, "")
    assert not takes_new_business(erased.status)
    assert AuditEvent.objects.filter(action="client.update").count() == updates


def test_an_erased_client_may_be_marked_as_fraud_and_still_not_reopened_after_that_edit(erased):
    client_update(actor=None, client_id=erased.pk, data={"status": ClientStatus.FRAUD})
    edited = Client.objects.get(pk=erased.pk)
    assert edited.status == ClientStatus.FRAUD and edited.display_name != erased.display_name  # made again
    assert is_erased(edited)  # the privacy page still says so; erasing it again is refused
    with pytest.raises(Conflict, match="erased, so it stays closed"):
        client_update(actor=None, client_id=erased.pk, data={"status": ClientStatus.ACTIVE})
    client_update(actor=None, client_id=erased.pk, data={"status": ClientStatus.CLOSED, "admin_notes": "On request"})
    assert _status(erased) == ClientStatus.CLOSED


def test_a_closed_client_that_was_not_erased_is_reopened_as_before(make_client):
    client = make_client(currency="USD")
    client_update(actor=None, client_id=client.pk, data={"status": ClientStatus.CLOSED})
    client_update(actor=None, client_id=client.pk, data={"status": ClientStatus.ACTIVE})
    assert _status(client) == ClientStatus.ACTIVE and not is_erased(client)


def test_the_api_answers_409_in_the_one_error_shape(api, erased):
    refused = api.client.patch(f"/api/v1/clients/{erased.pk}", data=json.dumps({"status": "ACTIVE"}),
                               content_type="application/json", headers=api.headers)
    assert refused.status_code == 409, refused.content
    assert refused.json() == {"error": {"code": "client_erased", "message": WORDS, "fields": {"status": [WORDS]}}}
    assert _status(erased) == ClientStatus.CLOSED


def test_the_profile_tab_offers_only_the_statuses_that_keep_it_closed(staff_client, erased, make_client):
    """Its status list holds Closed and Fraud alone (clients.selectors.status_choices_for); a status
    sent all the same is refused by the field, and nothing is written. Another client's list is whole."""
    url = reverse("backoffice:client-profile", args=[erased.pk])
    shown = staff_client.get(url).context["form"].fields["status"].choices
    assert [value for value, _label in shown] == [ClientStatus.CLOSED, ClientStatus.FRAUD]
    page = staff_client.post(url, {
        "firstname": erased.firstname, "lastname": erased.lastname, "language": "en", "currency": "USD",
        "status": "ACTIVE", "credit_limit": "0"})
    assert page.status_code == 200 and page.context["form"].errors["status"]
    assert _status(erased) == ClientStatus.CLOSED
    other = make_client(currency="USD", email="not-erased@example.com")
    whole = staff_client.get(reverse("backoffice:client-profile", args=[other.pk])).context["form"]
    assert len(whole.fields["status"].choices) == len(ClientStatus.choices)


def test_a_bulk_status_change_fails_for_the_erased_client_alone(staff, erased, make_client):
    other = make_client(currency="USD", status="CLOSED")
    result = clients_bulk_update(progress=lambda *_: None, actor_id=str(staff.pk),
                                 client_ids=[str(erased.pk), str(other.pk)], action="status", value="ACTIVE")
    assert result["counts"]["failed"] == 1 and result["failures"][0]["reason"] == WORDS
    assert (_status(erased), _status(other)) == (ClientStatus.CLOSED, ClientStatus.ACTIVE)
