"""The VIES check job on a client, against the fake VIES server (clientpanel/tax/tests/fake_vies.py)."""

import pytest
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.clients.models import Client
from clientpanel.clients.services import client_update, client_vies_check


@pytest.mark.django_db
def test_job_records_status_and_time_and_a_new_tax_id_resets_it(vies, make_client):
    vies.answers = {"PL5260250995": {"valid": True}}
    client = make_client(tax_id="PL5260250995")
    assert client_vies_check(client_id=client.pk) == "VALID"
    client.refresh_from_db()
    assert client.vies_status == "VALID" and client.vies_checked_at is not None
    assert AuditEvent.objects.filter(action="client.vies_check").get().changes == {"vies_status": ["UNCHECKED",
                                                                                                   "VALID"]}
    client_update(actor=None, client_id=client.pk, data={"tax_id": "PL7740001454"})
    client.refresh_from_db()
    assert client.vies_status == "UNCHECKED"


@pytest.mark.django_db
def test_unreachable_vies_records_error_and_never_blocks(settings, make_client):
    settings.VIES_URL = "http://127.0.0.1:9/nothing-listens-here"
    client = make_client(tax_id="PL5260250995")
    assert client_vies_check(client_id=client.pk) == "ERROR"
    assert Client.objects.get(pk=client.pk).vies_status == "ERROR"


@pytest.mark.django_db(transaction=True)
def test_check_vies_button_queues_the_job(vies, client, make_client):
    vies.answers = {"PL5260250995": {"valid": True}}
    target = make_client(tax_id="PL5260250995")
    client.force_login(staff_create(email="s@example.com", password="correct-horse-battery",
                                    roles=["Administrator"]))
    response = client.post(reverse("backoffice:client-vies-check", args=[target.pk]), follow=True)
    assert "VIES check queued" in response.content.decode()
    # Tests run Huey in immediate mode (set explicitly), so the job has run by now.
    assert Client.objects.get(pk=target.pk).vies_status == "VALID"


def test_vies_is_offered_only_for_eu_vat_numbers_of_clients_billed_in_the_eu():
    from clientpanel.clients.services import vies_checkable

    assert vies_checkable(Client(tax_id="PL5260250995", billing_country="PL"))
    assert not vies_checkable(Client(tax_id="", billing_country="PL"))
    assert not vies_checkable(Client(tax_id="GB980780684", billing_country="GB"))
    assert not vies_checkable(Client(tax_id="123456789", billing_country="US"))
    assert not vies_checkable(Client(tax_id="PL5260250995", billing_country="US"))


@pytest.mark.django_db
def test_the_summary_offers_check_vies_only_when_vies_can_answer(vies, staff_client, make_client):
    eu = make_client(tax_id="PL5260250995")
    private = make_client()
    assert "Check VIES" in staff_client.get(reverse("backoffice:client-summary", args=[eu.pk])).content.decode()
    summary = staff_client.get(reverse("backoffice:client-summary", args=[private.pk])).content.decode()
    assert "Check VIES" not in summary
    Client.objects.filter(pk=private.pk).update(tax_id="123456789", billing_country="US")
    refused = staff_client.post(reverse("backoffice:client-vies-check", args=[private.pk]), follow=True)
    assert "EU businesses only" in refused.content.decode()


@pytest.mark.django_db
def test_a_vies_error_shows_its_reason(vies, staff_client, make_client):
    vies.answers = {"PL5260250995": {"actionSucceed": False, "errorWrappers": [{"error": "MS_UNAVAILABLE"}]}}
    client = make_client(tax_id="PL5260250995")
    assert client_vies_check(client_id=client.pk) == "ERROR"
    body = staff_client.get(reverse("backoffice:client-summary", args=[client.pk])).content.decode()
    assert "The member state&#x27;s VAT service is unavailable; try again later." in body
    vies.answers = {"PL5260250995": {"valid": True}}
    client_vies_check(client_id=client.pk)
    assert Client.objects.get(pk=client.pk).vies_error == ""
