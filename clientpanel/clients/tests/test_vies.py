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
