"""An address that has only a country (and a region) reads as their names in the reader's language:
a client whose billing address was only "PL" showed "Adres główny: Poland" on Polish pages (the
stored English line, meant only for document snapshots that kept no fields)."""

import pytest
from django.urls import reverse

from clientpanel.invoicing.services.proformas import proforma_add_funds

pytestmark = pytest.mark.django_db
ONLY_A_COUNTRY = {"address1": "", "city": "", "postcode": "", "region": ""}


def test_the_staff_summary_and_a_document_say_the_country_in_the_readers_language(staff_client, make_client):
    client = make_client(currency="PLN", billing_address=ONLY_A_COUNTRY)
    document = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10.00")
    summary_url = reverse("backoffice:client-summary", args=[client.pk])
    document_url = reverse("backoffice:document-detail", args=[document.pk])
    staff_client.post(reverse("backoffice:account-language"), {"language": "pl", "next": summary_url})
    summary = staff_client.get(summary_url).content.decode()
    assert '<th scope="row">Adres główny</th><td class="text-break">Polska</td>' in summary
    assert "Poland" not in summary
    page = staff_client.get(document_url).content.decode()
    assert '<div class="small">Polska</div>' in page and "Poland" not in page
    profile = staff_client.get(reverse("backoffice:client-profile", args=[client.pk])).content.decode()
    assert "<td>Polska</td>" in profile and "Poland" not in profile
