"""An amount of -9223372036854775809 where only a positive amount goes (staff Add Funds, Record
payment, Credit note; the portal's Add Funds) is told it must be more than zero, not that it is too
large; and the bound an amount too large is told is written in the page's number format (a Polish
portal page printed "999999999999.9999")."""

from __future__ import annotations

import pytest
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay

pytestmark = pytest.mark.django_db

BELOW_INT64 = "-9223372036854775809"
PASSWORD = "portal-user-passphrase"


def _refused(response) -> str:
    page = response.content.decode()
    assert response.status_code == 200, response.status_code
    return page


def test_staff_add_funds_pay_and_credit_note_tell_a_huge_negative_amount_it_must_be_positive(staff_client,
                                                                                            make_client):
    client = make_client(currency="USD")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="20")
    paid = proforma_add_funds(actor=None, client_id=client.pk, net_amount="30")
    proforma_pay(actor=None, document_id=paid.pk, amount=str(paid.total))
    paid.refresh_from_db()
    before = Document.objects.count()
    for url, field in ((reverse("backoffice:add-funds", args=[client.pk]), "net_amount"),
                       (reverse("backoffice:document-pay", args=[proforma.pk]), "amount"),
                       (reverse("backoffice:document-credit-note", args=[paid.related.pk]), "net_amount")):
        page = _refused(staff_client.post(url, {field: BELOW_INT64}))
        assert "The amount must be more than zero." in page and "too large" not in page, url
    assert Document.objects.count() == before


def test_the_portal_tells_a_huge_negative_amount_it_must_be_positive(make_client):
    client = make_client(currency="USD", password=PASSWORD)
    browser = Browser()
    assert browser.post(reverse("portal:login"), {"email": client.owner.email, "password": PASSWORD}).status_code == 302
    page = _refused(browser.post(reverse("portal:add-funds"), {"amount": BELOW_INT64}))
    assert "The amount must be more than zero." in page and "too large" not in page


def test_a_polish_portal_page_writes_the_bound_as_polish_numbers_are_written(make_client):
    client = make_client(currency="PLN", language="pl", password=PASSWORD)
    browser = Browser()
    assert browser.post(reverse("portal:login"), {"email": client.owner.email, "password": PASSWORD}).status_code == 302
    page = _refused(browser.post(reverse("portal:add-funds"), {"amount": "10000000000000"}))
    assert "999\u00a0999\u00a0999\u00a0999,9999" in page and "999999999999.9999" not in page
