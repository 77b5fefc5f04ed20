"""Whether an e-invoice can be made for a document, and why not (rules.einvoice_makeable): the
document's page offers "Make the e-invoice" only when it can be made and otherwise says the true
reason; the service refuses with the same reason, and the API says it of a document without one.
A KSeF company's invoice to a consumer (no tax ID) gets no KSeF file: the page never says it was
"issued before the company chose a format", nor the service that "neither chose a format"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clientpanel.core.errors import Conflict
from clientpanel.einvoices import rules
from clientpanel.einvoices.configuration import einvoice_profile_save
from clientpanel.einvoices.models import EInvoice, EInvoiceStatus
from clientpanel.einvoices.rules import einvoice_makeable
from clientpanel.einvoices.services import einvoice_make_again
from clientpanel.invoicing.models import DocumentType
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay

pytestmark = pytest.mark.django_db

CONSUMER_REASON = "which are for buyers with a tax ID"


def paid_invoice(make_client, **client_fields):
    client = make_client(currency="PLN", **client_fields)
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    proforma.refresh_from_db()
    assert proforma.related.type == DocumentType.INVOICE
    return proforma.related


def business_invoice(make_client):
    return paid_invoice(make_client, company_name="Klient sp. z o.o.", tax_id="7740001454")


def card(staff_client, document) -> str:
    return staff_client.get(reverse("backoffice:document-detail", args=[document.pk])).content.decode()


def make_button(document) -> str:
    return reverse("backoffice:document-einvoice-make", args=[document.pk])


def test_a_ksef_companys_invoice_to_a_consumer_says_why_it_has_no_einvoice_and_offers_no_button(
        polish_company, make_client, staff_client, api):
    invoice = paid_invoice(make_client)  # a private person: no tax ID
    assert not EInvoice.objects.filter(document=invoice).exists()
    makeable = einvoice_makeable(invoice)
    assert not makeable and makeable.refusal == rules.CONSUMER and CONSUMER_REASON in makeable.reason

    page = card(staff_client, invoice)
    assert 'id="einvoice"' in page and CONSUMER_REASON in page
    assert make_button(invoice) not in page
    assert "Issued before" not in page and "Neither the document" not in page

    with pytest.raises(Conflict, match=CONSUMER_REASON):
        einvoice_make_again(actor=None, document_id=invoice.pk)
    # A stale page's button: refused with the same reason, nothing made.
    answered = staff_client.post(make_button(invoice), follow=True).content.decode()
    assert CONSUMER_REASON in answered and "Neither the document" not in answered
    assert not EInvoice.objects.filter(document=invoice).exists()

    answer = api.get(f"/invoices/{invoice.pk}/einvoice")
    assert answer.status_code == 404 and CONSUMER_REASON in answer.json()["error"]["message"]
    assert "issues none" not in answer.json()["error"]["message"]


def test_a_consumer_who_asked_for_a_format_gets_that_one(polish_company, make_client):
    invoice = paid_invoice(make_client, einvoice_format="ubl")
    einvoice = EInvoice.objects.get(document=invoice)
    assert einvoice.format == "ubl"


def test_a_client_with_a_tax_id_gets_its_ksef_file_and_no_button(polish_company, make_client, staff_client):
    invoice = business_invoice(make_client)
    einvoice = EInvoice.objects.get(document=invoice)
    assert (einvoice.format, einvoice.status) == ("ksef_fa3", EInvoiceStatus.MADE)
    assert einvoice_makeable(invoice).refusal == rules.MADE
    page = card(staff_client, invoice)
    assert make_button(invoice) not in page and 'id="download-einvoice"' in page
    with pytest.raises(Conflict, match="made already"):
        einvoice_make_again(actor=None, document_id=invoice.pk)


def test_a_company_without_a_format_shows_no_card_and_the_service_says_to_choose_one(make_client, staff_client):
    invoice = business_invoice(make_client)
    makeable = einvoice_makeable(invoice)
    assert makeable.refusal == rules.NO_FORMAT
    page = card(staff_client, invoice)
    assert 'id="einvoice"' not in page and make_button(invoice) not in page
    with pytest.raises(Conflict, match="Neither the document's home company nor its client chose"):
        einvoice_make_again(actor=None, document_id=invoice.pk)


def test_an_invoice_issued_before_the_company_chose_ksef_is_offered_and_made(make_client, staff_client):
    from clientpanel.tax.selectors import default_home_company
    from clientpanel.tax.services import home_company_save, tax_rule_save

    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={
        "name": "Hosting Polska sp. z o.o.", "country": "PL", "local_tax_id": "5260250995",
        "eu_vat_id": "PL5260250995", "address1": "ul. Prosta 1", "city": "Warszawa", "postcode": "00-001",
        "time_zone": "Europe/Warsaw"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    invoice = business_invoice(make_client)
    consumer_invoice = paid_invoice(make_client)
    assert not EInvoice.objects.exists()
    einvoice_profile_save(actor=None, company_id=company.pk, format_key="ksef_fa3")

    makeable = einvoice_makeable(invoice)
    assert makeable and makeable.waiting and makeable.format_key == "ksef_fa3"
    page = card(staff_client, invoice)
    assert "Issued before its home company or its client chose an e-invoice format." in page
    assert make_button(invoice) in page and "KSeF" in page
    # The consumer's invoice of the same day: still none, and the true reason.
    page = card(staff_client, consumer_invoice)
    assert CONSUMER_REASON in page and make_button(consumer_invoice) not in page

    staff_client.post(make_button(invoice))
    made = EInvoice.objects.get(document=invoice)
    assert made.status == EInvoiceStatus.MADE, made.error
    assert not EInvoice.objects.filter(document=consumer_invoice).exists()
