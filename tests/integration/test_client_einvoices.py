"""A client asks for its e-invoices (issue 16): the format on its profile (UBL, CII, Factur-X) and its
Peppol ID; each invoice is then also written in that format — unless its company issues through KSeF,
which the law requires — with the Peppol ID as the buyer's electronic address, and the file travels
with the invoice e-mail. Bad values are refused field by field, in the panel and the API."""

from __future__ import annotations

import pytest
from django.urls import reverse
from lxml import etree

from clientpanel.clients.services import client_update
from clientpanel.clients.validation import CLIENT_EINVOICE_FORMATS
from clientpanel.core.errors import ValidationFailed
from clientpanel.einvoices.configuration import einvoice_profile_save
from clientpanel.einvoices.exporters import exporter_choices, get_exporter
from clientpanel.einvoices.models import EInvoice
from clientpanel.einvoices.storage import einvoice_content
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from clientpanel.notifications.models import EmailMessage
from clientpanel.notifications.sending import send_due_emails
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save

pytestmark = pytest.mark.django_db

UBL = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
       "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}


@pytest.fixture
def german_company(db):
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={
        "name": "Hosting GmbH", "country": "DE", "eu_vat_id": "DE811907980", "address1": "Hauptstraße 1",
        "city": "Berlin", "postcode": "10115", "bank_details": "DE89 3704 0044 0532 0130 00"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "DE", "tax1_name": "MwSt", "tax1_rate": "19"})
    return company


def invoice_of(client):
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    proforma.refresh_from_db()
    return proforma.related


def test_every_format_a_client_may_ask_for_is_one_the_exporters_write():
    assert set(CLIENT_EINVOICE_FORMATS) <= {key for key, _title in exporter_choices()}


def test_a_client_asking_for_ubl_gets_it_with_its_peppol_id_and_by_e_mail(german_company, make_client, smtp_server):
    client = make_client(currency="EUR", company_name="Kunde AG", billing_address={"country": "DE", "region": "",
                                                                                  "city": "München"})
    client_update(actor=None, client_id=client.pk, data={"einvoice_format": "ubl",
                                                         "peppol_id": "0088:5790000436057"})
    invoice = invoice_of(client)
    einvoice = EInvoice.objects.get(document=invoice)
    assert (einvoice.format, einvoice.status) == ("ubl", "MADE")
    content = einvoice_content(einvoice)
    assert get_exporter("ubl").validate(content) == []
    endpoint = etree.fromstring(content).find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", UBL)
    assert (endpoint.get("schemeID"), endpoint.text) == ("0088", "5790000436057")

    EmailMessage.objects.exclude(attachments=[{"document_id": str(invoice.pk)}]).delete()
    send_due_emails()
    (received,) = smtp_server.messages
    attached = {part.get_filename(): part.get_content() for part in received.iter_attachments()}
    assert attached[next(name for name in attached if name.endswith(".ubl.xml"))] == content
    assert any(name.endswith(".pdf") for name in attached)


def test_a_client_that_asked_nothing_gets_no_file(german_company, make_client):
    invoice = invoice_of(make_client(currency="EUR", billing_address={"country": "DE", "region": ""}))
    assert not EInvoice.objects.filter(document=invoice).exists()


def test_a_polish_company_issuing_through_ksef_keeps_ksef_whatever_the_client_asked(make_client):
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={
        "name": "Hosting Polska", "country": "PL", "local_tax_id": "5260250995", "eu_vat_id": "PL5260250995",
        "address1": "ul. Prosta 1", "city": "Warszawa", "postcode": "00-001"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    einvoice_profile_save(actor=None, company_id=company.pk, format_key="ksef_fa3")
    client = make_client(currency="PLN", company_name="Klient", tax_id="7740001454")
    client_update(actor=None, client_id=client.pk, data={"einvoice_format": "cii"})
    assert EInvoice.objects.get(document=invoice_of(client)).format == "ksef_fa3"


def test_bad_choices_are_refused_field_by_field(make_client, staff_client, api):
    client = make_client()
    with pytest.raises(ValidationFailed) as refused:
        client_update(actor=None, client_id=client.pk, data={"einvoice_format": "ksef_fa3", "peppol_id": "GLN 123"})
    assert set(refused.value.fields) == {"einvoice_format", "peppol_id"}
    answer = api.patch(f"/clients/{client.pk}", {"peppol_id": "1234567"})
    assert answer.status_code == 422 and "peppol_id" in answer.json()["error"]["fields"]
    answer = api.patch(f"/clients/{client.pk}", {"einvoice_format": "CII", "peppol_id": " 9945:PL5260250995 "})
    assert answer.status_code == 200
    assert (answer.json()["einvoice_format"], answer.json()["peppol_id"]) == ("cii", "9945:PL5260250995")
    page = staff_client.get(reverse("backoffice:client-profile", args=[client.pk])).content.decode()
    assert 'name="einvoice_format"' in page and 'value="9945:PL5260250995"' in page


def test_a_factur_x_invoice_is_its_own_pdf_with_the_cii_inside_and_its_fonts_embedded(german_company, make_client):
    import io

    import facturx
    from pypdf import PdfReader

    from clientpanel.invoicing.storage import stored_pdf

    client = make_client(currency="EUR", company_name="Kunde AG", billing_address={"country": "DE", "region": ""})
    client_update(actor=None, client_id=client.pk, data={"einvoice_format": "facturx"})
    invoice = invoice_of(client)
    einvoice = EInvoice.objects.get(document=invoice)
    assert (einvoice.format, einvoice.status) == ("facturx", "MADE"), einvoice.error
    content = einvoice_content(einvoice)
    assert get_exporter("facturx").validate(content) == []
    _name, xml = facturx.get_xml_from_pdf(content, check_xsd=True)
    assert invoice.number.encode() in xml
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == len(PdfReader(io.BytesIO(stored_pdf(invoice))).pages)  # the invoice's own pages
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert font.get("/Subtype") != "/Type1", font  # a standard font, not embedded
            descriptor = (font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"])
            assert "/FontFile2" in descriptor.get_object(), font["/BaseFont"]  # PDF/A: every font embedded


def test_an_einvoice_file_gone_missing_never_holds_the_invoice_email_back(german_company, make_client,
                                                                          smtp_server):
    from django.core.files.storage import storages

    client = make_client(currency="EUR", company_name="Kunde AG", billing_address={"country": "DE", "region": ""})
    client_update(actor=None, client_id=client.pk, data={"einvoice_format": "ubl"})
    invoice = invoice_of(client)
    storages["documents"].delete(EInvoice.objects.get(document=invoice).file_name)
    EmailMessage.objects.exclude(attachments=[{"document_id": str(invoice.pk)}]).delete()
    assert send_due_emails()["sent"] == 1
    (received,) = smtp_server.messages
    assert [part.get_content_type() for part in received.iter_attachments()] == ["application/pdf"]
